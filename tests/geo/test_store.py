"""geo.store: the same suite against SQLite and a throwaway PostGIS server.

The PostGIS server comes from Debian's packages (``make test`` installs them through
its ``postgis`` target); when they are missing the PostGIS tests fail and say so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from geo import store as store_module
from geo.settings import Settings
from geo.store import (
    APPROVED_COLUMNS,
    AUDIT_COLUMNS,
    SCHEMA_VERSION,
    NewPlace,
    PlaceNotFoundError,
    PostGISStore,
    SQLiteStore,
    Store,
    StoreError,
    open_store,
    postgis_url,
)
from tests.pg_throwaway import PostgisUnavailableError, Server, find_bindir, throwaway_postgis
from tests.places import new_place

BOGOTA = (-74.30, 4.45, -73.95, 4.85)  # min_lon, min_lat, max_lon, max_lat


def place(name: str = "Manzana del Cuidado Bosa", **fields: object) -> NewPlace:
    """A valid submission in Bogotá; keyword arguments override fields."""
    values: dict[str, object] = {
        "place_name": "Bosa Centro",
        "hours": "L-V 7:00-17:00",
        "contact": "601 000 0000",
        "how_known": "Voy cada semana",
        "submitter": "session-a",
        "country": "CO",
        "city": "Bogotá",
    }
    return new_place(name, **(values | fields))


def _set_schema_version(path: Path, *, version: int, drop: tuple[str, ...]) -> None:
    """Drop ``drop`` tables from a SQLite store and mark it as schema ``version``."""
    conn = sqlite3.connect(path)
    for table in drop:
        conn.execute(f"DROP TABLE {table}")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.close()


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def postgis_server() -> Iterator[Server]:
    """One throwaway PostgreSQL + PostGIS server for the session, stopped afterwards."""
    problem = ""
    try:
        find_bindir()
    except PostgisUnavailableError as exc:
        problem = str(exc)
    if problem:  # fail, never skip: `make test` installs the server
        pytest.fail(problem, pytrace=False)
    with throwaway_postgis() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgis"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for an empty store: a new SQLite file, or a new PostGIS database."""
    if request.param == "sqlite":
        return Settings(store_path=tmp_path / "var" / "care_atlas.sqlite")
    server: Server = request.getfixturevalue("postgis_server")
    return Settings(database_url=server.new_database())


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    handle = open_store(settings)
    try:
        yield handle
    finally:
        handle.close()


# --------------------------------------------------------------------------- opening


def test_open_store_picks_the_backend(settings: Settings, store: Store) -> None:
    expected = PostGISStore if settings.database_url else SQLiteStore
    assert isinstance(store, expected)
    assert store.backend == ("postgis" if settings.database_url else "sqlite")


def test_schema_creation_is_idempotent(settings: Settings, store: Store) -> None:
    first = store.submit(place())
    for _ in range(2):
        with open_store(settings) as again:
            assert again.get(first.id) == first
            assert again.integrity_check() == "ok"


def test_sqlite_file_is_wal_with_the_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "store.sqlite"
    with open_store(Settings(store_path=path)) as handle:
        assert handle.integrity_check() == "ok"
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert {"places", "places_rtree", "place_audit"} <= tables
    finally:
        conn.close()


def test_sqlite_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    _set_schema_version(path, version=99, drop=())  # a store from a newer version
    with pytest.raises(StoreError, match="newer"):
        open_store(Settings(store_path=path))


def test_sqlite_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"store\.sqlite"):
        open_store(Settings(store_path=path))


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u:p@h/db", "postgresql+psycopg"),
        ("postgres://u:p@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h:5433/db", "postgresql+psycopg"),
    ],
)
def test_postgis_url_pins_psycopg3(url: str, driver: str) -> None:
    assert postgis_url(url).drivername == driver


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("sqlite:///x.db", "PostgreSQL"),
        ("postgresql+psycopg2://u@h/db", "psycopg"),
        ("not a url", "not a database URL"),
    ],
)
def test_postgis_url_refuses_others(url: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        postgis_url(url)


def test_unreachable_server_is_a_store_error_without_the_password() -> None:
    with pytest.raises(StoreError, match="Cannot reach") as info:
        PostGISStore("postgresql://care:s3cret@127.0.0.1:1/none?connect_timeout=2")
    assert "s3cret" not in str(info.value)


# --------------------------------------------------------------------------- submit, get


def test_submit_pending_get(store: Store) -> None:
    submitted = store.submit(place())
    assert submitted.id.startswith("cs-")
    assert submitted.status == "pending"
    assert submitted.verified_at is None and submitted.moderated_by is None
    moment = dt.datetime.fromisoformat(submitted.submitted_at)
    assert moment.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - moment) < dt.timedelta(minutes=1)
    assert submitted.as_new() == place()
    assert store.pending() == [submitted]
    assert store.get(submitted.id) == submitted


