"""SecretStore keeps secrets in the OS keyring when there is one, else in memory for the session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import keyring
import keyring.backends.fail
import pytest

from commissioner.core.cloud.secrets import DEFAULT_SERVICE, SecretKind, SecretStore


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """The fail backend, as on a machine without a usable keyring."""
    previous: Any = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def test_persistent_store_survives_a_new_store(memory_keyring: Any) -> None:
    """A secret written by one store is read by the next one (i.e. after a restart)."""
    store = SecretStore()
    assert store.persistent
    assert store.set("Sim", SecretKind.REFRESH_TOKEN, "rt-1") is True
    assert memory_keyring.passwords[(DEFAULT_SERVICE, "Sim:refresh_token")] == "rt-1"
    assert SecretStore().get("Sim", SecretKind.REFRESH_TOKEN) == "rt-1"
    assert SecretStore().get("Sim", SecretKind.API_KEY) is None


def test_delete_removes_from_keyring_and_memory(memory_keyring: Any) -> None:
    """Deleting forgets the secret everywhere; deleting a missing one is fine."""
    store = SecretStore()
    store.set("Sim", SecretKind.CLIENT_SECRET, "s3cret")
    store.delete("Sim", SecretKind.CLIENT_SECRET)
    store.delete("Sim", SecretKind.CLIENT_SECRET)
    assert store.get("Sim", SecretKind.CLIENT_SECRET) is None
    assert SecretStore().get("Sim", SecretKind.CLIENT_SECRET) is None
    assert memory_keyring.passwords == {}


def test_kinds_and_profiles_do_not_collide(memory_keyring: Any) -> None:
    """Each (profile, kind) pair is its own entry."""
    store = SecretStore()
    store.set("A", SecretKind.API_KEY, "key-a")
    store.set("B", SecretKind.API_KEY, "key-b")
    store.set("A", SecretKind.CLIENT_SECRET, "secret-a")
    fresh = SecretStore()
    assert fresh.get("A", SecretKind.API_KEY) == "key-a"
    assert fresh.get("B", SecretKind.API_KEY) == "key-b"
    assert fresh.get("A", SecretKind.CLIENT_SECRET) == "secret-a"


def test_without_keyring_secrets_live_in_memory_only(no_keyring: None) -> None:
    """With the fail backend nothing persists, but the session still works."""
    store = SecretStore()
    assert not store.persistent
    assert store.set("Sim", SecretKind.API_KEY, "key-1") is False
    assert store.get("Sim", SecretKind.API_KEY) == "key-1"
    assert SecretStore().get("Sim", SecretKind.API_KEY) is None
    store.delete("Sim", SecretKind.API_KEY)
    assert store.get("Sim", SecretKind.API_KEY) is None


def test_repr_shows_no_secret(memory_keyring: Any) -> None:
    """The store's repr names the service, never a value."""
    store = SecretStore()
    store.set("Sim", SecretKind.API_KEY, "very-secret-key")
    assert "very-secret-key" not in repr(store)
