"""AppTest on the Data page: uploads, questions, suggestions, moderation, community places on the map."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from geo import moderators
from geo.community import hash_password
from geo.settings import Settings, get_settings
from geo.store import open_store
from tests.app.conftest import PROJECT, button, markers_by_layer, run_app
from tests.places import add_child_care_block
from ui.render import safe

PASSWORD = "correct horse battery"  # noqa: S105 (a test password)
ACCOUNT = "Moderator account"  # the sign-in form's labels
HASH = hash_password(PASSWORD)


@pytest.fixture(autouse=True)
def private_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store with one moderator account, Ana; no lockout unless a test asks for one."""
    path = tmp_path / "store.sqlite"
    monkeypatch.setenv("CARE_ATLAS_STORE_PATH", str(path))
    monkeypatch.delenv("CARE_ATLAS_MODERATOR_PASSWORD_HASH", raising=False)
    monkeypatch.setattr(moderators, "LOCK_BASE_S", 0.0)
    get_settings.cache_clear()
    with open_store(Settings(store_path=path)) as store:
        store.add_moderator("Ana", password_hash=HASH)
    return path


def _sign_in(at, name: str, password: str) -> None:
    inputs = {w.label: w for w in at.text_input}
    inputs[ACCOUNT].input(name)
    inputs["Password"].input(password)
    button(at, "Sign in").click().run()
    assert not at.exception, [e.message for e in at.exception]


def _geojson(names: list[str]) -> bytes:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [-74.08 + 0.01 * i, 4.6]},
                    "properties": {"name": name},
                }
                for i, name in enumerate(names)
            ],
        },
        ensure_ascii=False,
    ).encode("utf-8")


def _upload(at, name: str, data: bytes, mime: str = "application/geo+json") -> None:
    at.file_uploader[0].set_value((name, data, mime)).run()
    assert not at.exception, [e.message for e in at.exception]


def test_upload_preview_accept_then_bad_file_keeps_it() -> None:
    at = run_app("app_pages/data.py", lang="en")
    _upload(at, "hogares.geojson", _geojson(["Casa de cuidado Bolívar", "Jardín"]))
    # names from the file are shown as text: escaped Markdown, read back unescaped
    assert any(
        "Preview of “hogares.geojson”: 2 features" in safe.unmarkdown(s.value) for s in at.subheader
    )
    button(at, "Add to my layers").click().run()
    assert any("hogares.geojson" in safe.unmarkdown(s.value) for s in at.success)

    _upload(at, "roto.geojson", b'{"type": "FeatureCollection", "features": [')
    errors = [safe.unmarkdown(e.value) for e in at.error]
    assert errors
    assert "roto.geojson" in errors[0]
    assert "/tmp" not in errors[0]  # noqa: S108
    assert any("earlier layers are as they were" in c.value for c in at.caption)
    assert any(safe.unmarkdown(e.label).startswith("hogares.geojson") for e in at.expander)

    at.switch_page(str(PROJECT / "app_pages/explore.py")).run()
    assert markers_by_layer(at).get("user_0") == 2


def test_a_question_is_asked_and_answered() -> None:
    # metres in MAGNA-SIRGAS / Colombia Bogota zone (EPSG:3116) without a declared CRS
    csv = "nombre;x;y\nCasa de cuidado;1000000;1000000\nJardín;1000500;1000400\n".encode()
    at = run_app("app_pages/data.py", lang="en")
    _upload(at, "sin_crs.csv", csv, "text/csv")
    assert at.radio, "a question should be asked"
    question = at.radio[0]
    option = safe.unmarkdown(question.options[0])
    assert option.startswith("EPSG:3116 · MAGNA-SIRGAS / Colombia Bogota zone")
    question.set_value("EPSG:3116").run()
    button(at, "Continue").click().run()
    assert not at.exception
    assert any("sin_crs.csv" in safe.unmarkdown(s.value) for s in at.subheader)
    assert any("2 features" in s.value for s in at.subheader)


def _suggest(at, name: str) -> None:
    form_inputs = [w for w in at.text_input if w.label == "Name of the place"]
    form_inputs[0].input(name)
    next(m for m in at.multiselect if m.label == "What it offers").set_value(["child_care"])
    button(at, "Send suggestion").click().run()
    assert not at.exception, [e.message for e in at.exception]


def test_suggest_moderate_and_publish() -> None:
    at = run_app("app_pages/data.py", lang="en")
    _suggest(at, "Casa comunitaria de cuidado La Esperanza")
    assert any("Saved" in s.value for s in at.success)

    # a wrong password is refused; so is a name that is no account, with the right password
    _sign_in(at, "Ana", "wrong password")
    assert any("Wrong name or password" in e.value for e in at.error)
    _sign_in(at, "Mallory", PASSWORD)
    assert any("Wrong name or password" in e.value for e in at.error)
    assert not any("Moderating as" in c.value for c in at.caption)
    at = run_app("app_pages/data.py", lang="en")  # lockouts are off in this test (LOCK_BASE_S=0)
    _sign_in(at, "  Ana ", PASSWORD)
    assert any("Moderating as Ana" in c.value for c in at.caption)
    button(at, "Approve").click().run()
    assert not at.exception
    audit = next(df.value for df in at.dataframe if "moderator" in df.value.columns)
    assert list(audit["moderator"]) == ["Ana"]  # the account's name, not the typed text
    assert list(audit["action"]) == ["approve"]
    sign_ins = next(df.value for df in at.dataframe if "event" in df.value.columns)
    assert list(sign_ins["event"]) == ["signed_in", "failed", "failed"]
    assert list(sign_ins["name"]) == ["Ana", "Mallory", "Ana"]

    at.switch_page(str(PROJECT / "app_pages/explore.py")).run()
    assert markers_by_layer(at).get("community") == 1