def test_pending_is_oldest_first_and_only_pending(store: Store) -> None:
    first = store.submit(place("Uno"))
    second = store.submit(place("Dos"))
    third = store.submit(place("Tres"))
    store.moderate(second.id, action="approve", moderator="ana")
    assert [p.id for p in store.pending()] == [first.id, third.id]


def test_get_unknown_id(store: Store) -> None:
    with pytest.raises(PlaceNotFoundError, match="cs-nope"):
        store.get("cs-nope")


def test_submit_is_committed_when_it_returns(settings: Settings, store: Store) -> None:
    submitted = store.submit(place())
    with open_store(settings) as other:  # another connection sees it at once
        assert other.get(submitted.id) == submitted


def test_text_with_accents_and_emoji_round_trips(settings: Settings, store: Store) -> None:
    original = place(
        "Guardería «Ñandú» 👩‍👧‍👦 ☕ — São Paulo",
        place_name="Calle 5 # 3-21, barrio La Candelaria",
        how_known="Trabajé allí.\nMi hija va los martes 🙂",
        contact="María José Pérez",
        city="Bogotá D.C.",
    )
    submitted = store.submit(original)
    with open_store(settings) as other:
        again = other.get(submitted.id)
    assert again == submitted
    assert again.name == "Guardería «Ñandú» 👩‍👧‍👦 ☕ — São Paulo"
    assert again.how_known == "Trabajé allí.\nMi hija va los martes 🙂"


def test_sql_is_parameterised(store: Store) -> None:
    hostile = "'); DROP TABLE places; --"
    submitted = store.submit(place(hostile, submitter="x' OR '1'='1"))
    store.submit(place("Otra", submitter="session-b"))
    assert store.get(submitted.id).name == hostile
    assert store.submissions_since("x' OR '1'='1", "2000-01-01T00:00:00+00:00") == 1
    assert store.submissions_since("' OR '1'='1", "2000-01-01T00:00:00+00:00") == 0
    with pytest.raises(PlaceNotFoundError):
        store.get("' OR '1'='1")
    assert len(store.pending()) == 2  # the table is still there
    store.moderate(
        submitted.id,
        action="edit",
        moderator="'; DELETE FROM place_audit; --",
        changes={"city": "'; UPDATE places SET status='approved'; --"},
    )
    assert store.get(submitted.id).city == "'; UPDATE places SET status='approved'; --"
    assert store.audit_log()["moderator"].tolist() == ["'; DELETE FROM place_audit; --"]
    assert store.approved().empty


def test_submit_refuses_what_would_corrupt_the_store(store: Store) -> None:
    with pytest.raises(ValueError, match="Longitude"):
        store.submit(place(lon=float("nan")))
    with pytest.raises(ValueError, match="Latitude"):
        store.submit(place(lat=91.0))
    with pytest.raises(TypeError, match="name"):
        store.submit(place(name=None))
    with pytest.raises(ValueError, match="name"):
        store.submit(place("   "))
    with pytest.raises(TypeError, match="NewPlace"):
        store.submit({"name": "x"})  # type: ignore[arg-type]
    assert store.pending() == []


# --------------------------------------------------------------------------- moderation


def test_approve_writes_audit_row(store: Store) -> None:
    submitted = store.submit(place())
    approved = store.moderate(submitted.id, action="approve", moderator="ana")
    assert approved.status == "approved"
    assert approved.moderated_by == "ana"
    assert approved.verified_at is not None and approved.verified_at >= submitted.submitted_at
    assert store.get(submitted.id) == approved
    assert store.pending() == []

    log = store.audit_log()
    assert list(log.columns) == list(AUDIT_COLUMNS)
    assert len(log) == 1
    row = log.iloc[0]
    assert (row["place_id"], row["action"], row["moderator"]) == (submitted.id, "approve", "ana")
    assert row["at"] == approved.verified_at
    before, after = json.loads(row["before"]), json.loads(row["after"])
    assert before == dataclasses.asdict(submitted)
    assert after == dataclasses.asdict(approved)
    assert row["changed"] == "moderated_by;status;verified_at"


def test_reject_hides_the_place(store: Store) -> None:
    submitted = store.submit(place())
    rejected = store.moderate(submitted.id, action="reject", moderator="luis")
    assert rejected.status == "rejected"
    assert rejected.verified_at is None
    assert rejected.moderated_by == "luis"
    assert store.approved().empty
    assert store.pending() == []
    row = store.audit_log().iloc[0]
    assert row["action"] == "reject"
    assert json.loads(row["before"])["status"] == "pending"
    assert json.loads(row["after"])["status"] == "rejected"


