"""The wire under every method: POST /api/v1/<method> with a JSON body, the
key as HTTP Basic (or a session token as Bearer), retries of 5xx, 429 and
network failures with jittered backoff that honour Retry-After, and one
Idempotency-Key on every attempt of a call with side effects, so a retry
never does the thing twice. Standard library only."""
from __future__ import annotations

import base64
import json
import keyword
import random
import time
import urllib.error
import urllib.request
import uuid
from typing import Any, Dict, Iterator, Optional


class VeridocError(Exception):
    """An answer other than 2xx, or a network failure (status 0).

    error_name is the API's error_name (e.g. "SessionNotFound"), or
    "NetworkError" when no answer came."""

    def __init__(self, error_name: str, message: str, status: int,
                 request_id: Optional[str] = None, retry_after: Optional[int] = None) -> None:
        super().__init__(f"{error_name} ({status}): {message}")
        self.error_name = error_name
        self.message = message
        self.status = status
        self.request_id = request_id
        self.retry_after = retry_after


def body_of(args: Dict[str, Any]) -> Dict[str, Any]:
    """A method's keyword arguments as its JSON body: the ones given (not
    None), with a keyword's trailing _ dropped (from_ -> from)."""
    out = {}
    for k, v in args.items():
        if k == "self" or v is None:
            continue
        if k.endswith("_") and keyword.iskeyword(k[:-1]):
            k = k[:-1]
        out[k] = v
    return out


def _backoff(retry: int) -> float:
    """Full jitter: a random wait up to 0.5 s doubled per retry, at most 8 s."""
    return random.uniform(0, min(8.0, 0.5 * 2 ** retry))


class Transport:
    def __init__(self, base_url: str, public_key: Optional[str] = None, secret: Optional[str] = None,
                 session_token: Optional[str] = None, max_retries: int = 2, timeout: float = 60.0) -> None:
        if not base_url:
            raise ValueError("base_url is required")
        self.base = base_url.rstrip("/")
        if session_token:
            self.auth = "Bearer " + session_token
        elif public_key and secret:
            self.auth = "Basic " + base64.b64encode(f"{public_key}:{secret}".encode()).decode()
        else:
            raise ValueError("give public_key and secret, or session_token")
        self.max_retries = max_retries
        self.timeout = timeout

    def call(self, method: str, body: Dict[str, Any], side_effects: bool) -> Any:
        headers = {"Content-Type": "application/json", "Authorization": self.auth}
        if side_effects:
            headers["Idempotency-Key"] = str(uuid.uuid4())
        payload = json.dumps(body).encode()
        retry = 0
        while True:
            req = urllib.request.Request(f"{self.base}/api/v1/{method}", data=payload, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as res:
                    return json.loads(res.read())
            except urllib.error.HTTPError as e:
                err = _error(e)
                if (e.code < 500 and e.code != 429) or retry >= self.max_retries:
                    raise err from None
                time.sleep(err.retry_after if err.retry_after is not None else _backoff(retry))
            except (urllib.error.URLError, OSError) as e:
                if retry >= self.max_retries:
                    raise VeridocError("NetworkError", f"{method}: {e}", 0) from None
                time.sleep(_backoff(retry))
            retry += 1

    def paginate(self, method: str, body: Dict[str, Any]) -> Iterator[Any]:
        """Yields every item of a list method, page after page, from the body's cursor on."""
        body = dict(body)
        while True:
            page = self.call(method, body, False)
            yield from page["data"]
            if not page.get("has_more") or not page.get("next_cursor"):
                return
            body["cursor"] = page["next_cursor"]


def _error(e: urllib.error.HTTPError) -> VeridocError:
    text = e.read().decode("utf-8", "replace")
    name, message = f"HTTP{e.code}", text[:500]
    try:
        env = json.loads(text)
        name, message = env.get("error_name", name), env.get("error_message", message)
    except ValueError:
        pass  # not the API's envelope (a proxy's page): keep the text
    retry_after = None
    try:
        retry_after = int(e.headers.get("Retry-After", ""))
    except ValueError:
        pass
    return VeridocError(name, message, e.code, e.headers.get("X-Request-Id"), retry_after)
