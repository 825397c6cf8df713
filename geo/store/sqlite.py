"""The embedded backend: one SQLite file in WAL mode with an R-tree index."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from geo.errors import StoreError
from geo.store.accounts import SignInFailure
from geo.store.base import SCHEMA_VERSION, _iso, _json, _parse_iso
from geo.store.documents import DOCUMENT_KINDS, StoredDocument, _not_found
from geo.store.interface import Store
from geo.store.places import (
    Moderation,
    Place,
    PlaceNotFoundError,
    PlaceQuery,
    _as_dict,
    _place_from_row,
    _row_values,
)

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- SQLite


def _document_tables(table: str) -> tuple[str, str]:
    """The table and index of one document kind (``table`` is a fixed name, never input)."""
    return (
        f"""
    CREATE TABLE IF NOT EXISTS {table} (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
        f"CREATE INDEX IF NOT EXISTS {table}_updated_idx ON {table} (updated_at)",
    )


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
    # Version 2: planning scenarios (geo.scenarios), saved by name and shared by id;
    # version 3: presentation stories (geo.stories), the same document shape.
    *_document_tables(DOCUMENT_KINDS["scenario"].table),
    *_document_tables(DOCUMENT_KINDS["story"].table),
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

    def _select(self, query: PlaceQuery) -> list[Place]:
        page = {
            "limit": -1 if query.limit is None else query.limit,
            "offset": query.offset,
        }  # -1: no limit
        with self._lock:
            if query.bbox is not None:
                min_lon, min_lat, max_lon, max_lat = query.bbox
                rows = self._conn.execute(
                    _SQLITE_SELECT_BBOX,
                    {
                        "status": query.status,
                        "min_lon": min_lon,
                        "min_lat": min_lat,
                        "max_lon": max_lon,
                        "max_lat": max_lat,
                        **page,
                    },
                ).fetchall()
            elif query.place_id is not None:
                rows = self._conn.execute(_SQLITE_SELECT_ID, (query.place_id,)).fetchall()
            else:
                rows = self._conn.execute(
                    _SQLITE_SELECT_STATUS, {"status": query.status, **page}
                ).fetchall()
        return [_place_from_row(dict(row)) for row in rows]

    def _count_status(self, status: str) -> int:
        with self._lock:
            row = self._conn.execute(
                "SELECT count(*) FROM places WHERE status = ?", (status,)
            ).fetchone()
        return int(row[0])

    def _moderate(self, place_id: str, apply: Callable[[Place], Place], audit: Moderation) -> Place:
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
                (
                    place_id,
                    audit.action,
                    audit.moderator,
                    audit.at,
                    _json(_as_dict(before)),
                    _json(_as_dict(after)),
                ),
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

    # Table names come from DOCUMENT_KINDS (fixed), never from input; values are parameters.

    def _insert_document(
        self, kind: str, item: StoredDocument, payload: str, token_hash: str
    ) -> None:
        with self._transaction() as conn:
            conn.execute(
                f"INSERT INTO {DOCUMENT_KINDS[kind].table} (id, name, payload, created_at, updated_at) "  # noqa: S608
                "VALUES (?, ?, ?, ?, ?)",
                (item.id, item.name, payload, item.created_at, item.updated_at),
            )
            conn.execute(
                "INSERT INTO edit_tokens (kind, id, token_hash) VALUES (?, ?, ?)",
                (kind, item.id, token_hash),
            )

    def _update_document(self, kind: str, item_id: str, name: str, payload: str, at: str) -> str:
        table = DOCUMENT_KINDS[kind].table
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
    ) -> list[StoredDocument]:
        query = (
            f"SELECT id, name, payload, created_at, updated_at FROM {DOCUMENT_KINDS[kind].table}"  # noqa: S608
        )
        params: tuple[Any, ...] = ()
        if item_id is not None:
            query += " WHERE id = ?"
            params = (item_id,)
        query += " ORDER BY updated_at DESC, id LIMIT ?"
        with self._lock:
            rows = self._conn.execute(query, (*params, limit)).fetchall()
        return [
            StoredDocument(r["id"], r["name"], json.loads(r["payload"]), r[3], r[4]) for r in rows
        ]

    def _delete_document(self, kind: str, item_id: str) -> bool:
        with self._transaction() as conn:
            deleted = conn.execute(
                f"DELETE FROM {DOCUMENT_KINDS[kind].table} WHERE id = ?",  # noqa: S608
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

    def _record_failure(self, keys: list[str], failure: SignInFailure) -> dt.datetime | None:
        latest: dt.datetime | None = None
        with self._transaction() as conn:
            for key in keys:
                row = conn.execute(
                    "SELECT failures, last_failure_at FROM sign_in_throttle WHERE key = ?", (key,)
                ).fetchone()
                before = 0 if row is None or _parse_iso(row[1]) < failure.forget_before else row[0]
                failures = int(before) + 1
                until = failure.at + dt.timedelta(seconds=float(failure.lock_s(failures)))
                conn.execute(
                    "INSERT INTO sign_in_throttle (key, failures, last_failure_at, locked_until)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET"
                    " failures = excluded.failures, last_failure_at = excluded.last_failure_at,"
                    " locked_until = excluded.locked_until",
                    (key, failures, _iso(failure.at), _iso(until)),
                )
                latest = until if latest is None else max(latest, until)
            conn.execute(
                "INSERT INTO sign_in_log (at, event, name, client) VALUES (?, ?, ?, ?)",
                failure.log_row,
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
