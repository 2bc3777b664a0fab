import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import until

from veridoc import Veridoc, VeridocError, verify_webhook


def serve(handler):
    s = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=s.serve_forever, daemon=True).start()
    return s, f"http://127.0.0.1:{s.server_address[1]}"


def test_calls_a_method(v):
    acc = v.account.get()
    assert acc["sandbox"] is True and isinstance(acc["id"], int)


def test_errors_carry_the_error_name(v, server):
    with pytest.raises(VeridocError) as e:
        v.session.get(id=999_999_999)
    assert (e.value.error_name, e.value.status) == ("SessionNotFound", 404)
    assert e.value.request_id
    with pytest.raises(VeridocError) as e:
        Veridoc(base_url=server[0], public_key=server[1], secret="secret-wrong").account.get()
    assert (e.value.error_name, e.value.status) == ("Unauthorized", 401)


def test_list_all_walks_every_page(v):
    for i in range(25):
        v.session.create(reference=f"py-page-{i}")
    assert [s["reference"] for s in v.session.list_all(limit=10, reference="py-page-7")] == ["py-page-7"]
    assert sum(1 for s in v.session.list_all(limit=10) if s["reference"].startswith("py-page-")) == 25


def test_retries_reuse_one_idempotency_key(v, server):
    url, pub, secret = server
    seen, script = [], [503, 429]

    class Flaky(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            seen.append((self.headers.get("Idempotency-Key"), time.time()))
            if script:
                status = script.pop(0)
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "1")
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"error_name": "Scripted", "error_message": "scripted"}).encode())
                return
            fwd = urllib.request.Request(url + self.path, data=body, method="POST",
                                         headers={k: self.headers[k] for k in ("Authorization", "Content-Type", "Idempotency-Key") if self.headers.get(k)})
            with urllib.request.urlopen(fwd) as res:
                out = res.read()
                self.send_response(res.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(out)

    proxy, proxy_url = serve(Flaky)
    try:
        created = Veridoc(base_url=proxy_url, public_key=pub, secret=secret, max_retries=3).session.create(reference="py-retried")
        assert len(seen) == 3
        assert seen[0][0] and all(k == seen[0][0] for k, _ in seen), "one key on every attempt"
        assert seen[2][1] - seen[1][1] >= 0.95, "waited Retry-After: 1 after the 429"
        assert [s["id"] for s in v.session.list_all(reference="py-retried")] == [created["id"]]
        script[:] = [503, 503, 503]
        seen.clear()
        with pytest.raises(VeridocError) as e:
            Veridoc(base_url=proxy_url, public_key=pub, secret=secret, max_retries=1).account.get()
        assert e.value.status == 503 and len(seen) == 2
    finally:
        proxy.shutdown()


def test_verify_webhook(v):
    got = []

    class Receiver(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            got.append((self.rfile.read(int(self.headers["Content-Length"])), dict(self.headers)))
            self.send_response(200)
            self.end_headers()

    receiver, url = serve(Receiver)
    try:
        endpoint = v.webhook_endpoint.create(url=url)
        whsec = endpoint.get("webhook_secret") or ""
        assert whsec.startswith("whsec_")
        v.webhook_endpoint.test(id=endpoint["id"])
        until("the sample", lambda: len(got), lambda n: n > 0)
        body, headers = got[0]
        assert verify_webhook(body, headers, whsec)
        assert not verify_webhook(body.replace(b"APPROVED", b"REJECTED"), headers, whsec)
        assert not verify_webhook(body, headers, "whsec_" + "A" * 44)
        assert json.loads(body)["test"] is True
    finally:
        receiver.shutdown()


def test_sandbox_session_with_the_end_users_token(v, server):
    s = v.session.create(reference="sandbox:DECLINED:FACE_MISMATCH")
    Veridoc(base_url=server[0], session_token=s["token"]).session.submit()
    done = until("the outcome", lambda: v.session.get(id=s["id"]), lambda x: x["state"] == "DECLINED")
    assert done["checks"] == ["FACE_MISMATCH"]


def test_sandbox_photo(v):
    spec = next(s for s in v.specification.list(country_code="US")["data"] if s["type"] == "passport")
    queued = v.photo.process(photo="sandbox:NO_FACE_DETECTED", spec_id=spec["id"])
    task = until("the task", lambda: v.task.get(id=queued["task_id"]), lambda t: t["state"] in ("SUCCESS", "FAILURE"), 90)
    assert (task["state"], task["error_code"]) == ("FAILURE", "NO_FACE_DETECTED")
