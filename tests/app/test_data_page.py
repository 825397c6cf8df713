"""AppTest on the Data page: uploads, questions, suggestions, moderation, community places on the map."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from geo import moderators
from geo.community import hash_password
from geo.settings import Settings, get_settings
from geo.store import NewPlace, open_store
from tests.app.conftest import PROJECT, markers_by_layer, run_app

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
    _button(at, "Sign in").click().run()
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


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


def _upload(at, name: str, data: bytes, mime: str = "application/geo+json") -> None:
    at.file_uploader[0].set_value((name, data, mime)).run()
    assert not at.exception, [e.message for e in at.exception]


def test_upload_preview_accept_then_bad_file_keeps_it() -> None:
    at = run_app("pages/data.py", lang="en")
    _upload(at, "hogares.geojson", _geojson(["Casa de cuidado Bolívar", "Jardín"]))
    assert any("Preview of “hogares.geojson”: 2 features" in s.value for s in at.subheader)
    _button(at, "Add to my layers").click().run()
    assert any("hogares.geojson" in s.value for s in at.success)

    _upload(at, "roto.geojson", b'{"type": "FeatureCollection", "features": [')
    errors = [e.value for e in at.error]
    assert errors
    assert "roto.geojson" in errors[0]
    assert "/tmp" not in errors[0]  # noqa: S108
    assert any("earlier layers are as they were" in c.value for c in at.caption)
    assert any(e.label.startswith("hogares.geojson") for e in at.expander)

    at.switch_page(str(PROJECT / "pages/explore.py")).run()
    assert markers_by_layer(at).get("user_0") == 2


def test_a_question_is_asked_and_answered() -> None:
    # metres in MAGNA-SIRGAS / Colombia Bogota zone (EPSG:3116) without a declared CRS
    csv = "nombre;x;y\nCasa de cuidado;1000000;1000000\nJardín;1000500;1000400\n".encode()
    at = run_app("pages/data.py", lang="en")
    _upload(at, "sin_crs.csv", csv, "text/csv")
    assert at.radio, "a question should be asked"
    question = at.radio[0]
    assert question.options[0].startswith("EPSG:3116 · MAGNA-SIRGAS / Colombia Bogota zone")
    question.set_value("EPSG:3116").run()
    _button(at, "Continue").click().run()
    assert not at.exception
    assert any("sin_crs.csv" in s.value and "2 features" in s.value for s in at.subheader)


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

    # a wrong password is refused; so is a name that is no account, with the right password
    _sign_in(at, "Ana", "wrong password")
    assert any("Wrong name or password" in e.value for e in at.error)
    _sign_in(at, "Mallory", PASSWORD)
    assert any("Wrong name or password" in e.value for e in at.error)
    assert not any("Moderating as" in c.value for c in at.caption)
    at = run_app("pages/data.py", lang="en")  # lockouts are off in this test (LOCK_BASE_S=0)
    _sign_in(at, "  Ana ", PASSWORD)
    assert any("Moderating as Ana" in c.value for c in at.caption)
    _button(at, "Approve").click().run()
    assert not at.exception
    audit = next(df.value for df in at.dataframe if "moderator" in df.value.columns)
    assert list(audit["moderator"]) == ["Ana"]  # the account's name, not the typed text
    assert list(audit["action"]) == ["approve"]
    sign_ins = next(df.value for df in at.dataframe if "event" in df.value.columns)
    assert list(sign_ins["event"]) == ["signed_in", "failed", "failed"]
    assert list(sign_ins["name"]) == ["Ana", "Mallory", "Ana"]

    at.switch_page(str(PROJECT / "pages/explore.py")).run()
    assert markers_by_layer(at).get("community") == 1


def test_suggestions_are_rate_limited_across_sessions(private_store: Path) -> None:
    at = run_app("pages/data.py", lang="en")
    for n in range(5):
        _suggest(at, f"Lugar de cuidado {n}")
    assert not at.error
    at = run_app("pages/data.py", lang="en")  # a new session from the same address
    _suggest(at, "Lugar de cuidado 6")
    assert any("in the last hour" in e.value for e in at.error)
    with open_store(Settings(store_path=private_store)) as store:
        assert store.count_pending() == 5


def test_a_lockout_survives_a_new_session(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(moderators, "LOCK_BASE_S", 600.0)
    at = run_app("pages/data.py", lang="en")
    with caplog.at_level(logging.WARNING, logger="geo.moderators"):
        _sign_in(at, "Ana", "wrong password")
    assert any("Failed moderator sign-in as 'Ana'" in r.getMessage() for r in caplog.records)
    at = run_app("pages/data.py", lang="en")  # a new session, the right password
    _sign_in(at, "Ana", PASSWORD)
    assert any("Too many attempts" in e.value for e in at.error)
    assert not any("Moderating as" in c.value for c in at.caption)
    assert not any(b.label == "Approve" for b in at.button)


def test_no_account_means_moderation_is_off(private_store: Path) -> None:
    with open_store(Settings(store_path=private_store)) as store:
        store.remove_moderator("Ana")
    at = run_app("pages/data.py", lang="en")
    assert any("python -m geo moderator add" in i.value for i in at.info)
    assert not any(b.label == "Sign in" for b in at.button)


def test_the_old_shared_password_becomes_the_account_moderator(
    private_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARE_ATLAS_MODERATOR_PASSWORD_HASH", HASH)
    get_settings.cache_clear()
    at = run_app("pages/data.py", lang="en")
    assert any("deprecated" in w.value for w in at.warning)
    _sign_in(at, "Ana Typed", PASSWORD)  # any name with the shared password: refused
    assert not any("Moderating as" in c.value for c in at.caption)
    _sign_in(at, "moderator", PASSWORD)
    assert any("Moderating as moderator" in c.value for c in at.caption)
    with open_store(Settings(store_path=private_store)) as store:
        assert [m.name for m in store.moderators()] == ["Ana", "moderator"]


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
    _sign_in(at, "Ana", PASSWORD)
    assert any("25 suggestions waiting; showing 1 to 20" in c.value for c in at.caption)
    assert sum(b.label == "Approve" for b in at.button) == 20
    at.number_input(key="mod_page_2").set_value(2).run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("showing 21 to 25" in c.value for c in at.caption)
    assert sum(b.label == "Approve" for b in at.button) == 5
    assert any("Lugar 24" in m.value for m in at.markdown)
