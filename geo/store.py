"""Community submissions: a moderated store of care places proposed by people.

One interface, :class:`Store`, two backends with the same behaviour:

- **SQLite** (the default, embedded, no server): the file at
  :attr:`Settings.store_path <geo.settings.Settings.store_path>`, in WAL mode with
  ``synchronous=FULL``; each geometry is a WKB blob, indexed by an R-tree virtual
  table that is updated in the same transaction as its row.
- **PostGIS** when :attr:`Settings.database_url <geo.settings.Settings.database_url>`
  is set: SQLAlchemy 2 Core, GeoAlchemy2 and psycopg 3; ``geometry(Point, 4326)``
  with a GIST index.

Every write is one transaction, and a write method returns only after ``COMMIT``: when
:meth:`Store.submit` returns, the submission survives a crash of the process, so the
interface may say "saved". A moderation (approve, reject, edit) writes its audit row
(who, when, what, the place before and after, as JSON) in the same transaction as
the change. All SQL is parameterised; no value is ever formatted into a statement.

Moderator accounts (name + scrypt hash, :meth:`Store.add_moderator`), failed sign-ins
and lockouts (per account and per client address, :meth:`Store.record_sign_in_failure`)
live in the store too, so a new browser session starts with the same limits. Saved
stories and scenarios are read by anyone who has their id; changing or deleting one
needs the edit token made when it was saved (kept hashed) or a moderator account.

The store keeps what it is given: checking a submission against the vocabularies and
cleaning its text is :func:`geo.community.validate_place`'s job, done before
:meth:`Store.submit`. The store only refuses what would corrupt it (a non-string
field, a coordinate that is not a finite longitude/latitude).

Example::

    store = open_store(get_settings())
    try:
        place = store.submit(validate_place(new_place, lang="es"))
    finally:
        store.close()
"""

from __future__ import annotations

import abc
import contextlib
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import logging
import math
import secrets
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Self

import geopandas as gpd
import pandas as pd
import shapely
import sqlalchemy as sa
import sqlalchemy.exc
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import URL, Engine

from geo.settings import Settings

log = logging.getLogger(__name__)

STATUSES = ("pending", "approved", "rejected")
ACTIONS = ("approve", "reject", "edit")
SOURCE = "community submission"
SCHEMA_VERSION = 4
MAX_MODERATOR_CHARS = 200
MAX_ACCOUNT_NAME_CHARS = 80
"""Longest moderator account name."""
SIGN_IN_LOG_COLUMNS = ("at", "event", "name", "client")
SIGN_IN_EVENTS = ("failed", "locked", "signed_in")
FAILURE_MEMORY = dt.timedelta(days=1)
"""Failed sign-ins older than this (since the last one) are forgotten."""
# Columns of :meth:`Store.approved`, like the bundled point layers (plus the community ones).
APPROVED_COLUMNS = (
    "id",
    "name",
    "kind",
    "operator",
    "populations",
    "services",
    "country",
    "city",
    "place_name",
    "hours",
    "contact",
    "description_es",
    "description_en",
    "source",
    "location_precision",
    "community_sourced",
    "last_verified",
)
AUDIT_COLUMNS = ("at", "place_id", "action", "moderator", "changed", "before", "after")


MAX_SCENARIO_BYTES = 256 * 1024
"""Largest scenario payload (JSON) the store accepts."""
MAX_SCENARIO_NAME = 120


class StoreError(RuntimeError):
    """The store cannot be opened or used (unreachable server, missing PostGIS, newer schema)."""


class ScenarioNotFoundError(LookupError):
    """No scenario has this id."""


class StoryNotFoundError(LookupError):
    """No story has this id."""


# Saved documents: kind -> table (fixed names, never from input), id prefix, not-found error.
_TABLES = {"scenario": "scenarios", "story": "stories"}
_ID_PREFIX = {"scenario": "sc-", "story": "st-"}


def _not_found(kind: str, item_id: object) -> LookupError:
    error = ScenarioNotFoundError if kind == "scenario" else StoryNotFoundError
    return error(f"No saved {kind} has id {item_id!r}.")


class PlaceNotFoundError(LookupError):
    """No place with this id is in the store."""


class ModeratorNotFoundError(LookupError):
    """No moderator account has this name."""


class EditDeniedError(PermissionError):
    """Changing a saved story or scenario needs its edit token or a moderator account."""


@dataclass(frozen=True)
class Moderator:
    """A moderator account (its password hash is never returned with it)."""

    name: str
    created_at: str
    updated_at: str


@dataclass(frozen=True, kw_only=True)
class NewPlace:
    """A care place as a person submits it (before moderation).

    Attributes
    ----------
    name
        The place's name.
    kind, operator
        Codes from :data:`geo.vocab.KINDS` and :data:`geo.vocab.OPERATORS`.
    populations, services
        ``;``-separated codes from :data:`geo.vocab.POPULATIONS` and
        :data:`geo.vocab.SERVICES`.
    lon, lat
        Position in degrees (EPSG:4326).
    place_name
        Address, neighbourhood or landmark, as the person wrote it.
    hours, contact
        Opening hours and the service's public contact, free text.
    how_known
        How the person knows the place (for the moderators; never published).
    submitter
        An opaque key of the submitting client (:meth:`Store.client_key` of its
        address), for rate limiting; not the address itself.
    country
        ISO 3166-1 alpha-2 code (``"CO"``), or empty when unknown.
    city
        City or municipality, or empty.
    location_precision
        A code from :data:`geo.vocab.PRECISIONS`; ``"exact"`` for a point put on the map.
    """

    name: str
    kind: str
    populations: str
    services: str
    operator: str
    lon: float
    lat: float
    place_name: str = ""
    hours: str = ""
    contact: str = ""
    how_known: str = ""
    submitter: str = ""
    country: str = ""
    city: str = ""
    location_precision: str = "exact"


NEW_PLACE_FIELDS = tuple(f.name for f in dataclasses.fields(NewPlace))
TEXT_FIELDS = tuple(name for name in NEW_PLACE_FIELDS if name not in ("lon", "lat"))


@dataclass(frozen=True, kw_only=True)
class Place(NewPlace):
    """A stored place: the submission, its id and its moderation state.

    Attributes
    ----------
    id
        Identifier given by the store (``"cs-"`` and 32 hex digits).
    status
        ``"pending"``, ``"approved"`` or ``"rejected"``.
    submitted_at
        When it was submitted, ISO 8601 in UTC (``2026-01-31T14:05:09.123456+00:00``).
    verified_at
        When a moderator last approved or edited it while approved (ISO 8601, UTC),
        ``None`` while pending or once rejected.
    moderated_by
        The last moderator who acted on it, ``None`` while untouched.

    The other attributes are those of :class:`NewPlace`.
    """

    id: str
    status: str = "pending"
    submitted_at: str
    verified_at: str | None = None
    moderated_by: str | None = None

    def as_new(self) -> NewPlace:
        """Return the submitted fields, e.g. to validate a moderator's edit."""
        return NewPlace(**{name: getattr(self, name) for name in NEW_PLACE_FIELDS})


# --------------------------------------------------------------------------- interface


@dataclass(frozen=True)
class StoredScenario:
    """A saved scenario or story: its id (shared in URLs), name, payload and times.

    The payload is a JSON object (:meth:`geo.scenarios.Scenario.to_dict`); the store
    keeps it as given and does not interpret it.
    """

    id: str
    name: str
    payload: dict[str, Any]
    created_at: str
    updated_at: str
    edit_token: str = dataclasses.field(default="", repr=False, compare=False)
    """The secret that lets its holder change it: set only on the value returned when a
    new one is saved (the store keeps only its hash), empty otherwise."""