def test_edit_changes_fields_moves_the_point_and_keeps_status(store: Store) -> None:
    submitted = store.submit(place())
    store.moderate(submitted.id, action="approve", moderator="ana")
    edited = store.moderate(
        submitted.id,
        action="edit",
        moderator="luis",
        changes={"name": "Manzana del Cuidado de Bosa", "lon": -75.57, "lat": 6.25},
    )
    assert edited.status == "approved"
    assert (edited.name, edited.lon, edited.lat) == ("Manzana del Cuidado de Bosa", -75.57, 6.25)
    assert store.get(submitted.id) == edited
    # the spatial index followed the move: gone from Bogotá, found in Medellín
    assert store.approved(bbox=BOGOTA).empty
    assert store.approved(bbox=(-75.7, 6.1, -75.4, 6.4))["id"].tolist() == [submitted.id]

    log = store.audit_log()
    assert log["action"].tolist() == ["edit", "approve"]  # newest first
    newest = log.iloc[0]
    assert newest["changed"] == "lat;lon;moderated_by;name;verified_at"
    assert json.loads(newest["before"])["name"] == "Manzana del Cuidado Bosa"
    assert json.loads(newest["after"])["name"] == "Manzana del Cuidado de Bosa"
    assert json.loads(newest["before"])["moderated_by"] == "ana"
    assert json.loads(newest["after"])["moderated_by"] == "luis"


def test_edit_of_a_pending_place_keeps_it_pending(store: Store) -> None:
    submitted = store.submit(place())
    edited = store.moderate(submitted.id, action="edit", moderator="ana", changes={"hours": "24h"})
    assert (edited.status, edited.verified_at, edited.hours) == ("pending", None, "24h")
    assert store.pending() == [edited]


def test_approve_with_changes(store: Store) -> None:
    submitted = store.submit(place())
    approved = store.moderate(
        submitted.id, action="approve", moderator="ana", changes={"services": "child_care"}
    )
    assert (approved.status, approved.services) == ("approved", "child_care")
    assert store.approved()["services"].tolist() == ["child_care"]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"action": "publish", "moderator": "ana"}, ValueError, "Unknown moderation action"),
        ({"action": "approve", "moderator": "  "}, ValueError, "moderator"),
        (
            {"action": "reject", "moderator": "ana", "changes": {"name": "x"}},
            ValueError,
            "no changes",
        ),
        ({"action": "edit", "moderator": "ana"}, ValueError, "needs changes"),
        (
            {"action": "edit", "moderator": "ana", "changes": {"status": "approved"}},
            ValueError,
            "status",
        ),
        ({"action": "edit", "moderator": "ana", "changes": {"id": "cs-x"}}, ValueError, "'id'"),
        ({"action": "edit", "moderator": "ana", "changes": {"lat": 123}}, ValueError, "Latitude"),
        ({"action": "edit", "moderator": "ana", "changes": {"name": 5}}, TypeError, "name"),
        ({"action": "edit", "moderator": "ana", "changes": {"name": ""}}, ValueError, "name"),
    ],
)
def test_bad_moderation_changes_nothing(
    store: Store, kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    submitted = store.submit(place())
    with pytest.raises(error, match=match):
        store.moderate(submitted.id, **kwargs)  # type: ignore[arg-type]
    assert store.get(submitted.id) == submitted
    assert store.audit_log().empty


def test_moderating_an_unknown_place(store: Store) -> None:
    with pytest.raises(PlaceNotFoundError):
        store.moderate("cs-missing", action="approve", moderator="ana")
    assert store.audit_log().empty


def _break_audit_inserts(store: Store) -> None:
    """Make every insert into the audit table fail, to see the change roll back with it."""
    if isinstance(store, SQLiteStore):
        store._conn.execute(
            "CREATE TRIGGER no_audit BEFORE INSERT ON place_audit "
            "BEGIN SELECT RAISE(ABORT, 'audit refused'); END"
        )
        return
    assert isinstance(store, PostGISStore)
    with store._engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE FUNCTION no_audit() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'audit refused'; END $$"
            )
        )
        conn.execute(
            sa.text(
                "CREATE TRIGGER no_audit BEFORE INSERT ON place_audit "
                "FOR EACH ROW EXECUTE FUNCTION no_audit()"
            )
        )


def test_change_and_audit_row_are_one_transaction(store: Store) -> None:
    submitted = store.submit(place())
    _break_audit_inserts(store)
    with pytest.raises((sqlite3.DatabaseError, sa.exc.DBAPIError), match="audit refused"):
        store.moderate(submitted.id, action="approve", moderator="ana", changes={"name": "X"})
    assert store.get(submitted.id) == submitted  # the update was rolled back with the audit row
    assert store.approved().empty
    assert store.integrity_check() == "ok"


