"""Long-lived cloud secrets (refresh tokens, client secrets, API keys) in the OS keyring only.

Why a wrapper: keyring's fallback on a machine without a usable backend is a "fail" backend that
raises on every call. The app must still work there, so the store then keeps secrets in memory for
this session only and reports ``persistent == False``; the UI then asks for them each session.
Secrets never go to a file, a log line, a repr or an exception message.
"""

from __future__ import annotations

import logging
from enum import StrEnum

import keyring
import keyring.backends.fail
import keyring.backends.null
import keyring.errors

log = logging.getLogger(__name__)
DEFAULT_SERVICE = "thread-commissioner"
# Backends that accept calls but store nothing (or refuse everything): not a real keyring.
_NOT_PERSISTENT = (keyring.backends.fail.Keyring, keyring.backends.null.Keyring)


class SecretKind(StrEnum):
    """What a stored secret is; part of the keyring user name so kinds never collide."""

    REFRESH_TOKEN = "refresh_token"
    CLIENT_SECRET = "client_secret"
    API_KEY = "api_key"


class SecretStore:
    """Secrets per (cloud profile, kind): in the OS keyring when there is one, else in memory."""

    def __init__(self, service: str = DEFAULT_SERVICE) -> None:
        self.service = service
        self._memory: dict[tuple[str, SecretKind], str] = {}

    def __repr__(self) -> str:
        return f"SecretStore(service={self.service!r}, persistent={self.persistent})"

    @property
    def persistent(self) -> bool:
        """True when secrets survive a restart (a real keyring backend is active)."""
        try:
            backend = keyring.get_keyring()
        except Exception:  # a broken keyring configuration must not break the app
            return False
        if isinstance(backend, _NOT_PERSISTENT):
            return False
        chained = getattr(backend, "backends", None)
        return not (isinstance(chained, list) and not chained)

    def get(self, profile_name: str, kind: SecretKind) -> str | None:
        """The secret, from this session's memory first, else from the keyring; None if unknown."""
        value = self._memory.get((profile_name, kind))
        if value is not None or not self.persistent:
            return value
        try:
            stored: str | None = keyring.get_password(self.service, _user(profile_name, kind))
        except keyring.errors.KeyringError as exc:
            log.warning("Keyring read failed for %s of %r: %s", kind, profile_name, type(exc))
            return None
        if stored:
            self._memory[(profile_name, kind)] = stored
        return stored or None

    def set(self, profile_name: str, kind: SecretKind, value: str) -> bool:
        """Remember ``value``; returns True when it was also written to the OS keyring."""
        self._memory[(profile_name, kind)] = value
        if not self.persistent:
            return False
        try:
            keyring.set_password(self.service, _user(profile_name, kind), value)
        except keyring.errors.KeyringError as exc:
            log.warning("Keyring write failed for %s of %r: %s", kind, profile_name, type(exc))
            return False
        return True

    def delete(self, profile_name: str, kind: SecretKind) -> None:
        """Forget the secret in memory and in the keyring (missing entries are fine)."""
        self._memory.pop((profile_name, kind), None)
        if not self.persistent:
            return
        try:
            keyring.delete_password(self.service, _user(profile_name, kind))
        except keyring.errors.PasswordDeleteError:
            pass  # nothing was stored
        except keyring.errors.KeyringError as exc:
            log.warning("Keyring delete failed for %s of %r: %s", kind, profile_name, type(exc))


def _user(profile_name: str, kind: SecretKind) -> str:
    return f"{profile_name}:{kind.value}"