class Store(abc.ABC):
    """Community submissions, moderation and the audit log, on SQLite or PostGIS.

    Open one with :func:`open_store`; close it with :meth:`close` (or use it as a
    context manager). A store may be shared between threads.
    """

    backend: ClassVar[str]

    # ---- public API, the same on both backends

    def submit(self, place: NewPlace) -> Place:
        """Store a submission as pending; return once it is committed.

        Parameters
        ----------
        place
            The submission, already checked by :func:`geo.community.validate_place`.

        Returns
        -------
        Place
            The stored place, with its new id, ``status="pending"`` and ``submitted_at``.
        """
        checked = _checked_new(place)
        stored = Place(
            id=f"cs-{uuid.uuid4().hex}",
            **dataclasses.asdict(checked),
            status="pending",
            submitted_at=_now(),
        )
        self._insert(stored)
        log.info("Stored community submission %s (pending)", stored.id)
        return stored

    def pending(self, *, limit: int | None = None, offset: int = 0) -> list[Place]:
        """Return the submissions waiting for moderation, oldest first.

        Parameters
        ----------
        limit
            At most this many (a page of the queue); ``None`` for all.
        offset
            Skip this many first (``offset=page * limit`` for a page).
        """
        limit, offset = _checked_page(limit, offset)
        return self._select(status="pending", limit=limit, offset=offset)

    def count_pending(self) -> int:
        """Return how many submissions wait for moderation."""
        return self._count_status("pending")

    def get(self, place_id: str) -> Place:
        """Return one place, whatever its status.

        Raises
        ------
        PlaceNotFoundError
            No place has this id.
        """
        found = self._select(place_id=place_id)
        if not found:
            raise PlaceNotFoundError(f"No community place has id {place_id!r}.")
        return found[0]

    def moderate(
        self,
        place_id: str,
        *,
        action: str,
        moderator: str,
        changes: Mapping[str, object] | None = None,
    ) -> Place:
        """Approve, reject or edit a place, with its audit row, in one transaction.

        Parameters
        ----------
        place_id
            The place to act on.
        action
            ``"approve"`` (publish it, optionally with ``changes``), ``"reject"`` (hide
            it; no ``changes``) or ``"edit"`` (change fields, keep the status).
        moderator
            Who acts (a moderator's name or handle), kept in the place and the audit log.
        changes
            New values for fields of :class:`NewPlace` (check the edited place with
            :func:`geo.community.validate_place` first).

        Returns
        -------
        Place
            The place after the change, once committed.

        Raises
        ------
        PlaceNotFoundError
            No place has this id.
        ValueError
            Unknown action or field, an empty moderator, ``changes`` with ``"reject"``
            or none with ``"edit"``, a bad coordinate.
        """
        if action not in ACTIONS:
            raise ValueError(f"Unknown moderation action {action!r}: use one of {ACTIONS}.")
        if not isinstance(moderator, str) or not moderator.strip():
            raise ValueError("A moderation needs the moderator's name: pass moderator='...'.")
        if len(moderator) > MAX_MODERATOR_CHARS:
            raise ValueError(f"The moderator's name is over {MAX_MODERATOR_CHARS} characters.")
        updates = _checked_changes(changes or {})
        if action == "reject" and updates:
            raise ValueError("A rejection takes no changes: edit first, or approve with changes.")
        if action == "edit" and not updates:
            raise ValueError("An edit needs changes: pass changes={'field': value, ...}.")
        now = _now()

        def apply(before: Place) -> Place:
            if action == "approve":
                status, verified_at = "approved", now
            elif action == "reject":
                status, verified_at = "rejected", None
            else:
                status = before.status
                verified_at = now if status == "approved" else before.verified_at
            after = dataclasses.replace(
                before,
                **updates,
                status=status,
                verified_at=verified_at,
                moderated_by=moderator,
            )
            _checked_new(after.as_new())
            return after

        after = self._moderate(place_id, apply, action=action, moderator=moderator, at=now)
        log.info("Moderation %s on %s by %s", action, place_id, moderator)
        return after

    def approved(
        self,
        *,
        bbox: tuple[float, float, float, float] | None = None,
        limit: int | None = None,
    ) -> gpd.GeoDataFrame:
        """Return the approved places as a point layer like the bundled ones.

        Parameters
        ----------
        bbox
            ``(min_lon, min_lat, max_lon, max_lat)`` in degrees: only places inside it
            (edges included), found through the spatial index (R-tree, GIST). ``None``
            for all. :func:`geo.viewport.view_bbox` gives the box of a map view.
        limit
            At most this many places, the earliest submitted first (ask for one more
            than you show to know whether there were more); ``None`` for all.

        Returns
        -------
        geopandas.GeoDataFrame
            EPSG:4326 points with the columns :data:`APPROVED_COLUMNS`:
            ``source="community submission"``, ``community_sourced=True``,
            ``last_verified`` the date (``YYYY-MM-DD``, UTC) of the last approval, empty
            descriptions. ``how_known`` and ``submitter`` are never included.
        """
        if bbox is not None:
            bbox = _checked_bbox(bbox)
        limit, _ = _checked_page(limit, 0)
        places = self._select(status="approved", bbox=bbox, limit=limit)
        if bbox is not None:
            # The indexes keep 32-bit float boxes, rounded outwards: trim to the exact box.
            min_lon, min_lat, max_lon, max_lat = bbox
            places = [
                p for p in places if min_lon <= p.lon <= max_lon and min_lat <= p.lat <= max_lat
            ]
        return _approved_frame(places)

    def audit_log(self, *, limit: int = 200) -> pd.DataFrame:
        """Return the latest moderations, newest first.

        Returns
        -------
        pandas.DataFrame
            Columns :data:`AUDIT_COLUMNS`: ``at`` (ISO 8601, UTC), ``place_id``,
            ``action``, ``moderator``, ``changed`` (the fields whose value changed,
            ``;``-separated) and ``before``/``after`` (the place as JSON, keys sorted).
        """
        if not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be a positive integer, not {limit!r}.")
        rows = []
        for at, place_id, action, moderator, before, after in self._audit_rows(limit):
            changed = [key for key in sorted(after) if before.get(key) != after.get(key)]
            rows.append(
                {
                    "at": at,
                    "place_id": place_id,
                    "action": action,
                    "moderator": moderator,
                    "changed": ";".join(changed),
                    "before": _json(before),
                    "after": _json(after),
                }
            )
        return pd.DataFrame(rows, columns=list(AUDIT_COLUMNS))

    def submissions_since(self, submitter: str, since_iso: str) -> int:
        """Count the submissions of one session since a moment, for rate limiting.

        Parameters
        ----------
        submitter
            The session hash stored in :attr:`NewPlace.submitter`.
        since_iso
            ISO 8601 moment; without a time zone it is taken as UTC.
        """
        return self._count_since(submitter, _parse_iso(since_iso))

    # ---- saved documents: planning scenarios and presentation stories

    def save_scenario(
        self,
        name: str,
        payload: Mapping[str, Any],
        *,
        scenario_id: str | None = None,
        edit_token: str | None = None,
        moderator: str | None = None,
    ) -> StoredScenario:
        """Save a scenario; return once it is committed.

        Parameters
        ----------
        name
            What the planner calls it (1-120 characters once stripped).
        payload
            A JSON object of at most :data:`MAX_SCENARIO_BYTES` bytes.
        scenario_id
            Overwrite this saved scenario (rename or update it); ``None`` saves a new
            one with a new unguessable id and a new edit token.
        edit_token
            To overwrite: the :attr:`StoredScenario.edit_token` returned when it was made.
        moderator
            To overwrite without the token: the name of a moderator account.

        Returns
        -------
        StoredScenario
            The saved scenario; a new one carries its ``edit_token`` (keep it: the
            store keeps only its hash).

        Raises
        ------
        ValueError
            Empty or too long name, payload not a JSON object or too large.
        ScenarioNotFoundError
            ``scenario_id`` is given but no scenario has it.
        EditDeniedError
            ``scenario_id`` is given without its edit token or a moderator account.
        """
        return self._save("scenario", name, payload, scenario_id, edit_token, moderator)

    def get_scenario(self, scenario_id: str) -> StoredScenario:
        """Return one saved scenario (ScenarioNotFoundError when no scenario has the id)."""
        return self._get("scenario", scenario_id)

    def scenarios(self, *, limit: int = 100) -> list[StoredScenario]:
        """Return the saved scenarios, most recently saved first."""
        return self._list("scenario", limit)

    def delete_scenario(
        self, scenario_id: str, *, edit_token: str | None = None, moderator: str | None = None
    ) -> None:
        """Delete a saved scenario, committed on return.

        Raises
        ------
        ScenarioNotFoundError
            No scenario has this id.
        EditDeniedError
            Neither its edit token nor a moderator account was given.
        """
        self._delete("scenario", scenario_id, edit_token, moderator)

    def can_edit_scenario(self, scenario_id: str, edit_token: str | None) -> bool:
        """Whether ``edit_token`` is the edit token of this scenario."""
        return self._token_matches("scenario", scenario_id, edit_token)

    def save_story(
        self,
        name: str,
        payload: Mapping[str, Any],
        *,
        story_id: str | None = None,
        edit_token: str | None = None,
        moderator: str | None = None,
    ) -> StoredScenario:
        """Save a presentation story (:mod:`geo.stories`), as :meth:`save_scenario`.

        Raises
        ------
        ValueError
            Empty or too long name, payload not a JSON object or too large.
        StoryNotFoundError
            ``story_id`` is given but no story has it.
        EditDeniedError
            ``story_id`` is given without its edit token or a moderator account.
        """
        return self._save("story", name, payload, story_id, edit_token, moderator)

    def get_story(self, story_id: str) -> StoredScenario:
        """Return one saved story (StoryNotFoundError when no story has the id)."""
        return self._get("story", story_id)

    def stories(self, *, limit: int = 100) -> list[StoredScenario]:
        """Return the saved stories, most recently saved first."""
        return self._list("story", limit)

    def delete_story(
        self, story_id: str, *, edit_token: str | None = None, moderator: str | None = None
    ) -> None:
        """Delete a saved story, as :meth:`delete_scenario`."""
        self._delete("story", story_id, edit_token, moderator)

    def can_edit_story(self, story_id: str, edit_token: str | None) -> bool:
        """Whether ``edit_token`` is the edit token of this story."""
        return self._token_matches("story", story_id, edit_token)

    def _save(
        self,
        kind: str,
        name: str,
        payload: Mapping[str, Any],
        item_id: str | None,
        edit_token: str | None,
        moderator: str | None,
    ) -> StoredScenario:
        name, text = _checked_scenario(name, payload)
        now = _now()
        if item_id is None:
            token = secrets.token_urlsafe(24)
            stored = StoredScenario(
                id=f"{_ID_PREFIX[kind]}{uuid.uuid4().hex[:16]}",
                name=name,
                payload=json.loads(text),
                created_at=now,
                updated_at=now,
                edit_token=token,
            )
            self._insert_document(kind, stored, text, _token_hash(token))
        else:
            self._authorise(kind, str(item_id), edit_token, moderator)
            created = self._update_document(kind, str(item_id), name, text, now)
            stored = StoredScenario(str(item_id), name, json.loads(text), created, now)
        log.info("Saved %s %s", kind, stored.id)
        return stored

    def _get(self, kind: str, item_id: str) -> StoredScenario:
        found = self._select_documents(kind, item_id=str(item_id), limit=1)
        if not found:
            raise _not_found(kind, item_id)
        return found[0]

    def _list(self, kind: str, limit: int) -> list[StoredScenario]:
        if not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be a positive integer, not {limit!r}.")
        return self._select_documents(kind, item_id=None, limit=limit)

    def _delete(
        self, kind: str, item_id: str, edit_token: str | None, moderator: str | None
    ) -> None:
        self._authorise(kind, str(item_id), edit_token, moderator)
        if not self._delete_document(kind, str(item_id)):
            raise _not_found(kind, item_id)
        log.info("Deleted %s %s%s", kind, item_id, f" (moderator {moderator})" if moderator else "")

    def _token_matches(self, kind: str, item_id: str, edit_token: str | None) -> bool:
        if not isinstance(edit_token, str) or not edit_token:
            return False
        expected = self._document_token_hash(kind, str(item_id))
        return expected is not None and hmac.compare_digest(_token_hash(edit_token), expected)

    def _authorise(
        self, kind: str, item_id: str, edit_token: str | None, moderator: str | None
    ) -> None:
        """Raise unless the document exists and the token is its own, or a moderator acts."""
        self._get(kind, item_id)  # the kind's not-found error first
        if moderator is not None:
            if self.moderator_password_hash(moderator) is None:
                raise EditDeniedError(f"{moderator!r} is not a moderator account.")
            return
        if not self._token_matches(kind, item_id, edit_token):
            raise EditDeniedError(
                f"Changing the saved {kind} {item_id!r} needs its edit link or a moderator."
            )

    @abc.abstractmethod
    def _insert_document(
        self, kind: str, item: StoredScenario, payload: str, token_hash: str
    ) -> None:
        """Insert a new scenario or story row and its token hash, committed on return."""

    @abc.abstractmethod
    def _update_document(self, kind: str, item_id: str, name: str, payload: str, at: str) -> str:
        """Update name and payload; return ``created_at``; raise the kind's not-found error."""

    @abc.abstractmethod
    def _select_documents(
        self, kind: str, *, item_id: str | None, limit: int
    ) -> list[StoredScenario]:
        """One document, or the latest ``limit``, newest ``updated_at`` first."""

    @abc.abstractmethod
    def _delete_document(self, kind: str, item_id: str) -> bool:
        """Delete one document and its token hash; whether it existed."""

    @abc.abstractmethod
    def _document_token_hash(self, kind: str, item_id: str) -> str | None:
        """The stored hash of a document's edit token; None when it has none."""

    # ---- moderator accounts, failed sign-ins and lockouts

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
            at=now,
            forget_before=now - FAILURE_MEMORY,
            lock_s=lock_s,
            log_row=(_iso(now), event, str(name)[:MAX_ACCOUNT_NAME_CHARS], str(client)),
        )
        return max(0.0, (until - now).total_seconds()) if until else 0.0

    def record_sign_in(self, keys: Sequence[str], *, name: str, client: str) -> None:
        """Clear the failures of ``keys`` and log a successful sign-in; one transaction."""
        self._clear_failures(list(keys), log_row=(_now(), "signed_in", name, client))

    def sign_in_log(self, *, limit: int = 200) -> pd.DataFrame:
        """Return the latest sign-in events, newest first (columns :data:`SIGN_IN_LOG_COLUMNS`)."""
        if not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be a positive integer, not {limit!r}.")
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
    def _record_failure(
        self,
        keys: list[str],
        *,
        at: dt.datetime,
        forget_before: dt.datetime,
        lock_s: Callable[[int], float],
        log_row: tuple[str, str, str, str],
    ) -> dt.datetime | None:
        """Count a failure per key (from 0 when the last is before ``forget_before``),
        set ``locked_until = at + lock_s(failures)``, add the log row; return the latest."""

    @abc.abstractmethod
    def _clear_failures(self, keys: list[str], *, log_row: tuple[str, str, str, str]) -> None:
        """Delete the throttle rows of ``keys`` and add the log row, in one transaction."""

    @abc.abstractmethod
    def _sign_in_rows(self, limit: int) -> list[tuple[str, str, str, str]]:
        """``(at, event, name, client)``, newest first."""

    @abc.abstractmethod
    def integrity_check(self) -> str:
        """Return ``"ok"`` when the database is sound, otherwise what is wrong."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the connection(s). The store is unusable afterwards."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ---- what a backend implements

    def _insert(self, place: Place) -> None:
        """Insert one place and its index entry, committed on return."""
        self._insert_many([place])

    @abc.abstractmethod
    def _insert_many(self, places: Sequence[Place]) -> None:
        """Insert places and their index entries in one transaction, committed on return."""

    @abc.abstractmethod
    def _select(
        self,
        *,
        status: str | None = None,
        place_id: str | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Place]:
        """Places matching all given filters, by ``submitted_at`` then ``id``, paged."""

    @abc.abstractmethod
    def _count_status(self, status: str) -> int:
        """How many places have this status."""

    @abc.abstractmethod
    def _moderate(
        self,
        place_id: str,
        apply: Callable[[Place], Place],
        *,
        action: str,
        moderator: str,
        at: str,
    ) -> Place:
        """Lock the row, apply, update row and index, add the audit row; commit."""

    @abc.abstractmethod
    def _audit_rows(
        self, limit: int
    ) -> list[tuple[str, str, str, str, dict[str, Any], dict[str, Any]]]:
        """``(at, place_id, action, moderator, before, after)``, newest first."""

    @abc.abstractmethod
    def _count_since(self, submitter: str, since: dt.datetime) -> int:
        """Submissions by ``submitter`` at or after ``since``."""


def open_store(settings: Settings) -> Store:
    """Open the configured store, creating its schema when missing.

    Parameters
    ----------
    settings
        PostGIS at ``settings.database_url`` when it is set, otherwise SQLite at
        ``settings.store_path`` (its folder is created).

    Raises
    ------
    StoreError
        The database cannot be reached, lacks PostGIS, or has a newer schema.
    ValueError
        ``database_url`` is not a PostgreSQL URL.
    """
    if settings.database_url:
        return PostGISStore(settings.database_url)
    return SQLiteStore(settings.store_path)


# --------------------------------------------------------------------------- SQLite

_SQLITE_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS places (
        rid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        populations TEXT NOT NULL,
        services TEXT NOT NULL,
        operator TEXT NOT NULL,
        place_name TEXT NOT NULL DEFAULT '',
        hours TEXT NOT NULL DEFAULT '',
        contact TEXT NOT NULL DEFAULT '',
        how_known TEXT NOT NULL DEFAULT '',
        submitter TEXT NOT NULL DEFAULT '',
        country TEXT NOT NULL DEFAULT '',
        city TEXT NOT NULL DEFAULT '',
        location_precision TEXT NOT NULL DEFAULT 'exact',
        geom BLOB NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
        submitted_at TEXT NOT NULL,
        verified_at TEXT,
        moderated_by TEXT
    )
    """,
    "CREATE INDEX IF NOT EXISTS places_status_idx ON places (status, submitted_at)",
    "CREATE INDEX IF NOT EXISTS places_submitter_idx ON places (submitter, submitted_at)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS places_rtree USING rtree (rid, min_x, max_x, min_y, max_y)",
    """
    CREATE TABLE IF NOT EXISTS place_audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        place_id TEXT NOT NULL REFERENCES places (id),
        action TEXT NOT NULL CHECK (action IN ('approve', 'reject', 'edit')),
        moderator TEXT NOT NULL,
        at TEXT NOT NULL,
        before_json TEXT NOT NULL,
        after_json TEXT NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS place_audit_place_idx ON place_audit (place_id)",
    # PRAGMA takes no parameters: keep this equal to SCHEMA_VERSION (a test checks it).
    # Version 2: planning scenarios (geo.scenarios), saved by name and shared by id.
    """
    CREATE TABLE IF NOT EXISTS scenarios (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS scenarios_updated_idx ON scenarios (updated_at)",
    # Version 3: presentation stories (geo.stories), same shape as scenarios.
    """
    CREATE TABLE IF NOT EXISTS stories (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS stories_updated_idx ON stories (updated_at)",
    # Version 4: moderator accounts, sign-in limits and log, edit tokens, a key secret.
    """
    CREATE TABLE IF NOT EXISTS moderators (
        name TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS sign_in_throttle (
        key TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        last_failure_at TEXT NOT NULL,
        locked_until TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS sign_in_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        event TEXT NOT NULL CHECK (event IN ('failed', 'locked', 'signed_in')),
        name TEXT NOT NULL,
        client TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS edit_tokens (
        kind TEXT NOT NULL CHECK (kind IN ('scenario', 'story')),
        id TEXT NOT NULL,
        token_hash TEXT NOT NULL,
        PRIMARY KEY (kind, id)
    )
    """,
    "CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "PRAGMA user_version = 4",
)

_SQLITE_INSERT = """
    INSERT INTO places (
        id, name, kind, populations, services, operator, place_name, hours, contact,
        how_known, submitter, country, city, location_precision, geom, status,
        submitted_at, verified_at, moderated_by
    ) VALUES (
        :id, :name, :kind, :populations, :services, :operator, :place_name, :hours, :contact,
        :how_known, :submitter, :country, :city, :location_precision, :geom, :status,
        :submitted_at, :verified_at, :moderated_by
    )
"""
_SQLITE_UPDATE = """
    UPDATE places SET
        name = :name, kind = :kind, populations = :populations, services = :services,
        operator = :operator, place_name = :place_name, hours = :hours, contact = :contact,
        how_known = :how_known, submitter = :submitter, country = :country, city = :city,
        location_precision = :location_precision, geom = :geom, status = :status,
        verified_at = :verified_at, moderated_by = :moderated_by
    WHERE rid = :rid
"""
_SQLITE_SELECT_ID = """
    SELECT rid, id, name, kind, populations, services, operator, place_name, hours, contact,
           how_known, submitter, country, city, location_precision, geom, status,
           submitted_at, verified_at, moderated_by
    FROM places WHERE id = ?
"""
_SQLITE_SELECT_STATUS = """
    SELECT rid, id, name, kind, populations, services, operator, place_name, hours, contact,
           how_known, submitter, country, city, location_precision, geom, status,
           submitted_at, verified_at, moderated_by
    FROM places WHERE status = :status ORDER BY submitted_at, id
    LIMIT :limit OFFSET :offset
"""
# CROSS JOIN keeps the R-tree as the outer loop: SQLite would otherwise walk every row of
# the status and look each one up in the R-tree by rid (a full scan, "INDEX 1").
_SQLITE_SELECT_BBOX = """
    SELECT p.rid, p.id, p.name, p.kind, p.populations, p.services, p.operator, p.place_name,
           p.hours, p.contact, p.how_known, p.submitter, p.country, p.city,
           p.location_precision, p.geom, p.status, p.submitted_at, p.verified_at,
           p.moderated_by
    FROM places_rtree AS r CROSS JOIN places AS p ON p.rid = r.rid
    WHERE p.status = :status
      AND r.min_x <= :max_lon AND r.max_x >= :min_lon
      AND r.min_y <= :max_lat AND r.max_y >= :min_lat
    ORDER BY p.submitted_at, p.id
    LIMIT :limit OFFSET :offset
"""


class SQLiteStore(Store):
    """The embedded store: one SQLite file in WAL mode with an R-tree index.

    Parameters
    ----------
    path
        The database file; its folder is created when missing.
    busy_timeout_s
        How long a write waits for another process's write to finish.
    """

    backend = "sqlite"

    def __init__(self, path: Path, *, busy_timeout_s: float = 10.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        # isolation_level=None: no implicit transactions; every write says BEGIN/COMMIT.
        self._conn = sqlite3.connect(
            self.path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
        )
        try:
            self._conn.row_factory = sqlite3.Row
            mode = self._conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode != "wal":
                log.warning("%s: SQLite refused WAL mode (journal_mode=%s)", self.path, mode)
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: the store's schema is version {version}, newer than this "
                    f"Care Atlas ({SCHEMA_VERSION}); upgrade the app."
                )
            if version < SCHEMA_VERSION:
                with self._transaction() as conn:
                    for statement in _SQLITE_SCHEMA:
                        conn.execute(statement)
                log.info("%s: created the community store schema", self.path)
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StoreError(f"{self.path}: cannot open the SQLite store ({exc}).") from exc
        except BaseException:
            self._conn.close()
            raise

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``), rolled back on error."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self._conn.execute("ROLLBACK")
                raise

    def _insert_many(self, places: Sequence[Place]) -> None:
        with self._transaction() as conn:
            for place in places:
                rid = conn.execute(_SQLITE_INSERT, _row_values(place)).lastrowid
                conn.execute(
                    "INSERT INTO places_rtree (rid, min_x, max_x, min_y, max_y)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (rid, place.lon, place.lon, place.lat, place.lat),
                )

    def _select(
        self,
        *,
        status: str | None = None,
        place_id: str | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Place]:
        page = {"limit": -1 if limit is None else limit, "offset": offset}  # -1: no limit
        with self._lock:
            if bbox is not None:
                min_lon, min_lat, max_lon, max_lat = bbox
                rows = self._conn.execute(
                    _SQLITE_SELECT_BBOX,
                    {
                        "status": status,
                        "min_lon": min_lon,
                        "min_lat": min_lat,
                        "max_lon": max_lon,
                        "max_lat": max_lat,
                        **page,
                    },
                ).fetchall()
            elif place_id is not None:
                rows = self._conn.execute(_SQLITE_SELECT_ID, (place_id,)).fetchall()
            else:
                rows = self._conn.execute(
                    _SQLITE_SELECT_STATUS, {"status": status, **page}
                ).fetchall()
        return [_place_from_row(dict(row)) for row in rows]

    def _count_status(self, status: str) -> int:
        with self._lock:
            row = self._conn.execute(
                "SELECT count(*) FROM places WHERE status = ?", (status,)
            ).fetchone()
        return int(row[0])

    def _moderate(
        self,
        place_id: str,
        apply: Callable[[Place], Place],
        *,
        action: str,
        moderator: str,
        at: str,
    ) -> Place:
        with self._transaction() as conn:
            row = conn.execute(_SQLITE_SELECT_ID, (place_id,)).fetchone()
            if row is None:
                raise PlaceNotFoundError(f"No community place has id {place_id!r}.")
            rid = row["rid"]
            before = _place_from_row(dict(row))
            after = apply(before)
            conn.execute(_SQLITE_UPDATE, {**_row_values(after), "rid": rid})
            conn.execute(
                "UPDATE places_rtree SET min_x = ?, max_x = ?, min_y = ?, max_y = ? WHERE rid = ?",
                (after.lon, after.lon, after.lat, after.lat, rid),
            )
            conn.execute(
                "INSERT INTO place_audit (place_id, action, moderator, at, before_json, after_json)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (place_id, action, moderator, at, _json(_as_dict(before)), _json(_as_dict(after))),
            )
        return after

    def _audit_rows(
        self, limit: int
    ) -> list[tuple[str, str, str, str, dict[str, Any], dict[str, Any]]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT at, place_id, action, moderator, before_json, after_json"
                " FROM place_audit ORDER BY seq DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            (r["at"], r["place_id"], r["action"], r["moderator"], *map(json.loads, r[4:6]))
            for r in rows
        ]

    def _count_since(self, submitter: str, since: dt.datetime) -> int:
        with self._lock:
            row = self._conn.execute(
                "SELECT count(*) FROM places WHERE submitter = ? AND submitted_at >= ?",
                (submitter, _iso(since)),
            ).fetchone()
        return int(row[0])

    # Table names come from _TABLES (fixed), never from input; values are parameters.

    def _insert_document(
        self, kind: str, item: StoredScenario, payload: str, token_hash: str
    ) -> None:
        with self._transaction() as conn:
            conn.execute(
                f"INSERT INTO {_TABLES[kind]} (id, name, payload, created_at, updated_at) "  # noqa: S608
                "VALUES (?, ?, ?, ?, ?)",
                (item.id, item.name, payload, item.created_at, item.updated_at),
            )
            conn.execute(
                "INSERT INTO edit_tokens (kind, id, token_hash) VALUES (?, ?, ?)",
                (kind, item.id, token_hash),
            )

    def _update_document(self, kind: str, item_id: str, name: str, payload: str, at: str) -> str:
        table = _TABLES[kind]
        with self._transaction() as conn:
            row = conn.execute(
                f"SELECT created_at FROM {table} WHERE id = ?",  # noqa: S608
                (item_id,),
            ).fetchone()
            if row is None:
                raise _not_found(kind, item_id)
            conn.execute(
                f"UPDATE {table} SET name = ?, payload = ?, updated_at = ? WHERE id = ?",  # noqa: S608
                (name, payload, at, item_id),
            )
        return str(row[0])

    def _select_documents(
        self, kind: str, *, item_id: str | None, limit: int
    ) -> list[StoredScenario]:
        query = f"SELECT id, name, payload, created_at, updated_at FROM {_TABLES[kind]}"  # noqa: S608
        params: tuple[Any, ...] = ()
        if item_id is not None:
            query += " WHERE id = ?"
            params = (item_id,)
        query += " ORDER BY updated_at DESC, id LIMIT ?"
        with self._lock:
            rows = self._conn.execute(query, (*params, limit)).fetchall()
        return [
            StoredScenario(r["id"], r["name"], json.loads(r["payload"]), r[3], r[4]) for r in rows
        ]

    def _delete_document(self, kind: str, item_id: str) -> bool:
        with self._transaction() as conn:
            deleted = conn.execute(
                f"DELETE FROM {_TABLES[kind]} WHERE id = ?",  # noqa: S608
                (item_id,),
            ).rowcount
            conn.execute("DELETE FROM edit_tokens WHERE kind = ? AND id = ?", (kind, item_id))
        return deleted > 0

    def _document_token_hash(self, kind: str, item_id: str) -> str | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT token_hash FROM edit_tokens WHERE kind = ? AND id = ?", (kind, item_id)
            ).fetchone()
        return None if row is None else str(row[0])

    def _put_moderator(self, name: str, password_hash: str, at: str, *, create: bool) -> bool:
        with self._transaction() as conn:
            if create:
                changed = conn.execute(
                    "INSERT OR IGNORE INTO moderators (name, password_hash, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?)",
                    (name, password_hash, at, at),
                ).rowcount
            else:
                changed = conn.execute(
                    "UPDATE moderators SET password_hash = ?, updated_at = ? WHERE name = ?",
                    (password_hash, at, name),
                ).rowcount
        return changed > 0

    def _delete_moderator(self, name: str) -> bool:
        with self._transaction() as conn:
            return conn.execute("DELETE FROM moderators WHERE name = ?", (name,)).rowcount > 0

    def _moderator_rows(self, name: str | None) -> list[tuple[str, str, str, str]]:
        query = "SELECT name, password_hash, created_at, updated_at FROM moderators"
        params: tuple[str, ...] = ()
        if name is not None:
            query += " WHERE name = ?"
            params = (name,)
        with self._lock:
            rows = self._conn.execute(query + " ORDER BY name", params).fetchall()
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def _meta_value(self, key: str, default: str) -> str:
        with self._lock:
            row = self._conn.execute(
                "SELECT value FROM store_meta WHERE key = ?", (key,)
            ).fetchone()
        if row is not None:
            return str(row[0])
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO store_meta (key, value) VALUES (?, ?)", (key, default)
            )
            return str(
                conn.execute("SELECT value FROM store_meta WHERE key = ?", (key,)).fetchone()[0]
            )

    def _locked_until(self, keys: list[str]) -> dt.datetime | None:
        if not keys:
            return None
        marks = ", ".join("?" * len(keys))
        with self._lock:
            row = self._conn.execute(
                f"SELECT max(locked_until) FROM sign_in_throttle WHERE key IN ({marks})",  # noqa: S608
                keys,
            ).fetchone()
        return None if row[0] is None else _parse_iso(row[0])

    def _record_failure(
        self,
        keys: list[str],
        *,
        at: dt.datetime,
        forget_before: dt.datetime,
        lock_s: Callable[[int], float],
        log_row: tuple[str, str, str, str],
    ) -> dt.datetime | None:
        latest: dt.datetime | None = None
        with self._transaction() as conn:
            for key in keys:
                row = conn.execute(
                    "SELECT failures, last_failure_at FROM sign_in_throttle WHERE key = ?", (key,)
                ).fetchone()
                before = 0 if row is None or _parse_iso(row[1]) < forget_before else row[0]
                failures = int(before) + 1
                until = at + dt.timedelta(seconds=float(lock_s(failures)))
                conn.execute(
                    "INSERT INTO sign_in_throttle (key, failures, last_failure_at, locked_until)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET"
                    " failures = excluded.failures, last_failure_at = excluded.last_failure_at,"
                    " locked_until = excluded.locked_until",
                    (key, failures, _iso(at), _iso(until)),
                )
                latest = until if latest is None else max(latest, until)
            conn.execute(
                "INSERT INTO sign_in_log (at, event, name, client) VALUES (?, ?, ?, ?)", log_row
            )
        return latest

    def _clear_failures(self, keys: list[str], *, log_row: tuple[str, str, str, str]) -> None:
        with self._transaction() as conn:
            conn.executemany("DELETE FROM sign_in_throttle WHERE key = ?", [(k,) for k in keys])
            conn.execute(
                "INSERT INTO sign_in_log (at, event, name, client) VALUES (?, ?, ?, ?)", log_row
            )

    def _sign_in_rows(self, limit: int) -> list[tuple[str, str, str, str]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT at, event, name, client FROM sign_in_log ORDER BY seq DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def integrity_check(self) -> str:
        """Return ``"ok"`` when ``PRAGMA integrity_check`` and the R-tree check pass.

        Otherwise the problems they report, ``;``-separated.
        """
        with self._lock:
            problems = [r[0] for r in self._conn.execute("PRAGMA integrity_check").fetchall()]
            if problems == ["ok"]:
                problems = [self._conn.execute("SELECT rtreecheck('places_rtree')").fetchone()[0]]
        return "; ".join(problems)

    def close(self) -> None:
        """Close the SQLite connection."""
        with self._lock:
            self._conn.close()


# --------------------------------------------------------------------------- PostGIS

# Optional fields of NewPlace and their defaults, as column defaults.
_TEXT_DEFAULTS = {
    f.name: f.default
    for f in dataclasses.fields(NewPlace)
    if f.name in TEXT_FIELDS and f.default is not dataclasses.MISSING
}
_pg_metadata = sa.MetaData()
_pg_places = sa.Table(
    "places",
    _pg_metadata,
    sa.Column("id", sa.Text, primary_key=True),
    *(
        sa.Column(name, sa.Text, nullable=False, server_default=_TEXT_DEFAULTS.get(name))
        for name in TEXT_FIELDS
    ),
    sa.Column(
        "geom", Geometry("POINT", srid=4326, spatial_index=True, nullable=False), nullable=False
    ),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("verified_at", sa.DateTime(timezone=True)),
    sa.Column("moderated_by", sa.Text),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="places_status_check"),
    sa.Index("places_status_idx", "status", "submitted_at"),
    sa.Index("places_submitter_idx", "submitter", "submitted_at"),
)
_pg_audit = sa.Table(
    "place_audit",
    _pg_metadata,
    sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("place_id", sa.Text, sa.ForeignKey("places.id"), nullable=False, index=True),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("moderator", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("before_json", JSONB, nullable=False),
    sa.Column("after_json", JSONB, nullable=False),
    sa.CheckConstraint("action IN ('approve', 'reject', 'edit')", name="place_audit_action_check"),
)
_pg_scenarios = sa.Table(
    "scenarios",
    _pg_metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("payload", JSONB, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, index=True),
)
_pg_stories = sa.Table(
    "stories",
    _pg_metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("payload", JSONB, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, index=True),
)
_PG_DOCUMENTS = {"scenario": _pg_scenarios, "story": _pg_stories}
# Version 4 (as SQLite's): accounts, sign-in limits and log, edit tokens, a key secret.
_pg_moderators = sa.Table(
    "moderators",
    _pg_metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)
_pg_throttle = sa.Table(
    "sign_in_throttle",
    _pg_metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=False),
)
_pg_sign_in_log = sa.Table(
    "sign_in_log",
    _pg_metadata,
    sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("event", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("client", sa.Text, nullable=False),
    sa.CheckConstraint(
        "event IN ('failed', 'locked', 'signed_in')", name="sign_in_log_event_check"
    ),
)
_pg_edit_tokens = sa.Table(
    "edit_tokens",
    _pg_metadata,
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("token_hash", sa.Text, nullable=False),
    sa.CheckConstraint("kind IN ('scenario', 'story')", name="edit_tokens_kind_check"),
)
_pg_meta = sa.Table(
    "store_meta",
    _pg_metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
_PG_NEWEST_TABLE = "store_meta"  # schema creation is skipped when it exists
# Serialises schema creation between processes opening the same database at once.
_PG_SCHEMA_LOCK = 0x43415245  # "CARE"
_PG_PLACE_COLUMNS = (
    _pg_places.c.id,
    *(_pg_places.c[name] for name in TEXT_FIELDS),
    sa.func.ST_AsBinary(_pg_places.c.geom).label("geom"),
    _pg_places.c.status,
    _pg_places.c.submitted_at,
    _pg_places.c.verified_at,
    _pg_places.c.moderated_by,
)


def _pg_select(
    *,
    status: str | None = None,
    place_id: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> sa.Select[Any]:
    """The places query; a bbox is matched with ``&&``, which the GIST index serves."""
    query = sa.select(*_PG_PLACE_COLUMNS)
    if status is not None:
        query = query.where(_pg_places.c.status == status)
    if place_id is not None:
        query = query.where(_pg_places.c.id == place_id)
    if bbox is not None:
        envelope = sa.func.ST_MakeEnvelope(*bbox, 4326)
        query = query.where(_pg_places.c.geom.op("&&")(envelope))
    query = query.order_by(_pg_places.c.submitted_at, _pg_places.c.id)
    if limit is not None:
        query = query.limit(limit)
    return query.offset(offset) if offset else query


def postgis_url(database_url: str) -> URL:
    """Parse a PostgreSQL URL and pin the psycopg 3 driver.

    ``postgres://`` and ``postgresql://`` become ``postgresql+psycopg://``.

    Raises
    ------
    ValueError
        The URL is not a PostgreSQL URL, or names another driver.
    """
    raw = database_url.strip()
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw.removeprefix("postgres://")
    try:
        url = sa.make_url(raw)
    except sqlalchemy.exc.ArgumentError:
        raise ValueError(
            "CARE_ATLAS_DATABASE_URL is not a database URL: use "
            "postgresql+psycopg://user:password@host:5432/database."
        ) from None
    if url.get_backend_name() != "postgresql":
        raise ValueError(
            f"CARE_ATLAS_DATABASE_URL names a {url.get_backend_name()!r} database: the store "
            "needs PostgreSQL with PostGIS (postgresql+psycopg://...), or unset it for SQLite."
        )
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername != "postgresql+psycopg":
        raise ValueError(
            f"CARE_ATLAS_DATABASE_URL uses the driver {url.get_driver_name()!r}: "
            "use postgresql+psycopg:// (psycopg 3)."
        )
    return url


class PostGISStore(Store):
    """The server store: PostgreSQL with PostGIS, through SQLAlchemy Core.

    Parameters
    ----------
    database_url
        ``postgresql+psycopg://user:password@host:port/database`` (``postgresql://``
        is accepted). The database needs the ``postgis`` extension, or a role allowed to
        create it.
    """

    backend = "postgis"

    def __init__(self, database_url: str) -> None:
        url = postgis_url(database_url)
        self._where = url.render_as_string(hide_password=True)
        self._engine: Engine = sa.create_engine(url, pool_size=2, max_overflow=4)
        try:
            self._create_schema()
        except sqlalchemy.exc.OperationalError as exc:
            self._engine.dispose()
            raise StoreError(
                f"Cannot reach the PostGIS store at {self._where}: {_first_line(exc)}"
            ) from exc
        except BaseException:
            self._engine.dispose()
            raise

    def _create_schema(self) -> None:
        with self._engine.begin() as conn:
            newest = sa.select(sa.func.to_regclass(_PG_NEWEST_TABLE))
            if conn.execute(newest).scalar() is not None:
                return
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_SCHEMA_LOCK)))
            has_postgis = conn.execute(
                sa.text("SELECT 1 FROM pg_extension WHERE extname = :name"), {"name": "postgis"}
            ).scalar()
            if not has_postgis:
                try:
                    with conn.begin_nested():
                        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
                except sqlalchemy.exc.DBAPIError as exc:
                    raise StoreError(
                        f"{self._where}: the PostGIS extension is missing and this role cannot "
                        f"create it ({_first_line(exc)}); ask an administrator to run "
                        "'CREATE EXTENSION postgis;' in this database."
                    ) from exc
            _pg_metadata.create_all(conn, checkfirst=True)
        log.info("%s: created the community store schema", self._where)

    def _insert_many(self, places: Sequence[Place]) -> None:
        rows = []
        for place in places:
            row = _pg_values(_row_values(place))
            row["geom_wkb"] = shapely.to_wkb(shapely.Point(place.lon, place.lat))
            del row["geom"]
            rows.append(row)
        if not rows:
            return
        # one statement, executed for every row (psycopg pipelines the batch)
        insert = sa.insert(_pg_places).values(
            geom=sa.func.ST_GeomFromWKB(sa.bindparam("geom_wkb", type_=sa.LargeBinary), 4326)
        )
        with self._engine.begin() as conn:
            conn.execute(insert, rows)

    def _select(
        self,
        *,
        status: str | None = None,
        place_id: str | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Place]:
        query = _pg_select(status=status, place_id=place_id, bbox=bbox, limit=limit, offset=offset)
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [_place_from_row(dict(row)) for row in rows]

    def _count_status(self, status: str) -> int:
        query = (
            sa.select(sa.func.count()).select_from(_pg_places).where(_pg_places.c.status == status)
        )
        with self._engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def _moderate(
        self,
        place_id: str,
        apply: Callable[[Place], Place],
        *,
        action: str,
        moderator: str,
        at: str,
    ) -> Place:
        with self._engine.begin() as conn:
            row = (
                conn.execute(
                    sa.select(*_PG_PLACE_COLUMNS)
                    .where(_pg_places.c.id == place_id)
                    .with_for_update()
                )
                .mappings()
                .first()
            )
            if row is None:
                raise PlaceNotFoundError(f"No community place has id {place_id!r}.")
            before = _place_from_row(dict(row))
            after = apply(before)
            values = _pg_values(_row_values(after))
            del values["id"], values["submitted_at"]
            conn.execute(sa.update(_pg_places).where(_pg_places.c.id == place_id).values(values))
            conn.execute(
                sa.insert(_pg_audit).values(
                    place_id=place_id,
                    action=action,
                    moderator=moderator,
                    at=_parse_iso(at),
                    before_json=_as_dict(before),
                    after_json=_as_dict(after),
                )
            )
        return after

    def _audit_rows(
        self, limit: int
    ) -> list[tuple[str, str, str, str, dict[str, Any], dict[str, Any]]]:
        a = _pg_audit.c
        query = (
            sa.select(a.at, a.place_id, a.action, a.moderator, a.before_json, a.after_json)
            .order_by(a.seq.desc())
            .limit(limit)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [(_iso(r[0]), r[1], r[2], r[3], r[4], r[5]) for r in rows]

    def _count_since(self, submitter: str, since: dt.datetime) -> int:
        query = (
            sa.select(sa.func.count())
            .select_from(_pg_places)
            .where(_pg_places.c.submitter == submitter, _pg_places.c.submitted_at >= since)
        )
        with self._engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def _insert_document(
        self, kind: str, item: StoredScenario, payload: str, token_hash: str
    ) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                sa.insert(_PG_DOCUMENTS[kind]).values(
                    id=item.id,
                    name=item.name,
                    payload=json.loads(payload),
                    created_at=_parse_iso(item.created_at),
                    updated_at=_parse_iso(item.updated_at),
                )
            )
            conn.execute(
                sa.insert(_pg_edit_tokens).values(kind=kind, id=item.id, token_hash=token_hash)
            )

    def _update_document(self, kind: str, item_id: str, name: str, payload: str, at: str) -> str:
        table = _PG_DOCUMENTS[kind]
        with self._engine.begin() as conn:
            created = conn.execute(
                sa.update(table)
                .where(table.c.id == item_id)
                .values(name=name, payload=json.loads(payload), updated_at=_parse_iso(at))
                .returning(table.c.created_at)
            ).scalar()
        if created is None:
            raise _not_found(kind, item_id)
        return _iso(created)

    def _select_documents(
        self, kind: str, *, item_id: str | None, limit: int
    ) -> list[StoredScenario]:
        c = _PG_DOCUMENTS[kind].c
        query = sa.select(c.id, c.name, c.payload, c.created_at, c.updated_at)
        if item_id is not None:
            query = query.where(c.id == item_id)
        query = query.order_by(c.updated_at.desc(), c.id).limit(limit)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [StoredScenario(r[0], r[1], dict(r[2]), _iso(r[3]), _iso(r[4])) for r in rows]

    def _delete_document(self, kind: str, item_id: str) -> bool:
        table, tokens = _PG_DOCUMENTS[kind], _pg_edit_tokens
        with self._engine.begin() as conn:
            deleted = conn.execute(sa.delete(table).where(table.c.id == item_id)).rowcount
            conn.execute(sa.delete(tokens).where(tokens.c.kind == kind, tokens.c.id == item_id))
        return deleted > 0

    def _document_token_hash(self, kind: str, item_id: str) -> str | None:
        c = _pg_edit_tokens.c
        with self._engine.connect() as conn:
            return conn.execute(
                sa.select(c.token_hash).where(c.kind == kind, c.id == item_id)
            ).scalar()

    def _put_moderator(self, name: str, password_hash: str, at: str, *, create: bool) -> bool:
        table, moment = _pg_moderators, _parse_iso(at)
        with self._engine.begin() as conn:
            if create:
                inserted = (
                    pg_insert(table)
                    .values(name=name, password_hash=password_hash, created_at=moment)
                    .values(updated_at=moment)
                    .on_conflict_do_nothing(index_elements=["name"])
                    .returning(table.c.name)  # psycopg reports no rowcount for this
                )
                return conn.execute(inserted).scalar() is not None
            statement = (
                sa.update(table)
                .where(table.c.name == name)
                .values(password_hash=password_hash, updated_at=moment)
            )
            return conn.execute(statement).rowcount > 0

    def _delete_moderator(self, name: str) -> bool:
        table = _pg_moderators
        with self._engine.begin() as conn:
            return conn.execute(sa.delete(table).where(table.c.name == name)).rowcount > 0

    def _moderator_rows(self, name: str | None) -> list[tuple[str, str, str, str]]:
        c = _pg_moderators.c
        query = sa.select(c.name, c.password_hash, c.created_at, c.updated_at).order_by(c.name)
        if name is not None:
            query = query.where(c.name == name)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [(r[0], r[1], _iso(r[2]), _iso(r[3])) for r in rows]

    def _meta_value(self, key: str, default: str) -> str:
        c = _pg_meta.c
        with self._engine.begin() as conn:
            found = conn.execute(sa.select(c.value).where(c.key == key)).scalar()
            if found is not None:
                return str(found)
            conn.execute(
                pg_insert(_pg_meta)
                .values(key=key, value=default)
                .on_conflict_do_nothing(index_elements=["key"])
            )
            return str(conn.execute(sa.select(c.value).where(c.key == key)).scalar_one())

    def _locked_until(self, keys: list[str]) -> dt.datetime | None:
        if not keys:
            return None
        c = _pg_throttle.c
        with self._engine.connect() as conn:
            return conn.execute(
                sa.select(sa.func.max(c.locked_until)).where(c.key.in_(keys))
            ).scalar()

    def _record_failure(
        self,
        keys: list[str],
        *,
        at: dt.datetime,
        forget_before: dt.datetime,
        lock_s: Callable[[int], float],
        log_row: tuple[str, str, str, str],
    ) -> dt.datetime | None:
        c = _pg_throttle.c
        latest: dt.datetime | None = None
        with self._engine.begin() as conn:
            for key in keys:
                row = conn.execute(
                    sa.select(c.failures, c.last_failure_at).where(c.key == key).with_for_update()
                ).first()
                before = 0 if row is None or row[1] < forget_before else int(row[0])
                failures = before + 1
                until = at + dt.timedelta(seconds=float(lock_s(failures)))
                values = {
                    "failures": failures,
                    "last_failure_at": at,
                    "locked_until": until,
                }
                conn.execute(
                    pg_insert(_pg_throttle)
                    .values(key=key, **values)
                    .on_conflict_do_update(index_elements=["key"], set_=values)
                )
                latest = until if latest is None else max(latest, until)
            self._log_sign_in(conn, log_row)
        return latest

    @staticmethod
    def _log_sign_in(conn: sa.Connection, log_row: tuple[str, str, str, str]) -> None:
        at, event, name, client = log_row
        conn.execute(
            sa.insert(_pg_sign_in_log).values(
                at=_parse_iso(at), event=event, name=name, client=client
            )
        )

    def _clear_failures(self, keys: list[str], *, log_row: tuple[str, str, str, str]) -> None:
        with self._engine.begin() as conn:
            if keys:
                conn.execute(sa.delete(_pg_throttle).where(_pg_throttle.c.key.in_(keys)))
            self._log_sign_in(conn, log_row)

    def _sign_in_rows(self, limit: int) -> list[tuple[str, str, str, str]]:
        c = _pg_sign_in_log.c
        query = sa.select(c.at, c.event, c.name, c.client).order_by(c.seq.desc()).limit(limit)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [(_iso(r[0]), r[1], r[2], r[3]) for r in rows]

    def integrity_check(self) -> str:
        """Return ``"ok"`` when a trivial query (PostGIS included) works, else the error."""
        try:
            with self._engine.connect() as conn:
                conn.execute(sa.select(sa.func.postgis_version())).scalar_one()
        except sqlalchemy.exc.DBAPIError as exc:
            return _first_line(exc)
        return "ok"

    def close(self) -> None:
        """Close the connection pool."""
        self._engine.dispose()


# --------------------------------------------------------------------------- helpers


def _now() -> str:
    return _iso(dt.datetime.now(dt.UTC))


def _iso(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with microseconds: fixed width, so strings sort as moments."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _parse_iso(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValueError(
            f"{text!r} is not an ISO 8601 moment (e.g. 2026-01-31T14:00:00+00:00)."
        ) from None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def _json(value: Mapping[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _as_dict(place: Place) -> dict[str, Any]:
    return dataclasses.asdict(place)


def _first_line(exc: BaseException) -> str:
    detail = getattr(exc, "orig", None) or exc
    return str(detail).strip().splitlines()[0] if str(detail).strip() else type(exc).__name__


def _token_hash(token: str) -> str:
    """SHA-256 of an edit token: tokens are 192 random bits, so no slow hash is needed."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


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


def _checked_point(lon: object, lat: object) -> tuple[float, float]:
    try:
        lon_f, lat_f = float(lon), float(lat)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"Coordinates must be numbers, not {lon!r}, {lat!r}.") from None
    if not (math.isfinite(lon_f) and -180.0 <= lon_f <= 180.0):
        raise ValueError(f"Longitude {lon!r} is outside -180..180.")
    if not (math.isfinite(lat_f) and -90.0 <= lat_f <= 90.0):
        raise ValueError(f"Latitude {lat!r} is outside -90..90.")
    return lon_f, lat_f


def _checked_new(place: NewPlace) -> NewPlace:
    """What the store itself insists on: strings, a name, a finite lon/lat."""
    if not isinstance(place, NewPlace):
        raise TypeError(f"Expected a NewPlace, got {type(place).__name__}.")
    for name in TEXT_FIELDS:
        value = getattr(place, name)
        if not isinstance(value, str):
            raise TypeError(f"NewPlace.{name} must be a str, not {type(value).__name__}.")
    if not place.name.strip():
        raise ValueError("A place needs a name.")
    lon, lat = _checked_point(place.lon, place.lat)
    return dataclasses.replace(place, lon=lon, lat=lat)


def _checked_scenario(name: object, payload: object) -> tuple[str, str]:
    """A scenario's name (stripped) and payload as JSON text, or ValueError."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError("A scenario needs a name: type one before saving.")
    name = " ".join(name.split())
    if len(name) > MAX_SCENARIO_NAME:
        raise ValueError(
            f"The scenario name has {len(name)} characters; keep it under {MAX_SCENARIO_NAME}."
        )
    if not isinstance(payload, Mapping):
        raise ValueError(f"A scenario payload is a JSON object, not {type(payload).__name__}.")
    try:
        text = json.dumps(dict(payload), ensure_ascii=False, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"The scenario cannot be saved as JSON ({exc}).") from None
    if len(text.encode()) > MAX_SCENARIO_BYTES:
        raise ValueError(
            f"The scenario is {len(text.encode()):,} bytes; the most the store keeps is "
            f"{MAX_SCENARIO_BYTES:,}: remove some sites."
        )
    return name, text


def _checked_changes(changes: Mapping[str, object]) -> dict[str, Any]:
    unknown = sorted(set(changes) - set(NEW_PLACE_FIELDS))
    if unknown:
        raise ValueError(
            f"Cannot change {', '.join(map(repr, unknown))}: editable fields are "
            f"{', '.join(NEW_PLACE_FIELDS)}."
        )
    updates: dict[str, Any] = dict(changes)
    if "lon" in updates:
        updates["lon"] = _checked_point(updates["lon"], 0.0)[0]
    if "lat" in updates:
        updates["lat"] = _checked_point(0.0, updates["lat"])[1]
    for name in TEXT_FIELDS:
        if name in updates and not isinstance(updates[name], str):
            raise TypeError(f"{name} must be a str, not {type(updates[name]).__name__}.")
    return updates


def _checked_bbox(bbox: Sequence[float]) -> tuple[float, float, float, float]:
    try:
        min_lon, min_lat, max_lon, max_lat = (float(v) for v in bbox)
    except (TypeError, ValueError):
        raise ValueError(
            f"bbox must be (min_lon, min_lat, max_lon, max_lat) numbers, not {bbox!r}."
        ) from None
    _checked_point(min_lon, min_lat)
    _checked_point(max_lon, max_lat)
    if min_lon > max_lon or min_lat > max_lat:
        raise ValueError(f"bbox {bbox!r} has its minimum above its maximum.")
    return min_lon, min_lat, max_lon, max_lat


def _checked_page(limit: object, offset: object) -> tuple[int | None, int]:
    """``limit`` (a positive integer or None) and ``offset`` (an integer >= 0), or ValueError."""
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise ValueError(f"limit must be a positive integer or None, not {limit!r}.")
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise ValueError(f"offset must be an integer >= 0, not {offset!r}.")
    return limit, offset


def _row_values(place: Place) -> dict[str, Any]:
    """Column values for a place: its fields, with the point as WKB instead of lon/lat."""
    values = _as_dict(place)
    lon, lat = values.pop("lon"), values.pop("lat")
    values["geom"] = shapely.to_wkb(shapely.Point(lon, lat))
    return values


def _pg_values(values: dict[str, Any]) -> dict[str, Any]:
    """Row values adapted for PostgreSQL: geometry from WKB, timestamps as datetimes."""
    out = dict(values)
    out["geom"] = sa.func.ST_GeomFromWKB(values["geom"], 4326)
    for key in ("submitted_at", "verified_at"):
        if out.get(key) is not None:
            out[key] = _parse_iso(out[key])
    return out


def _place_from_row(row: dict[str, Any]) -> Place:
    row.pop("rid", None)
    point = shapely.from_wkb(bytes(row.pop("geom")))
    for key in ("submitted_at", "verified_at"):
        if isinstance(row.get(key), dt.datetime):
            row[key] = _iso(row[key])
    return Place(**row, lon=float(point.x), lat=float(point.y))


def _approved_frame(places: Sequence[Place]) -> gpd.GeoDataFrame:
    records = [
        {
            "id": p.id,
            "name": p.name,
            "kind": p.kind,
            "operator": p.operator,
            "populations": p.populations,
            "services": p.services,
            "country": p.country,
            "city": p.city,
            "place_name": p.place_name,
            "hours": p.hours,
            "contact": p.contact,
            "description_es": "",
            "description_en": "",
            "source": SOURCE,
            "location_precision": p.location_precision,
            "community_sourced": True,
            "last_verified": (p.verified_at or p.submitted_at)[:10],
        }
        for p in places
    ]
    table = pd.DataFrame.from_records(records, columns=list(APPROVED_COLUMNS))
    table = table.astype(
        {
            **{c: "str" for c in APPROVED_COLUMNS if c != "community_sourced"},
            "community_sourced": bool,
        }
    )
    geometry = gpd.points_from_xy([p.lon for p in places], [p.lat for p in places], crs=4326)
    return gpd.GeoDataFrame(table, geometry=geometry, crs=4326)