def test_audit_log_limit(store: Store) -> None:
    submitted = store.submit(place())
    for hours in ("1", "2", "3"):
        store.moderate(submitted.id, action="edit", moderator="ana", changes={"hours": hours})
    log = store.audit_log(limit=2)
    assert [json.loads(a)["hours"] for a in log["after"]] == ["3", "2"]
    with pytest.raises(ValueError, match="limit"):
        store.audit_log(limit=0)


# --------------------------------------------------------------------------- approved layer


def test_approved_layer_like_the_bundled_ones(store: Store) -> None:
    bosa = store.submit(place("Bosa"))
    medellin = store.submit(place("Medellín", lon=-75.57, lat=6.25, city="Medellín"))
    store.submit(place("Pendiente"))
    rejected = store.submit(place("Rechazada"))
    store.moderate(bosa.id, action="approve", moderator="ana")
    approved_medellin = store.moderate(medellin.id, action="approve", moderator="ana")
    store.moderate(rejected.id, action="reject", moderator="ana")

    layer = store.approved()
    assert layer.crs.to_epsg() == 4326
    assert list(layer.columns) == [*APPROVED_COLUMNS, "geometry"]
    assert layer["id"].tolist() == [bosa.id, medellin.id]
    row = layer.set_index("id").loc[medellin.id]
    assert row["name"] == "Medellín"
    assert row["source"] == "community submission"
    assert bool(row["community_sourced"]) is True
    assert row["last_verified"] == approved_medellin.verified_at[:10]
    assert (row["country"], row["city"], row["location_precision"]) == ("CO", "Medellín", "exact")
    assert (row["description_es"], row["description_en"]) == ("", "")
    assert (row.geometry.x, row.geometry.y) == (-75.57, 6.25)
    assert "how_known" not in layer.columns and "submitter" not in layer.columns


def test_approved_empty_has_the_columns(store: Store) -> None:
    layer = store.approved()
    assert layer.empty
    assert list(layer.columns) == [*APPROVED_COLUMNS, "geometry"]
    assert layer.crs.to_epsg() == 4326


def test_approved_bbox(store: Store) -> None:
    ids = {}
    for name, lon, lat in [
        ("Bosa", -74.19, 4.62),
        ("Usme", -74.12, 4.48),
        ("Medellín", -75.57, 6.25),
        ("Lima", -77.03, -12.05),
    ]:
        ids[name] = store.submit(place(name, lon=lon, lat=lat)).id
        store.moderate(ids[name], action="approve", moderator="ana")
    assert set(store.approved(bbox=BOGOTA)["name"]) == {"Bosa", "Usme"}
    assert set(store.approved(bbox=(-80.0, -15.0, -70.0, 0.0))["name"]) == {"Lima"}
    assert store.approved(bbox=(0.0, 0.0, 1.0, 1.0)).empty
    # edges count as inside; a hair outside does not (the R-tree's float32 boxes are trimmed)
    assert store.approved(bbox=(-74.19, 4.62, -74.19, 4.62))["name"].tolist() == ["Bosa"]
    assert store.approved(bbox=(-74.19 + 1e-9, 4.62, -74.0, 4.7)).empty
    assert len(store.approved()) == 4


def test_bad_bbox(store: Store) -> None:
    with pytest.raises(ValueError, match="minimum above"):
        store.approved(bbox=(-73.0, 4.0, -74.0, 5.0))
    with pytest.raises(ValueError, match="bbox"):
        store.approved(bbox=("a", 1, 2, 3))  # type: ignore[arg-type]


def _approved_places(specs: list[tuple[str, float, float]]) -> list[store_module.Place]:
    """Approved places ready for ``Store._insert_many`` (one transaction for all of them)."""
    now = "2026-01-31T14:00:00.000000+00:00"
    return [
        store_module.Place(
            **dataclasses.asdict(place(name, lon=lon, lat=lat)),
            id=f"cs-{n:032x}",
            status="approved",
            submitted_at=now,
            verified_at=now,
            moderated_by="ana",
        )
        for n, (name, lon, lat) in enumerate(specs)
    ]


def _grid(rows: int, cols: int, *, lon0: float, lat0: float, step: float):
    """``rows * cols`` named points on a regular lon/lat grid (names carry the cell)."""
    return [
        (f"g{r}_{c}", lon0 + c * step, lat0 + r * step) for r in range(rows) for c in range(cols)
    ]


def _sqlite_plan(handle: SQLiteStore, bbox: tuple[float, float, float, float]) -> str:
    min_lon, min_lat, max_lon, max_lat = bbox
    plan = handle._conn.execute(
        "EXPLAIN QUERY PLAN " + store_module._SQLITE_SELECT_BBOX,
        {
            "status": "approved",
            "min_lon": min_lon,
            "min_lat": min_lat,
            "max_lon": max_lon,
            "max_lat": max_lat,
            "limit": -1,
            "offset": 0,
        },
    ).fetchall()
    return " | ".join(row[-1] for row in plan)  # places_rtree is aliased r, places p


