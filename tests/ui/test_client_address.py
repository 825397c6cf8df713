"""ui.state.client_address: whose address the sign-in and suggestion limits count."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from geo.settings import get_settings
from ui import state


@pytest.fixture
def context(monkeypatch: pytest.MonkeyPatch):
    def use(*, ip: str | None, forwarded: str | None, trust: bool) -> None:
        headers = {} if forwarded is None else {"X-Forwarded-For": forwarded}
        monkeypatch.setattr(state.st, "context", SimpleNamespace(ip_address=ip, headers=headers))
        monkeypatch.setenv("CARE_ATLAS_TRUST_FORWARDED_FOR", "1" if trust else "")
        get_settings.cache_clear()

    yield use
    get_settings.cache_clear()


def test_the_connection_address_by_default(context) -> None:
    context(ip="203.0.113.5", forwarded="198.51.100.1", trust=False)
    assert state.client_address() == "203.0.113.5"  # a header anyone can send is ignored
    context(ip=None, forwarded=None, trust=False)
    assert state.client_address() is None  # localhost: one shared address


def test_the_proxys_entry_when_trusted(context) -> None:
    # the client may send its own X-Forwarded-For; the proxy appends the real address
    context(ip=None, forwarded="10.0.0.1, 198.51.100.7", trust=True)
    assert state.client_address() == "198.51.100.7"
    context(ip=None, forwarded=" ", trust=True)
    assert state.client_address() is None
