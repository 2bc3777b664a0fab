"""Checking a callback's Standard Webhooks signature."""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Mapping, Union


def verify_webhook(body: Union[bytes, str], headers: Mapping[str, str], secret: str, tolerance: int = 300) -> bool:
    """Tells whether a callback was signed with the account's webhook secret
    (webhook-id, webhook-timestamp, webhook-signature) and is at most
    tolerance seconds old or ahead. Pass the body exactly as received,
    before parsing it."""
    lower = {k.lower(): v for k, v in headers.items()}
    msg_id, timestamp, signatures = lower.get("webhook-id"), lower.get("webhook-timestamp"), lower.get("webhook-signature")
    if not msg_id or not timestamp or not signatures or not secret.startswith("whsec_"):
        return False
    try:
        if abs(time.time() - int(timestamp)) > tolerance:
            return False
        key = base64.b64decode(secret[len("whsec_"):])
    except ValueError:
        return False
    raw = body.encode() if isinstance(body, str) else body
    want = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + raw, hashlib.sha256).digest()
    # Several signatures may be sent while a secret is being rotated.
    for sig in signatures.split(" "):
        version, _, value = sig.partition(",")
        if version != "v1":
            continue
        try:
            if hmac.compare_digest(base64.b64decode(value), want):
                return True
        except ValueError:
            continue
    return False
