"""geo.moderators: signing in against accounts in the store, lockouts, the command line."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo import moderators
from geo.community import hash_password, verify_password
from geo.settings import PROJECT_DIR, Settings
from geo.store import Store, open_store

PASSWORD = "correct horse battery"  # noqa: S105 (a test password)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    handle = open_store(Settings(store_path=tmp_path / "store.sqlite"))
    handle.add_moderator("Ana", password_hash=hash_password(PASSWORD))
    yield handle
    handle.close()


def test_lock_seconds_double_up_to_the_cap() -> None:
    assert [moderators.lock_seconds(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]
    assert moderators.lock_seconds(30) == moderators.LOCK_MAX_S == 900.0


def test_sign_in_checks_the_account_and_counts_failures(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    client = store.client_key("203.0.113.9")
    assert moderators.sign_in(store, "Ana", PASSWORD, client=client).account == "Ana"
    with caplog.at_level(logging.WARNING, logger="geo.moderators"):
        failed = moderators.sign_in(store, "Ana", "wrong password", client=client)
    assert failed.account is None and not failed.locked
    assert failed.wait_s == pytest.approx(1.0, abs=0.5)
    assert "Failed moderator sign-in as 'Ana'" in caplog.text
    # at once again, even with the right password: refused without checking it
    locked = moderators.sign_in(store, "Ana", PASSWORD, client=client)
    assert locked.account is None and locked.locked
    # the same client is locked for another account too; another client is not
    other = moderators.sign_in(store, "Beto", PASSWORD, client=client)
    assert other.locked
    assert moderators.sign_in(store, "Nadie", PASSWORD, client="client-x").account is None
    events = list(store.sign_in_log()["event"])
    assert events == ["failed", "locked", "locked", "failed", "signed_in"]


def test_a_signed_in_account_clears_its_failures(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(moderators, "LOCK_BASE_S", 0.0)
    for _ in range(3):
        moderators.sign_in(store, "Ana", "wrong password", client="c")
    assert moderators.sign_in(store, "Ana", PASSWORD, client="c").account == "Ana"
    keys = moderators.throttle_keys("Ana", "c")
    monkeypatch.setattr(moderators, "LOCK_BASE_S", 100.0)
    moderators.sign_in(store, "Ana", "wrong password", client="c")
    assert store.sign_in_wait_s(keys) == pytest.approx(100, abs=2)  # counted from 1 again


def test_the_old_setting_signs_in_only_as_moderator_once(store: Store) -> None:
    legacy = hash_password("old shared password")
    for name in ("Ana", "Carla"):  # the shared password no longer works for any name
        result = moderators.sign_in(
            store, name, "old shared password", client="c1", legacy_hash=legacy
        )
        assert result.account is None
    result = moderators.sign_in(
        store, "moderator", "old shared password", client="c2", legacy_hash=legacy
    )
    assert result.account == "moderator"
    assert store.moderator_password_hash("moderator") == legacy
    # from then on the account in the store is used, whatever the setting says
    other = hash_password("another shared password")
    result = moderators.sign_in(
        store, "moderator", "another shared password", client="c3", legacy_hash=other
    )
    assert result.account is None


# --------------------------------------------------------------------------- command line


def test_cli_add_list_passwd_remove(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(store_path=tmp_path / "cli.sqlite")

    def run(action: str, name: str | None, stdin: str = "") -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        return moderators.main(action, name, settings=settings)

    assert run("add", "Ana", PASSWORD + "\n") == 0
    assert "Added the moderator account 'Ana'" in capsys.readouterr().err
    assert run("add", "Ana", PASSWORD + "\n") == 2
    assert "exists already" in capsys.readouterr().err
    assert run("add", "Beto", "short\n") == 2
    assert "shorter" in capsys.readouterr().err
    assert run("list", None) == 0
    out = capsys.readouterr().out
    assert out.startswith("Ana\tcreated ") and "Beto" not in out and "scrypt" not in out
    assert run("passwd", "Ana", "a new long password\n") == 0
    with open_store(settings) as handle:
        assert verify_password("a new long password", handle.moderator_password_hash("Ana"))
    assert run("passwd", "Nadie", "a new long password\n") == 2
    assert "No moderator account" in capsys.readouterr().err
    assert run("remove", "Ana") == 0
    assert run("remove", "Ana") == 2
    assert run("add", None) == 2
    with open_store(settings) as handle:
        assert handle.moderators() == []


def test_cli_reads_the_password_twice_at_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    settings = Settings(store_path=tmp_path / "tty.sqlite")
    monkeypatch.setattr("sys.stdin", Tty())
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert moderators.main("add", "Ana", settings=settings) == 2
    assert "differ" in capsys.readouterr().err
    answers = iter([PASSWORD, PASSWORD])
    assert moderators.main("add", "Ana", settings=settings) == 0
    with open_store(settings) as handle:
        assert [m.name for m in handle.moderators()] == ["Ana"]


def test_python_m_geo_moderator(tmp_path: Path) -> None:
    env = {**os.environ, "CARE_ATLAS_STORE_PATH": str(tmp_path / "m.sqlite")}
    env.pop("CARE_ATLAS_DATABASE_URL", None)
    env.pop("CARE_ATLAS_MODERATOR_PASSWORD_HASH", None)

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "geo", "moderator", *args],
            cwd=PROJECT_DIR,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            check=False,
        )

    added = run("add", "Ana María", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    listed = run("list")
    assert listed.returncode == 0 and listed.stdout.startswith("Ana María\t")
    assert run("frobnicate").returncode == 2


def test_a_malformed_hash_signs_nobody_in(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    result = moderators.sign_in(
        store, "moderator", PASSWORD, client="c", legacy_hash="scrypt$not$a$real$hash$x"
    )
    assert result.account is None
    assert "malformed" in caplog.text
