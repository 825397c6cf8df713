"""AppTest on the Data page: uploads, questions, suggestions, moderation, community places on the map."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.community import hash_password
from geo.settings import Settings, get_settings
from geo.store import NewPlace, open_store
from tests.app.conftest import PROJECT, markers_by_layer, run_app
from ui import safe

PASSWORD = "correct horse battery"  # noqa: S105 (a test password)


@pytest.fixture(autouse=True)
def private_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "store.sqlite"
    monkeypatch.setenv("CARE_ATLAS_STORE_PATH", str(path))
    monkeypatch.setenv("CARE_ATLAS_MODERATOR_PASSWORD_HASH", hash_password(PASSWORD))
    get_settings.cache_clear()
    return path


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


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


def _upload(at, name: str, data: bytes, mime: str = "application/geo+json") -> None:
    at.file_uploader[0].set_value((name, data, mime)).run()
    assert not at.exception, [e.message for e in at.exception]


def test_upload_preview_accept_then_bad_file_keeps_it() -> None:
    at = run_app("pages/data.py", lang="en")
    _upload(at, "hogares.geojson", _geojson(["Casa de cuidado Bolívar", "Jardín"]))
    # names from the file are shown as text: escaped Markdown, read back unescaped
    assert any(
        "Preview of “hogares.geojson”: 2 features" in safe.unmarkdown(s.value) for s in at.subheader
    )
    _button(at, "Add to my layers").click().run()
    assert any("hogares.geojson" in safe.unmarkdown(s.value) for s in at.success)

    _upload(at, "roto.geojson", b'{"type": "FeatureCollection", "features": [')
    errors = [safe.unmarkdown(e.value) for e in at.error]
    assert errors
    assert "roto.geojson" in errors[0]
    assert "/tmp" not in errors[0]  # noqa: S108
    assert any("earlier layers are as they were" in c.value for c in at.caption)
    assert any(safe.unmarkdown(e.label).startswith("hogares.geojson") for e in at.expander)

    at.switch_page(str(PROJECT / "pages/explore.py")).run()
    assert markers_by_layer(at).get("user_0") == 2


def test_a_question_is_asked_and_answered() -> None:
    # metres in MAGNA-SIRGAS / Colombia Bogota zone (EPSG:3116) without a declared CRS
    csv = "nombre;x;y\nCasa de cuidado;1000000;1000000\nJardín;1000500;1000400\n".encode()
    at = run_app("pages/data.py", lang="en")
    _upload(at, "sin_crs.csv", csv, "text/csv")
    assert at.radio, "a question should be asked"
    question = at.radio[0]
    option = safe.unmarkdown(question.options[0])
    assert option.startswith("EPSG:3116 · MAGNA-SIRGAS / Colombia Bogota zone")
    question.set_value("EPSG:3116").run()
    _button(at, "Continue").click().run()
    assert not at.exception
    assert any("sin_crs.csv" in safe.unmarkdown(s.value) for s in at.subheader)
    assert any("2 features" in s.value for s in at.subheader)


def _suggest(at, name: str) -> None:
    form_inputs = [w for w in at.text_input if w.label == "Name of the place"]
    form_inputs[0].input(name)
    next(m for m in at.multiselect if m.label == "What it offers").set_value(["child_care"])
    _button(at, "Send suggestion").click().run()
    assert not at.exception, [e.message for e in at.exception]


def test_suggest_moderate_and_publish() -> None:
    at = run_app("pages/data.py", lang="en")
    _suggest(at, "Casa comunitaria de cuidado La Esperanza")
    assert any("Saved" in s.value for s in at.success)

    # a wrong password is refused, the right one signs in
    inputs = {w.label: w for w in at.text_input}
    inputs["Your name (kept in the log)"].input("Ana")
    inputs["Password"].input("wrong password")
    _button(at, "Sign in").click().run()
    assert any("Wrong name or password" in e.value for e in at.error)
    at = run_app("pages/data.py", lang="en")  # a new session: no lockout carried over
    inputs = {w.label: w for w in at.text_input}
    inputs["Your name (kept in the log)"].input("Ana")
    inputs["Password"].input(PASSWORD)
    _button(at, "Sign in").click().run()
    assert any("Moderating as Ana" in c.value for c in at.caption)
    _button(at, "Approve").click().run()
    assert not at.exception
    audit = next(df.value for df in at.dataframe if "moderator" in df.value.columns)
    assert list(audit["moderator"]) == ["Ana"]
    assert list(audit["action"]) == ["approve"]

    at.switch_page(str(PROJECT / "pages/explore.py")).run()
    assert markers_by_layer(at).get("community") == 1


def test_suggestions_are_rate_limited() -> None:
    at = run_app("pages/data.py", lang="en")
    for n in range(5):
        _suggest(at, f"Lugar de cuidado {n}")
    _suggest(at, "Lugar de cuidado 6")
    assert any("in the last hour" in e.value for e in at.error)


def test_a_place_name_sets_the_suggestion_point() -> None:
    at = run_app("pages/data.py", lang="en")
    at.text_input(key="suggest_find").input("Fontivon").run()  # a typo for Fontibón
    button = next(b for b in at.button if b.label.startswith("Fontibón"))
    button.click().run()
    assert not at.exception, [e.message for e in at.exception]
    lat = at.number_input(key="suggest_lat").value
    lon = at.number_input(key="suggest_lon").value
    assert 4.6 < lat < 4.75
    assert -74.2 < lon < -74.1


def test_the_moderation_queue_is_paged(private_store: Path) -> None:
    with open_store(Settings(store_path=private_store)) as store:
        for n in range(25):
            store.submit(
                NewPlace(
                    name=f"Lugar {n:02d}",
                    kind="care_block",
                    populations="children",
                    services="child_care",
                    operator="community",
                    lon=-74.1 + 0.01 * n,
                    lat=4.6,
                )
            )
    at = run_app("pages/data.py", lang="en")
    inputs = {w.label: w for w in at.text_input}
    inputs["Your name (kept in the log)"].input("Ana")
    inputs["Password"].input(PASSWORD)
    _button(at, "Sign in").click().run()
    assert any("25 suggestions waiting; showing 1 to 20" in c.value for c in at.caption)
    assert sum(b.label == "Approve" for b in at.button) == 20
    at.number_input(key="mod_page_2").set_value(2).run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("showing 21 to 25" in c.value for c in at.caption)
    assert sum(b.label == "Approve" for b in at.button) == 5
    assert any("Lugar 24" in m.value for m in at.markdown)
