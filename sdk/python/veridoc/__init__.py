"""Veridoc for Python (3.8 or later, standard library only).

    from veridoc import Veridoc, verify_webhook
    v = Veridoc(base_url="https://id.example.com", public_key="public-key-…", secret="secret-…")
    s = v.session.create(reference="order-17")
    for done in v.session.list_all(state="APPROVED"):
        ...
"""
from __future__ import annotations

from typing import Optional

from ._api import METHOD_NAMES, Services
from ._transport import Transport, VeridocError
from ._webhooks import verify_webhook

__all__ = ["Veridoc", "VeridocError", "verify_webhook", "METHOD_NAMES"]
__version__ = "0.3.0"


class Veridoc(Services):
    """A client: an API key pair, or a session's token for the end-user methods.

    Calls with side effects carry one Idempotency-Key on all their attempts;
    5xx, 429 and network failures are retried max_retries times after a
    jittered backoff, or after Retry-After when the server sends one."""

    def __init__(self, base_url: str, public_key: Optional[str] = None, secret: Optional[str] = None, *,
                 session_token: Optional[str] = None, max_retries: int = 2, timeout: float = 60.0) -> None:
        super().__init__(Transport(base_url, public_key, secret, session_token, max_retries, timeout))
