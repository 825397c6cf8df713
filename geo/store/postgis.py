"""The server backend: PostgreSQL with PostGIS, through SQLAlchemy Core and GeoAlchemy2."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

import shapely
import sqlalchemy as sa
import sqlalchemy.exc
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import URL, Engine

from geo.errors import StoreError
from geo.store.accounts import SignInFailure
from geo.store.base import _first_line, _iso, _parse_iso
from geo.store.documents import DOCUMENT_KINDS, StoredDocument, _not_found
from geo.store.interface import Store
from geo.store.places import (
    TEXT_FIELDS,
    Moderation,
    NewPlace,
    Place,
    PlaceNotFoundError,
    PlaceQuery,
    _as_dict,
    _place_from_row,
    _row_values,
)

log = logging.getLogger(__name__)


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


def _pg_document_table(kind: str) -> sa.Table:
    """The table of one document kind (:data:`geo.store.documents.DOCUMENT_KINDS`)."""
    return sa.Table(
        DOCUMENT_KINDS[kind].table,
        _pg_metadata,
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("payload", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )


_PG_DOCUMENTS = {kind: _pg_document_table(kind) for kind in DOCUMENT_KINDS}
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


def _pg_select(place_query: PlaceQuery | None = None, /, **filters: Any) -> sa.Select[Any]:
    """The places query (of ``place_query``, or of :class:`PlaceQuery` fields as keywords).

    A bbox is matched with ``&&``, which the GIST index serves.
    """
    q = place_query or PlaceQuery(**filters)
    query = sa.select(*_PG_PLACE_COLUMNS)
    if q.status is not None:
        query = query.where(_pg_places.c.status == q.status)
    if q.place_id is not None:
        query = query.where(_pg_places.c.id == q.place_id)
    if q.bbox is not None:
        envelope = sa.func.ST_MakeEnvelope(*q.bbox, 4326)
        query = query.where(_pg_places.c.geom.op("&&")(envelope))
    query = query.order_by(_pg_places.c.submitted_at, _pg_places.c.id)
    if q.limit is not None:
        query = query.limit(q.limit)
    return query.offset(q.offset) if q.offset else query


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

    def _select(self, query: PlaceQuery) -> list[Place]:
        statement = _pg_select(query)
        with self._engine.connect() as conn:
            rows = conn.execute(statement).mappings().all()
        return [_place_from_row(dict(row)) for row in rows]

    def _count_status(self, status: str) -> int:
        query = (
            sa.select(sa.func.count()).select_from(_pg_places).where(_pg_places.c.status == status)
        )
        with self._engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def _moderate(self, place_id: str, apply: Callable[[Place], Place], audit: Moderation) -> Place:
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
                    action=audit.action,
                    moderator=audit.moderator,
                    at=_parse_iso(audit.at),
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
        self, kind: str, item: StoredDocument, payload: str, token_hash: str
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
    ) -> list[StoredDocument]:
        c = _PG_DOCUMENTS[kind].c
        query = sa.select(c.id, c.name, c.payload, c.created_at, c.updated_at)
        if item_id is not None:
            query = query.where(c.id == item_id)
        query = query.order_by(c.updated_at.desc(), c.id).limit(limit)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [StoredDocument(r[0], r[1], dict(r[2]), _iso(r[3]), _iso(r[4])) for r in rows]

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

    def _record_failure(self, keys: list[str], failure: SignInFailure) -> dt.datetime | None:
        c = _pg_throttle.c
        latest: dt.datetime | None = None
        with self._engine.begin() as conn:
            for key in keys:
                row = conn.execute(
                    sa.select(c.failures, c.last_failure_at).where(c.key == key).with_for_update()
                ).first()
                before = 0 if row is None or row[1] < failure.forget_before else int(row[0])
                failures = before + 1
                until = failure.at + dt.timedelta(seconds=float(failure.lock_s(failures)))
                values = {
                    "failures": failures,
                    "last_failure_at": failure.at,
                    "locked_until": until,
                }
                conn.execute(
                    pg_insert(_pg_throttle)
                    .values(key=key, **values)
                    .on_conflict_do_update(index_elements=["key"], set_=values)
                )
                latest = until if latest is None else max(latest, until)
            self._log_sign_in(conn, failure.log_row)
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


def _pg_values(values: dict[str, Any]) -> dict[str, Any]:
    """Row values adapted for PostgreSQL: geometry from WKB, timestamps as datetimes."""
    out = dict(values)
    out["geom"] = sa.func.ST_GeomFromWKB(values["geom"], 4326)
    for key in ("submitted_at", "verified_at"):
        if out.get(key) is not None:
            out[key] = _parse_iso(out[key])
    return out
