"""Moderator accounts, failed sign-ins and lockouts (per account and per client)."""

from __future__ import annotations

import abc
import datetime as dt
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from geo.errors import ModeratorNotFoundError
from geo.store.base import StoreBase, _checked_limit, _iso, _now

log = logging.getLogger(__name__)

MAX_ACCOUNT_NAME_CHARS = 80
"""Longest moderator account name."""
SIGN_IN_LOG_COLUMNS = ("at", "event", "name", "client")
SIGN_IN_EVENTS = ("failed", "locked", "signed_in")
FAILURE_MEMORY = dt.timedelta(days=1)
"""Failed sign-ins older than this (since the last one) are forgotten.

Read as ``geo.store.FAILURE_MEMORY`` when a failure is counted (:func:`_failure_memory`),
so setting it there (a test shortening it) takes effect."""


def _failure_memory() -> dt.timedelta:
    """Return :data:`FAILURE_MEMORY` as the package ``geo.store`` holds it now."""
    from geo import store

    return store.FAILURE_MEMORY


@dataclass(frozen=True, kw_only=True)
class SignInFailure:
    """One failed sign-in, as a backend records it against each throttle key."""

    at: dt.datetime
    forget_before: dt.datetime
    """Failures of a key older than this are forgotten (its count starts again)."""
    lock_s: Callable[[int], float]
    """Seconds of lockout after the n-th failure in a row."""
    log_row: tuple[str, str, str, str]
    """``(at, event, name, client)`` for the sign-in log."""


@dataclass(frozen=True)
class Moderator:
    """A moderator account (its password hash is never returned with it)."""

    name: str
    created_at: str
    updated_at: str


