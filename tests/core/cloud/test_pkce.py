"""PKCE values follow RFC 7636 and the loopback receiver accepts only its own sign-in answer."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest

from commissioner.core.cloud.errors import CloudAuthError
from commissioner.core.cloud.pkce import (
    LoopbackReceiver,
    challenge_s256,
    new_state,
    new_verifier,
)

UNRESERVED = re.compile(r"^[A-Za-z0-9._~-]+$")


def test_verifier_is_long_random_and_unreserved() -> None:
    """43-128 unreserved characters, different every time."""
    verifiers = {new_verifier() for _ in range(20)}
    assert len(verifiers) == 20
    for v in verifiers:
        assert 43 <= len(v) <= 128
        assert UNRESERVED.match(v)
    assert new_state() != new_state()


def test_challenge_is_unpadded_base64url_sha256() -> None:
    """S256: BASE64URL(SHA256(ascii(verifier))) without '=' padding."""
    verifier = new_verifier()
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    assert challenge_s256(verifier) == expected.decode().rstrip("=")
    assert len(challenge_s256(verifier)) == 43
    assert "=" not in challenge_s256(verifier)


async def test_receiver_returns_code_and_shows_close_page() -> None:
    """The browser's answer with the right state resolves the wait and gets a friendly page."""
    async with LoopbackReceiver("state-1") as receiver:
        assert receiver.redirect_uri == f"http://localhost:{receiver.port}/signin-callback"
        async with httpx.AsyncClient(trust_env=False) as http:
            url = f"http://127.0.0.1:{receiver.port}/signin-callback"
            page = await http.get(url, params={"code": "abc", "state": "state-1"})
        assert page.status_code == 200
        assert "close this window" in page.text
        assert "abc" not in page.text
        answer = await receiver.wait(5)
    assert answer.code == "abc"
    assert answer.error == ""
    assert "abc" not in repr(answer)


async def test_receiver_ignores_a_foreign_state_then_times_out() -> None:
    """An answer with another state is refused; with no valid answer the wait ends in an error."""
    async with LoopbackReceiver("mine") as receiver:
        async with httpx.AsyncClient(trust_env=False) as http:
            url = f"http://127.0.0.1:{receiver.port}/signin-callback"
            page = await http.get(url, params={"code": "evil", "state": "theirs"})
        assert page.status_code == 400
        with pytest.raises(CloudAuthError) as info:
            await receiver.wait(0.2)
    assert info.value.code == "timeout"


async def test_receiver_reports_a_refusal() -> None:
    """error=access_denied comes back as the result's error, with a page that says so."""
    async with LoopbackReceiver("s") as receiver:
        async with httpx.AsyncClient(trust_env=False) as http:
            url = f"http://127.0.0.1:{receiver.port}/signin-callback"
            page = await http.get(url, params={"error": "access_denied", "state": "s"})
        assert "not completed" in page.text
        answer = await receiver.wait(5)
    assert answer.error == "access_denied"
    assert answer.code == ""


async def test_receiver_uses_the_requested_port() -> None:
    """A profile's fixed redirect port is honoured (it must match the app registration)."""
    async with LoopbackReceiver("a") as first:
        port = first.port
    async with LoopbackReceiver("b", port=port) as second:
        assert second.port == port