def _assert_rtree_searches(details: str) -> None:
    """The plan starts with a box search of the R-tree (``places_rtree``, alias ``r``).

    SQLite's R-tree plans a spatial search as index 2 with one constraint code per
    bound (``B0D1B2D3``: min_x <=, max_x >=, ...); index 1 would be a look-up by rid,
    i.e. a scan of ``places`` with the R-tree consulted row by row.
    """
    first = details.split(" | ")[0]
    assert first.startswith("SCAN r VIRTUAL TABLE INDEX 2:"), details
    assert all(code in first for code in ("B0", "D1", "B2", "D3")), details
    assert "SEARCH p USING INTEGER PRIMARY KEY" in details, details
    assert "SCAN p" not in details, details


def _postgis_plan(
    handle: PostGISStore, bbox: tuple[float, float, float, float], *, seqscan: bool
) -> str:
    query = store_module._pg_select(status="approved", bbox=bbox)
    with handle._engine.begin() as conn:
        if not seqscan:
            conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
        compiled = query.compile(dialect=conn.dialect)
        plan = conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params).scalars().all()
    return "\n".join(plan)


def test_bbox_query_uses_the_spatial_index(store: Store) -> None:
    if isinstance(store, SQLiteStore):
        _assert_rtree_searches(_sqlite_plan(store, (-75.0, 4.0, -74.0, 5.0)))
        return
    assert isinstance(store, PostGISStore)
    # a small table: forbid the sequential scan to see that the index can answer the box
    plan = _postgis_plan(store, (-75.0, 4.0, -74.0, 5.0), seqscan=False)
    assert "idx_places_geom" in plan, plan  # the GIST index answers the box


def test_bbox_returns_exactly_the_places_inside(store: Store) -> None:
    # a 5 x 5 grid 0.01 degrees apart; the boxes below have grid points on their edges
    store._insert_many(_approved_places(_grid(5, 5, lon0=-74.10, lat0=4.60, step=0.01)))
    lon = [-74.10 + c * 0.01 for c in range(5)]
    lat = [4.60 + r * 0.01 for r in range(5)]
    box = (lon[1], lat[1], lon[3], lat[3])
    nine = sorted(f"g{r}_{c}" for r in (1, 2, 3) for c in (1, 2, 3))
    assert sorted(store.approved(bbox=box)["name"]) == nine  # edges and corners are inside
    hair = 1e-9
    shrunk = (lon[1] + hair, lat[1] + hair, lon[3] - hair, lat[3] - hair)
    assert store.approved(bbox=shrunk)["name"].tolist() == ["g2_2"]  # just outside: excluded
    grown = (lon[1] - hair, lat[1] - hair, lon[3] + hair, lat[3] + hair)
    assert sorted(store.approved(bbox=grown)["name"]) == nine  # no neighbouring row or column
    # a box that is one point, and a box between grid points
    assert store.approved(bbox=(lon[4], lat[0], lon[4], lat[0]))["name"].tolist() == ["g0_4"]
    assert store.approved(bbox=(lon[0] + 0.002, lat[0], lon[0] + 0.008, lat[4])).empty
    # only approved places: a pending one inside the box is not returned
    store.submit(place("Pendiente", lon=lon[2], lat=lat[2]))
    assert sorted(store.approved(bbox=box)["name"]) == nine


def test_bbox_limit_and_pending_pages(store: Store) -> None:
    store._insert_many(_approved_places(_grid(3, 4, lon0=-74.2, lat0=4.5, step=0.02)))
    everything = store.approved(bbox=BOGOTA)
    assert len(everything) == 12
    first = store.approved(bbox=BOGOTA, limit=5)
    assert first["id"].tolist() == everything["id"].head(5).tolist()
    assert len(store.approved(limit=20)) == 12
    with pytest.raises(ValueError, match="limit"):
        store.approved(limit=0)
    queued = [store.submit(place(f"Pendiente {n}")) for n in range(5)]
    assert store.count_pending() == 5
    assert [p.id for p in store.pending(limit=2)] == [p.id for p in queued[:2]]
    assert [p.id for p in store.pending(limit=2, offset=2)] == [p.id for p in queued[2:4]]
    assert [p.id for p in store.pending(limit=2, offset=4)] == [queued[4].id]
    assert store.pending(limit=2, offset=6) == []
    assert len(store.pending()) == 5
    with pytest.raises(ValueError, match="offset"):
        store.pending(limit=2, offset=-1)