class AccountStore(StoreBase):
    """Moderator accounts and sign-in limits (the backend implements the ``_`` hooks)."""

    def add_moderator(self, name: str, *, password_hash: str) -> Moderator:
        """Create a moderator account.

        Parameters
        ----------
        name
            The account name, 1-80 characters, no control characters (kept as given,
            stripped; it is what the audit log shows).
        password_hash
            ``scrypt$...`` from :func:`geo.community.hash_password`.

        Raises
        ------
        ValueError
            A bad name or hash, or an account of this name exists already.
        """
        name = _checked_account(name)
        _checked_hash(password_hash)
        now = _now()
        if not self._put_moderator(name, password_hash, now, create=True):
            raise ValueError(f"A moderator account named {name!r} exists already.")
        log.info("Added moderator account %r", name)
        return Moderator(name, now, now)

    def set_moderator_password(self, name: str, *, password_hash: str) -> None:
        """Replace an account's password hash (ModeratorNotFoundError when unknown)."""
        _checked_hash(password_hash)
        if not self._put_moderator(str(name), password_hash, _now(), create=False):
            raise ModeratorNotFoundError(f"No moderator account is named {name!r}.")
        log.info("Changed the password of moderator account %r", name)

    def remove_moderator(self, name: str) -> None:
        """Delete an account (ModeratorNotFoundError when unknown); its audit rows stay."""
        if not self._delete_moderator(str(name)):
            raise ModeratorNotFoundError(f"No moderator account is named {name!r}.")
        log.info("Removed moderator account %r", name)

    def moderators(self) -> list[Moderator]:
        """Return the moderator accounts, by name."""
        return [Moderator(n, c, u) for n, _h, c, u in self._moderator_rows(None)]

    def moderator_password_hash(self, name: str) -> str | None:
        """Return an account's password hash, or None when no account has this name."""
        if not isinstance(name, str):
            return None
        rows = self._moderator_rows(name)
        return rows[0][1] if rows else None

    def client_key(self, address: str | None) -> str:
        """Return an opaque key for a client address (for limits; not the address itself).

        An HMAC-SHA256 of the address with a random secret kept in the store, so the
        stored key cannot be turned back into the address by trying them all. ``None``
        (address unknown, e.g. a connection from localhost) is one key of its own.
        """
        secret = self._meta_value("client_key_secret", secrets.token_hex(32))
        text = address if isinstance(address, str) and address else "unknown"
        digest = hmac.new(bytes.fromhex(secret), text.encode("utf-8"), hashlib.sha256)
        return "client-" + digest.hexdigest()[:32]

    def sign_in_wait_s(self, keys: Sequence[str], *, now: dt.datetime | None = None) -> float:
        """Return how many seconds the first of ``keys`` stays locked (0 when none is).

        Parameters
        ----------
        keys
            Throttle keys, e.g. ``"account:ana"`` and ``"client:" + client_key``.
        """
        until = self._locked_until(list(keys))
        if until is None:
            return 0.0
        now = now or dt.datetime.now(dt.UTC)
        return max(0.0, (until - now).total_seconds())

    def record_sign_in_failure(
        self,
        keys: Sequence[str],
        *,
        name: str,
        client: str,
        lock_s: Callable[[int], float],
        event: str = "failed",
    ) -> float:
        """Count a failed sign-in against every key, lock them, log it; one transaction.

        Parameters
        ----------
        keys
            Throttle keys (account and client).
        name, client
            What the sign-in log keeps: the name typed (cut to 80 characters) and the
            client key.
        lock_s
            Seconds of lockout after the n-th failure in a row of a key.
        event
            ``"failed"`` (a wrong name or password: counted) or ``"locked"`` (a try
            while locked: logged only).

        Returns
        -------
        float
            Seconds until every key is unlocked again.
        """
        if event not in SIGN_IN_EVENTS or event == "signed_in":
            raise ValueError(f"Unknown failed sign-in event {event!r}.")
        now = dt.datetime.now(dt.UTC)
        until = self._record_failure(
            list(keys) if event == "failed" else [],
            SignInFailure(
                at=now,
                forget_before=now - _failure_memory(),
                lock_s=lock_s,
                log_row=(_iso(now), event, str(name)[:MAX_ACCOUNT_NAME_CHARS], str(client)),
            ),
        )
        return max(0.0, (until - now).total_seconds()) if until else 0.0

    def record_sign_in(self, keys: Sequence[str], *, name: str, client: str) -> None:
        """Clear the failures of ``keys`` and log a successful sign-in; one transaction."""
        self._clear_failures(list(keys), log_row=(_now(), "signed_in", name, client))

    def sign_in_log(self, *, limit: int = 200) -> pd.DataFrame:
        """Return the latest sign-in events, newest first (columns :data:`SIGN_IN_LOG_COLUMNS`)."""
        _checked_limit(limit)
        return pd.DataFrame(self._sign_in_rows(limit), columns=list(SIGN_IN_LOG_COLUMNS))

    @abc.abstractmethod
    def _put_moderator(self, name: str, password_hash: str, at: str, *, create: bool) -> bool:
        """Insert (``create``; False if the name exists) or update (False if missing)."""

    @abc.abstractmethod
    def _delete_moderator(self, name: str) -> bool:
        """Delete an account; whether it existed."""

    @abc.abstractmethod
    def _moderator_rows(self, name: str | None) -> list[tuple[str, str, str, str]]:
        """``(name, password_hash, created_at, updated_at)`` of one account or all, by name."""

    @abc.abstractmethod
    def _meta_value(self, key: str, default: str) -> str:
        """The value kept under ``key``, storing ``default`` first when there is none."""

    @abc.abstractmethod
    def _locked_until(self, keys: list[str]) -> dt.datetime | None:
        """The latest ``locked_until`` of these keys (None when none has a row)."""

    @abc.abstractmethod
    def _record_failure(self, keys: list[str], failure: SignInFailure) -> dt.datetime | None:
        """Record a failed sign-in and return the latest state.

        Count a failure per key (from 0 when the last is before ``failure.forget_before``),
        set ``locked_until = at + lock_s(failures)``, add the log row; return the latest.
        """

    @abc.abstractmethod
    def _clear_failures(self, keys: list[str], *, log_row: tuple[str, str, str, str]) -> None:
        """Delete the throttle rows of ``keys`` and add the log row, in one transaction."""

    @abc.abstractmethod
    def _sign_in_rows(self, limit: int) -> list[tuple[str, str, str, str]]:
        """``(at, event, name, client)``, newest first."""


def _checked_account(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValueError("A moderator account needs a name.")
    name = name.strip()
    if len(name) > MAX_ACCOUNT_NAME_CHARS:
        raise ValueError(f"The account name is over {MAX_ACCOUNT_NAME_CHARS} characters.")
    if any(not ch.isprintable() for ch in name):
        raise ValueError("The account name holds control characters: use letters and digits.")
    return name


def _checked_hash(password_hash: object) -> None:
    if not isinstance(password_hash, str) or len(password_hash.split("$")) != 6:
        raise ValueError("The password hash is not a scrypt$<n>$<r>$<p>$<salt>$<hash> hash.")
    if not password_hash.startswith("scrypt$"):
        raise ValueError("The password hash is not a scrypt$<n>$<r>$<p>$<salt>$<hash> hash.")
