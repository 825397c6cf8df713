"""Moderator accounts: signing in with limits kept in the store, and the command that manages them.

Each moderator has an account in the store (:meth:`geo.store.Store.add_moderator`): a
name and a scrypt hash made by :func:`geo.community.hash_password`. The audit log
records the account's name, never text typed at sign-in.

Failed sign-ins are counted in the store per account name and per client address
(:meth:`geo.store.Store.client_key`), so a new browser session, another tab or a
restart of the app starts with the same limits. After the n-th failure in a row of
either, both are locked for ``min(LOCK_BASE_S * 2**(n-1), LOCK_MAX_S)`` seconds (1, 2,
4 ... 15 minutes); a try while locked is refused without checking the password and is
logged but not counted. A successful sign-in clears both counts; a count is forgotten
a day after its last failure (:data:`geo.store.FAILURE_MEMORY`). Every failure is
logged (a warning on the ``geo.moderators`` logger and a row of
:meth:`geo.store.Store.sign_in_log`).

The old single shared password (``CARE_ATLAS_MODERATOR_PASSWORD_HASH``) is deprecated:
while it is set and the store has no account named ``"moderator"``, signing in as
``moderator`` with that password creates that account from the hash (once, with a
warning); from then on the account in the store is used and the setting is ignored.

Command line (``python -m geo moderator ...``)::

    python -m geo moderator add NAME       # asks for the password twice (or one line on stdin)
    python -m geo moderator passwd NAME
    python -m geo moderator remove NAME
    python -m geo moderator list
"""

from __future__ import annotations

import functools
import logging
import sys
from dataclasses import dataclass

from geo.community import hash_password, read_new_password, verify_password
from geo.settings import Settings
from geo.store import ModeratorNotFoundError, Store, open_store

log = logging.getLogger(__name__)

LOCK_BASE_S = 1.0
"""Lockout after the first failed sign-in, in seconds; it doubles with each failure."""
LOCK_MAX_S = 900.0
"""Longest lockout, in seconds (15 minutes)."""
LEGACY_ACCOUNT = "moderator"
"""The account the deprecated ``CARE_ATLAS_MODERATOR_PASSWORD_HASH`` becomes."""
LEGACY_WARNING = (
    "CARE_ATLAS_MODERATOR_PASSWORD_HASH is deprecated: it signs in only as the account "
    "'moderator', which it creates in the store once. Create one account per moderator "
    "with `python -m geo moderator add NAME` and unset the setting."
)


def lock_seconds(failures: int) -> float:
    """Return the lockout after the ``failures``-th failed sign-in in a row, in seconds."""
    return float(min(LOCK_BASE_S * 2 ** max(failures - 1, 0), LOCK_MAX_S))


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in.

    Attributes
    ----------
    account
        The account's name when the password was right, else ``None``.
    wait_s
        Seconds before the next try is checked (0 when signed in).
    locked
        The try came while locked, so the password was not checked.
    """

    account: str | None
    wait_s: float = 0.0
    locked: bool = False


def throttle_keys(name: str, client: str) -> list[str]:
    """Return the store's throttle keys of an account name and a client key."""
    return [f"account:{name.strip().casefold()}", f"client:{client}"]


def sign_in(
    store: Store, name: str, password: str, *, client: str, legacy_hash: str = ""
) -> SignIn:
    """Check a moderator's name and password, counting failures in the store.

    Parameters
    ----------
    store
        The open store.
    name, password
        What was typed.
    client
        The client's key (:meth:`geo.store.Store.client_key` of its address).
    legacy_hash
        The deprecated ``CARE_ATLAS_MODERATOR_PASSWORD_HASH``, or empty.

    Returns
    -------
    SignIn
        The account signed in, or how long to wait before the next try.
    """
    name = name.strip() if isinstance(name, str) else ""
    keys = throttle_keys(name, client)
    wait = store.sign_in_wait_s(keys)
    if wait > 0:
        store.record_sign_in_failure(
            keys, name=name, client=client, lock_s=lock_seconds, event="locked"
        )
        log.warning("Moderator sign-in as %r refused while locked (client %s)", name, client)
        return SignIn(None, wait, locked=True)
    stored = store.moderator_password_hash(name) if name else None
    from_legacy = stored is None and bool(legacy_hash) and name == LEGACY_ACCOUNT
    expected = legacy_hash if from_legacy else stored
    # an unknown name costs the same scrypt as a known one
    try:
        matches = verify_password(password, expected or _dummy_hash())
    except ValueError:
        # a malformed stored hash or setting: nobody signs in with it, and the operator is told
        log.error("The password hash of moderator %r is malformed; reset it with `passwd`", name)
        matches = False
    if expected is not None and matches:
        if from_legacy:
            store.add_moderator(LEGACY_ACCOUNT, password_hash=legacy_hash)
            log.warning("Created the account %r from the old setting. %s", name, LEGACY_WARNING)
        store.record_sign_in(keys, name=name, client=client)
        log.info("Moderator %r signed in (client %s)", name, client)
        return SignIn(name)
    wait = store.record_sign_in_failure(keys, name=name, client=client, lock_s=lock_seconds)
    log.warning("Failed moderator sign-in as %r (client %s); locked for %.0f s", name, client, wait)
    return SignIn(None, wait)


def enabled(store: Store, settings: Settings) -> bool:
    """Whether anyone can sign in: an account exists, or the deprecated setting is set."""
    return bool(settings.moderator_password_hash) or bool(store.moderators())


@functools.cache
def _dummy_hash() -> str:
    return hash_password("no account has this password")


# --------------------------------------------------------------------------- command line


def main(action: str, name: str | None, *, settings: Settings) -> int:
    """Run ``python -m geo moderator ACTION [NAME]``; return the exit code.

    ``add`` and ``passwd`` read the new password twice at a terminal (not echoed), or
    one line from standard input. Messages go to standard error, ``list`` to standard
    output.
    """
    if settings.moderator_password_hash:
        sys.stderr.write(LEGACY_WARNING + "\n")
    with open_store(settings) as store:
        if action == "list":
            for account in store.moderators():
                sys.stdout.write(
                    f"{account.name}\tcreated {account.created_at[:19]}Z"
                    f"\tpassword set {account.updated_at[:19]}Z\n"
                )
            return 0
        if not name or not name.strip():
            sys.stderr.write(f"moderator {action} needs the account's NAME.\n")
            return 2
        try:
            if action == "remove":
                store.remove_moderator(name)
                sys.stderr.write(f"Removed the moderator account {name!r}.\n")
                return 0
            if action == "passwd" and store.moderator_password_hash(name) is None:
                raise ModeratorNotFoundError(f"No moderator account is named {name!r}.")
            if action == "add" and store.moderator_password_hash(name.strip()) is not None:
                raise ValueError(f"A moderator account named {name.strip()!r} exists already.")
            password = read_new_password()
            if password is None:
                return 2
            if action == "add":
                account = store.add_moderator(name, password_hash=hash_password(password))
                sys.stderr.write(f"Added the moderator account {account.name!r}.\n")
            else:
                store.set_moderator_password(name, password_hash=hash_password(password))
                sys.stderr.write(f"Changed the password of {name!r}.\n")
        except (ValueError, ModeratorNotFoundError) as exc:
            sys.stderr.write(f"{exc}\n")
            return 2
    return 0