def test_bbox_with_many_rows_uses_the_index(store: Store) -> None:
    # 5,000 approved places (100 x 50, 0.01 degrees apart over Bogotá), one transaction
    grid = _grid(50, 100, lon0=-74.40, lat0=4.40, step=0.01)
    store._insert_many(_approved_places(grid))
    assert len(store.approved()) == 5_000
    # a box around 3 x 4 grid points, edges half-way between points
    box = (-74.40 + 9.5 * 0.01, 4.40 + 19.5 * 0.01, -74.40 + 13.5 * 0.01, 4.40 + 22.5 * 0.01)
    found = store.approved(bbox=box)
    expected = {f"g{r}_{c}" for r in range(20, 23) for c in range(10, 14)}
    assert set(found["name"]) == expected
    assert len(found) == 12
    # the whole grid by its own corners (edges inclusive)
    assert len(store.approved(bbox=(-74.40, 4.40, -74.40 + 99 * 0.01, 4.40 + 49 * 0.01))) == 5_000
    if isinstance(store, SQLiteStore):
        with store._lock:
            store._conn.execute("ANALYZE")
        _assert_rtree_searches(_sqlite_plan(store, box))
        return
    assert isinstance(store, PostGISStore)
    with store._engine.begin() as conn:
        conn.execute(sa.text("ANALYZE places"))
    # with statistics and enough rows the planner picks the GIST index by itself
    plan = _postgis_plan(store, box, seqscan=True)
    assert "idx_places_geom" in plan, plan
    assert "Seq Scan on places" not in plan, plan


# --------------------------------------------------------------------------- rate limit


def test_submissions_since_counts_per_session(store: Store) -> None:
    first = store.submit(place("Uno", submitter="s1"))
    store.submit(place("Dos", submitter="s1"))
    store.submit(place("Tres", submitter="s1"))
    store.submit(place("Otra sesión", submitter="s2"))
    long_ago = "2000-01-01T00:00:00+00:00"
    assert store.submissions_since("s1", long_ago) == 3
    assert store.submissions_since("s2", long_ago) == 1
    assert store.submissions_since("s3", long_ago) == 0
    assert store.submissions_since("s1", first.submitted_at) == 3  # at or after
    later = dt.datetime.fromisoformat(first.submitted_at) + dt.timedelta(hours=1)
    assert store.submissions_since("s1", later.isoformat()) == 0
    # other spellings of a moment: "Z", naive (taken as UTC), another offset
    assert store.submissions_since("s1", "2000-01-01T00:00:00Z") == 3
    assert store.submissions_since("s1", "2000-01-01T00:00:00") == 3
    an_hour_ago_in_bogota = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).astimezone(
        dt.timezone(dt.timedelta(hours=-5))
    )
    assert store.submissions_since("s1", an_hour_ago_in_bogota.isoformat()) == 3
    with pytest.raises(ValueError, match="ISO 8601"):
        store.submissions_since("s1", "yesterday")


def test_integrity_check(store: Store) -> None:
    store.submit(place())
    assert store.integrity_check() == "ok"


# --------------------------------------------------------------------------- scenarios

SCENARIO = {
    "version": 1,
    "params": {"minutes": 15, "profile": "adult", "groups": ["children", "carers"]},
    "added": [{"name": "Sitio <b>1</b> — Bosa", "lon": -74.19, "lat": 4.62, "origin": "suggested"}],
    "removed": ["mc-03"],
}


def test_scenario_save_get_list_rename_delete(settings: Settings, store: Store) -> None:
    first = store.save_document("scenario", "  Tres manzanas   nuevas ", SCENARIO)
    assert first.id.startswith("sc-") and len(first.id) == 19
    assert first.name == "Tres manzanas nuevas"
    assert first.payload == SCENARIO
    second = store.save_document("scenario", "Otra", {**SCENARIO, "removed": []})
    with open_store(settings) as again:  # committed: another connection sees both
        assert again.get_document("scenario", first.id) == first
        assert [s.id for s in again.documents("scenario")] == [second.id, first.id]
    renamed = store.save_document(
        "scenario", "Renombrado", SCENARIO, document_id=first.id, edit_token=first.edit_token
    )
    assert renamed.created_at == first.created_at
    assert renamed.updated_at > first.updated_at
    assert store.get_document("scenario", first.id).name == "Renombrado"
    assert [s.id for s in store.documents("scenario")] == [first.id, second.id]
    assert [s.id for s in store.documents("scenario", limit=1)] == [first.id]
    store.delete_document("scenario", second.id, edit_token=second.edit_token)
    assert [s.id for s in store.documents("scenario")] == [first.id]
    with pytest.raises(store_module.ScenarioNotFoundError, match="No saved scenario"):
        store.get_document("scenario", second.id)
    with pytest.raises(store_module.ScenarioNotFoundError):
        store.delete_document("scenario", second.id, edit_token=second.edit_token)
    with pytest.raises(store_module.ScenarioNotFoundError):
        store.save_document(
            "scenario", "x", SCENARIO, document_id="sc-nope", edit_token=first.edit_token
        )


