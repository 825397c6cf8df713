"""Community places: submissions, moderation (approve, reject, edit) and its audit log."""

from __future__ import annotations

import abc
import dataclasses
import datetime as dt
import logging
import math
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo.errors import PlaceNotFoundError
from geo.store.base import StoreBase, _checked_limit, _checked_page, _iso, _json, _now, _parse_iso
from geo.viewport import checked_bbox

log = logging.getLogger(__name__)

STATUSES = ("pending", "approved", "rejected")
ACTIONS = ("approve", "reject", "edit")
SOURCE = "community submission"
MAX_MODERATOR_CHARS = 200
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


@dataclass(frozen=True, kw_only=True)
class Moderation:
    """Who did what when: the audit row a moderation writes with its change."""

    action: str
    moderator: str
    at: str
    """ISO 8601, UTC."""


@dataclass(frozen=True, kw_only=True)
class PlaceQuery:
    """Which places a backend reads: filters (all must hold) and a page."""

    status: str | None = None
    place_id: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    """``(min_lon, min_lat, max_lon, max_lat)``, matched through the spatial index."""
    limit: int | None = None
    offset: int = 0


class PlaceStore(StoreBase):
    """Submissions, moderation and the audit log (the backend implements the ``_`` hooks)."""

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
        return self._select(PlaceQuery(status="pending", limit=limit, offset=offset))

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
        found = self._select(PlaceQuery(place_id=place_id))
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

        after = self._moderate(
            place_id, apply, Moderation(action=action, moderator=moderator, at=now)
        )
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
            bbox = checked_bbox(bbox)
        limit, _ = _checked_page(limit, 0)
        places = self._select(PlaceQuery(status="approved", bbox=bbox, limit=limit))
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
        _checked_limit(limit)
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

    # ---- what a backend implements

    def _insert(self, place: Place) -> None:
        """Insert one place and its index entry, committed on return."""
        self._insert_many([place])

    @abc.abstractmethod
    def _insert_many(self, places: Sequence[Place]) -> None:
        """Insert places and their index entries in one transaction, committed on return."""

    @abc.abstractmethod
    def _select(self, query: PlaceQuery) -> list[Place]:
        """Places matching all of the query's filters, by ``submitted_at`` then ``id``, paged."""

    @abc.abstractmethod
    def _count_status(self, status: str) -> int:
        """How many places have this status."""

    @abc.abstractmethod
    def _moderate(self, place_id: str, apply: Callable[[Place], Place], audit: Moderation) -> Place:
        """Lock the row, apply, update row and index, add the ``audit`` row; commit."""

    @abc.abstractmethod
    def _audit_rows(
        self, limit: int
    ) -> list[tuple[str, str, str, str, dict[str, Any], dict[str, Any]]]:
        """``(at, place_id, action, moderator, before, after)``, newest first."""

    @abc.abstractmethod
    def _count_since(self, submitter: str, since: dt.datetime) -> int:
        """Submissions by ``submitter`` at or after ``since``."""


def _as_dict(place: Place) -> dict[str, Any]:
    return dataclasses.asdict(place)


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


def _row_values(place: Place) -> dict[str, Any]:
    """Column values for a place: its fields, with the point as WKB instead of lon/lat."""
    values = _as_dict(place)
    lon, lat = values.pop("lon"), values.pop("lat")
    values["geom"] = shapely.to_wkb(shapely.Point(lon, lat))
    return values


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