def test_suggestions_are_rate_limited_across_sessions(private_store: Path) -> None:
    at = run_app("app_pages/data.py", lang="en")
    for n in range(5):
        _suggest(at, f"Lugar de cuidado {n}")
    assert not at.error
    at = run_app("app_pages/data.py", lang="en")  # a new session from the same address
    _suggest(at, "Lugar de cuidado 6")
    assert any("in the last hour" in e.value for e in at.error)
    with open_store(Settings(store_path=private_store)) as store:
        assert store.count_pending() == 5


def test_a_lockout_survives_a_new_session(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(moderators, "LOCK_BASE_S", 600.0)
    at = run_app("app_pages/data.py", lang="en")
    with caplog.at_level(logging.WARNING, logger="geo.moderators"):
        _sign_in(at, "Ana", "wrong password")
    assert any("Failed moderator sign-in as 'Ana'" in r.getMessage() for r in caplog.records)
    at = run_app("app_pages/data.py", lang="en")  # a new session, the right password
    _sign_in(at, "Ana", PASSWORD)
    assert any("Too many attempts" in e.value for e in at.error)
    assert not any("Moderating as" in c.value for c in at.caption)
    assert not any(b.label == "Approve" for b in at.button)


def test_no_account_means_moderation_is_off(private_store: Path) -> None:
    with open_store(Settings(store_path=private_store)) as store:
        store.remove_moderator("Ana")
    at = run_app("app_pages/data.py", lang="en")
    assert any("python -m geo moderator add" in i.value for i in at.info)
    assert not any(b.label == "Sign in" for b in at.button)


def test_the_old_shared_password_becomes_the_account_moderator(
    private_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARE_ATLAS_MODERATOR_PASSWORD_HASH", HASH)
    get_settings.cache_clear()
    at = run_app("app_pages/data.py", lang="en")
    assert any("deprecated" in w.value for w in at.warning)
    _sign_in(at, "Ana Typed", PASSWORD)  # any name with the shared password: refused
    assert not any("Moderating as" in c.value for c in at.caption)
    _sign_in(at, "moderator", PASSWORD)
    assert any("Moderating as moderator" in c.value for c in at.caption)
    with open_store(Settings(store_path=private_store)) as store:
        assert [m.name for m in store.moderators()] == ["Ana", "moderator"]


def test_a_place_name_sets_the_suggestion_point() -> None:
    at = run_app("app_pages/data.py", lang="en")
    at.text_input(key="suggest_find").input("Fontivon").run()  # a typo for Fontibón
    suggestion = next(b for b in at.button if b.label.startswith("Fontibón"))
    suggestion.click().run()
    assert not at.exception, [e.message for e in at.exception]
    lat = at.number_input(key="suggest_lat").value
    lon = at.number_input(key="suggest_lon").value
    assert 4.6 < lat < 4.75
    assert -74.2 < lon < -74.1


def test_the_moderation_queue_is_paged(private_store: Path) -> None:
    with open_store(Settings(store_path=private_store)) as store:
        for n in range(25):
            add_child_care_block(
                store, approve=False, name=f"Lugar {n:02d}", lon=-74.1 + 0.01 * n, lat=4.6
            )
    at = run_app("app_pages/data.py", lang="en")
    _sign_in(at, "Ana", PASSWORD)
    assert any("25 suggestions waiting; showing 1 to 20" in c.value for c in at.caption)
    assert sum(b.label == "Approve" for b in at.button) == 20
    at.number_input(key="mod_page_2").set_value(2).run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("showing 21 to 25" in c.value for c in at.caption)
    assert sum(b.label == "Approve" for b in at.button) == 5
    assert any("Lugar 24" in m.value for m in at.markdown)


def _bytes_in_session(at) -> int:
    """Bytes of uploaded data the session holds (pending uploads, refused ones)."""
    total = 0
    for key in ("_pending_upload", "_rejected_upload"):
        value = at.session_state[key] if key in at.session_state else None  # noqa: SIM401
        if value is None:
            continue
        data = getattr(value, "data", None)
        total += len(data) if isinstance(data, bytes) else 0
        if isinstance(value, tuple):
            total += sum(len(part) for part in value if isinstance(part, bytes))
    return total


def test_a_file_over_the_cap_is_refused_without_keeping_its_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CARE_ATLAS_MAX_UPLOAD_MB", "1")
    get_settings.cache_clear()
    at = run_app("app_pages/data.py", lang="en")
    # the browser is told the same limit (it refuses a larger file before sending it)
    assert at.file_uploader[0].proto.max_upload_size_mb == 1
    big = b'{"type": "FeatureCollection", "features": []}' + b" " * (2 * 1024 * 1024)
    _upload(at, "grande.geojson", big)
    errors = [safe.unmarkdown(e.value) for e in at.error]
    assert errors == [
        "grande.geojson: the file is 2.0 MB, over the 1 MB upload limit (setting max_upload_mb, "
        "CARE_ATLAS_MAX_UPLOAD_MB); clip or simplify it before uploading."
    ]
    assert _bytes_in_session(at) == 0
    assert at.session_state["_pending_upload"] is None
    assert at.file_uploader[0].value is None  # an empty uploader for the next file
    at.run()  # the person does something else: still nothing held, the message stays
    assert _bytes_in_session(at) == 0
    assert [safe.unmarkdown(e.value) for e in at.error] == errors
    button(at, "Try another file").click().run()
    assert not at.error


def test_a_refused_file_drops_its_bytes_at_once() -> None:
    at = run_app("app_pages/data.py", lang="en")
    _upload(at, "roto.geojson", b'{"type": "FeatureCollection", "features": [' + b" " * 100_000)
    assert any("roto.geojson" in safe.unmarkdown(e.value) for e in at.error)
    assert at.session_state["_pending_upload"] is None
    assert _bytes_in_session(at) == 0


def test_a_file_waiting_for_an_answer_is_held_once() -> None:
    csv = "nombre;x;y\nCasa de cuidado;1000000;1000000\nJardín;1000500;1000400\n".encode()
    at = run_app("app_pages/data.py", lang="en")
    _upload(at, "sin_crs.csv", csv, "text/csv")
    assert at.radio, "a question should be asked"
    assert _bytes_in_session(at) == len(csv)
    at.run()  # (AppTest registers the file again on every run: tests/ui/test_uploads.py
    # checks that Streamlit's own record is dropped)
    assert at.radio, "the question is still asked"
    assert _bytes_in_session(at) == len(csv)


def test_long_values_are_cut_in_the_preview(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARE_ATLAS_MAX_VALUE_CHARS", "1000")
    get_settings.cache_clear()
    at = run_app("app_pages/data.py", lang="en")
    _upload(at, "largo.geojson", _geojson(["z" * 5000, "Jardín"]))
    warnings = [safe.unmarkdown(w.value) for w in at.warning]
    assert "1 value longer than 1,000 characters was cut to 1,000 (columns: name; rows: 1)." in (
        warnings
    )
    shown = at.dataframe[0].value["name"]
    assert shown.iloc[0] == "z" * 199 + "…"
    assert shown.iloc[1] == "Jardín"


def test_the_operator_is_warned_when_streamlits_upload_limit_is_not_the_apps(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="ui.uploads"):
        run_app(lang="en")  # Streamlit's limit (.streamlit/config.toml) is the default cap
    assert not [r for r in caplog.records if "maxUploadSize" in r.getMessage()]
    monkeypatch.setenv("CARE_ATLAS_MAX_UPLOAD_MB", "20")
    get_settings.cache_clear()
    with caplog.at_level(logging.WARNING, logger="ui.uploads"):
        run_app(lang="en")
    warned = [r.getMessage() for r in caplog.records if "maxUploadSize" in r.getMessage()]
    assert warned == [
        "Streamlit's server.maxUploadSize is 50 MB but CARE_ATLAS_MAX_UPLOAD_MB asks for 20 MB: "
        "start the app with 'streamlit run app.py --server.maxUploadSize 20' (make run does)."
    ]


def test_an_imported_layers_long_values_are_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    import geopandas as gpd
    import shapely

    from geo.io import remote

    served = gpd.GeoDataFrame(
        {"nombre": ["x" * 5000, "Bosa"]},
        geometry=[shapely.Point(-74.08, 4.6), shapely.Point(-74.19, 4.61)],
        crs=4326,
    )
    monkeypatch.setenv("CARE_ATLAS_MAX_VALUE_CHARS", "100")
    monkeypatch.setattr(remote, "check_public_host", lambda url, *, lang: None)
    monkeypatch.setattr(remote, "import_arcgis", lambda url, *, max_features, lang: served)
    get_settings.cache_clear()
    at = run_app("app_pages/data.py", lang="en")
    # a loopback address: were the import not replaced here, nothing would leave the machine
    at.text_input(key="import_url").input("http://127.0.0.1:9/arcgis/rest/services/x/0").run()
    button(at, "Import").click().run()
    assert not at.exception, [e.message for e in at.exception]
    warnings = [safe.unmarkdown(w.value) for w in at.warning]
    assert "1 value longer than 100 characters was cut to 100 (columns: nombre; rows: 1)." in (
        warnings
    )
    (layer,) = at.session_state["_user_layers"].values()
    assert list(layer["nombre"].str.len()) == [100, 4]