@pytest.mark.parametrize(
    ("name", "payload", "match"),
    [
        ("", SCENARIO, "needs a name"),
        ("   ", SCENARIO, "needs a name"),
        ("x" * 121, SCENARIO, "under 120"),
        ("ok", ["not", "an", "object"], "JSON object"),
        ("ok", {"bad": float("nan")}, "cannot be saved as JSON"),
        ("ok", {"sites": "x" * (store_module.MAX_SCENARIO_BYTES + 1)}, "remove some sites"),
    ],
)
def test_bad_scenario_is_refused_and_nothing_saved(
    store: Store, name: str, payload: object, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        store.save_document("scenario", name, payload)  # type: ignore[arg-type]
    assert store.documents("scenario") == []


def test_scenario_sql_is_parameterised(store: Store) -> None:
    hostile = "x'); DROP TABLE scenarios; --"
    saved = store.save_document("scenario", hostile, {"note": hostile})
    assert store.get_document("scenario", saved.id).name == hostile
    with pytest.raises(store_module.ScenarioNotFoundError):
        store.get_document("scenario", "' OR '1'='1")


def test_sqlite_store_of_version_1_gains_the_scenarios_table(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite"
    with open_store(Settings(store_path=path)) as handle:
        kept = handle.submit(place())
    _set_schema_version(path, version=1, drop=("scenarios",))
    with open_store(Settings(store_path=path)) as handle:
        assert handle.get(kept.id) == kept
        saved = handle.save_document("scenario", "Después de actualizar", SCENARIO)
        assert handle.get_document("scenario", saved.id).payload == SCENARIO


def test_stories_are_kept_apart_from_scenarios(settings: Settings, store: Store) -> None:
    story = store.save_document("story", "Presentación concejo", {"version": 1, "views": []})
    scenario = store.save_document("scenario", "Escenario", SCENARIO)
    assert story.id.startswith("st-")
    assert [s.id for s in store.documents("story")] == [story.id]
    assert [s.id for s in store.documents("scenario")] == [scenario.id]
    with pytest.raises(store_module.StoryNotFoundError):
        store.get_document("story", scenario.id)
    renamed = store.save_document(
        "story",
        "Concejo, versión 2",
        {"version": 1, "views": [1]},
        document_id=story.id,
        edit_token=story.edit_token,
    )
    with open_store(settings) as again:
        assert again.get_document("story", story.id) == renamed
    store.delete_document("story", story.id, edit_token=story.edit_token)
    assert store.documents("story") == []
    with pytest.raises(store_module.StoryNotFoundError, match="No saved story"):
        store.delete_document("story", story.id, edit_token=story.edit_token)


def test_sqlite_store_of_version_2_gains_the_stories_table(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite"
    with open_store(Settings(store_path=path)) as handle:
        kept = handle.save_document("scenario", "Guardado antes", SCENARIO)
    _set_schema_version(path, version=2, drop=("stories",))
    with open_store(Settings(store_path=path)) as handle:
        assert handle.get_document("scenario", kept.id) == kept
        assert handle.save_document("story", "Nueva", {"views": []}).id.startswith("st-")


def test_sqlite_store_of_version_3_gains_accounts_and_edit_tokens(tmp_path: Path) -> None:
    path = tmp_path / "v3.sqlite"
    with open_store(Settings(store_path=path)) as handle:
        old = handle.save_document("story", "De antes", {"views": []})
    _set_schema_version(
        path,
        version=3,
        drop=("moderators", "sign_in_throttle", "sign_in_log", "edit_tokens", "store_meta"),
    )
    with open_store(Settings(store_path=path)) as handle:
        assert handle.get_document("story", old.id) == old
        # a story saved before edit tokens existed: only a moderator may change it
        assert not handle.can_edit_document("story", old.id, old.edit_token)
        handle.add_moderator("Ana", password_hash=HASH)
        handle.delete_document("story", old.id, moderator="Ana")
        assert handle.documents("story") == []


# --------------------------------------------------------------------------- edit tokens

HASH = "scrypt$16384$8$1$" + "00" * 16 + "$" + "11" * 32  # shape only: never checked here


@pytest.mark.parametrize("kind", ["story", "scenario"])
def test_shared_documents_change_only_with_their_edit_token(store: Store, kind: str) -> None:
    save = functools.partial(store.save_document, kind)
    delete = functools.partial(store.delete_document, kind)
    can_edit = functools.partial(store.can_edit_document, kind)
    get = functools.partial(store.get_document, kind)

    mine = save("Mía", {"views": []})
    other = save("Otra", {"views": []})
    assert len(mine.edit_token) >= 32
    assert mine.edit_token != other.edit_token
    assert get(mine.id).edit_token == ""  # the token is returned once, never read back
    assert can_edit(mine.id, mine.edit_token)
    for wrong in (None, "", other.edit_token, mine.edit_token + "x"):
        assert not can_edit(mine.id, wrong)
        with pytest.raises(store_module.EditDeniedError, match="edit link or a moderator"):
            save("Renombrada", {"views": []}, document_id=mine.id, edit_token=wrong)
        with pytest.raises(store_module.EditDeniedError):
            delete(mine.id, edit_token=wrong)
    assert get(mine.id).name == "Mía"
    with pytest.raises(store_module.EditDeniedError, match="not a moderator account"):
        delete(mine.id, moderator="Nadie")
    save("Renombrada", {"views": []}, document_id=mine.id, edit_token=mine.edit_token)
    assert get(mine.id).name == "Renombrada"
    store.add_moderator("Ana", password_hash=HASH)
    delete(other.id, moderator="Ana")
    delete(mine.id, edit_token=mine.edit_token)
    assert not can_edit(mine.id, mine.edit_token)  # its token went with it


# --------------------------------------------------------------------------- accounts


def test_moderator_accounts(settings: Settings, store: Store) -> None:
    assert store.moderators() == []
    added = store.add_moderator("  Ana María ", password_hash=HASH)
    assert added.name == "Ana María"
    with pytest.raises(ValueError, match="exists already"):
        store.add_moderator("Ana María", password_hash=HASH)
    store.add_moderator("Beto", password_hash=HASH)
    with open_store(settings) as again:
        assert [m.name for m in again.moderators()] == ["Ana María", "Beto"]
        assert again.moderator_password_hash("Ana María") == HASH
    new_hash = HASH.replace("11", "22")
    store.set_moderator_password("Beto", password_hash=new_hash)
    assert store.moderator_password_hash("Beto") == new_hash
    store.remove_moderator("Beto")
    assert store.moderator_password_hash("Beto") is None
    with pytest.raises(store_module.ModeratorNotFoundError):
        store.remove_moderator("Beto")
    with pytest.raises(store_module.ModeratorNotFoundError):
        store.set_moderator_password("Beto", password_hash=HASH)
    for bad_name in ("", "  ", "x" * 81, "Ana\x1b[31m"):
        with pytest.raises(ValueError, match="name"):
            store.add_moderator(bad_name, password_hash=HASH)
    with pytest.raises(ValueError, match="scrypt"):
        store.add_moderator("Carla", password_hash="plain text")  # noqa: S106
    assert [m.name for m in store.moderators()] == ["Ana María"]


def test_failed_sign_ins_lock_per_key_and_outlive_the_connection(
    settings: Settings, store: Store
) -> None:
    keys = ["account:Ana", "client:c1"]
    assert store.sign_in_wait_s(keys) == 0.0
    waits = [
        store.record_sign_in_failure(keys, name="Ana", client="c1", lock_s=lambda n: 100.0 * n)
        for _ in range(3)
    ]
    assert waits[0] == pytest.approx(100, abs=2)
    assert waits[2] == pytest.approx(300, abs=2)
    with open_store(settings) as again:  # another connection (a new session) sees it
        assert again.sign_in_wait_s(["account:Ana"]) == pytest.approx(300, abs=2)
        assert again.sign_in_wait_s(["client:c1"]) == pytest.approx(300, abs=2)
        assert again.sign_in_wait_s(["account:Beto", "client:c1"]) > 200  # same client
        assert again.sign_in_wait_s(["account:Beto", "client:c2"]) == 0.0
    # a try while locked is logged, not counted
    store.record_sign_in_failure(
        keys, name="Ana", client="c1", lock_s=lambda n: 1e6, event="locked"
    )
    assert store.sign_in_wait_s(keys) < 400
    store.record_sign_in(["account:Ana", "client:c1"], name="Ana", client="c1")
    assert store.sign_in_wait_s(keys) == 0.0
    log_rows = store.sign_in_log()
    assert list(log_rows.columns) == list(store_module.SIGN_IN_LOG_COLUMNS)
    assert list(log_rows["event"]) == ["signed_in", "locked", "failed", "failed", "failed"]
    assert set(log_rows["name"]) == {"Ana"}


def test_old_failures_are_forgotten(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "FAILURE_MEMORY", dt.timedelta(0))
    for _ in range(3):
        wait = store.record_sign_in_failure(["k"], name="x", client="c", lock_s=lambda n: 10.0 * n)
    assert wait == pytest.approx(10, abs=2)  # each failure starts the count again


def test_client_key_is_stable_opaque_and_per_address(settings: Settings, store: Store) -> None:
    key = store.client_key("203.0.113.7")
    assert key.startswith("client-")
    assert "203.0.113.7" not in key  # (a hex digest may contain "203" by chance)
    with open_store(settings) as again:
        assert again.client_key("203.0.113.7") == key
    assert store.client_key("203.0.113.8") != key
    assert store.client_key(None) == store.client_key("") != key
