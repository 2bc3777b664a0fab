"""The SDK's tests run against a real Veridoc server, started by the Go test
internal/systemtest TestPythonSDK, which passes VERIDOC_URL and a sandbox
account's VERIDOC_PUBLIC_KEY and VERIDOC_SECRET."""
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from veridoc import Veridoc  # noqa: E402


@pytest.fixture(scope="session")
def server():
    url = os.environ.get("VERIDOC_URL")
    if not url:
        pytest.skip("VERIDOC_URL not set: run through go test ./internal/systemtest -run TestPythonSDK")
    return url, os.environ["VERIDOC_PUBLIC_KEY"], os.environ["VERIDOC_SECRET"]


@pytest.fixture(scope="session")
def v(server):
    url, pub, secret = server
    return Veridoc(base_url=url, public_key=pub, secret=secret)


def until(what, get, done, seconds=30.0):
    end = time.time() + seconds
    while True:
        value = get()
        if done(value):
            return value
        if time.time() > end:
            raise AssertionError(f"timed out waiting for {what}: {value}")
        time.sleep(0.2)
