"""AppTest: a store that cannot be opened is said in plain words, never with its path (14.6).

The store file here is not a database, so every open raises ``StoreError`` whose
message starts with the file's path. The person must read plain words, the path only
goes to the server log, and the rest of the page keeps working.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.community import hash_password
from geo.settings import get_settings
from tests.app.conftest import button, run_app

PASSWORD = "correct horse battery"  # noqa: S105 (a test password)
PLAIN = "the database is not answering"


@pytest.fixture(autouse=True)
def broken_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "private-folder" / "store.sqlite"
    path.parent.mkdir()
    path.write_bytes(b"this is not an SQLite database\n" * 200)
    monkeypatch.setenv("CARE_ATLAS_STORE_PATH", str(path))
    monkeypatch.setenv("CARE_ATLAS_MODERATOR_PASSWORD_HASH", hash_password(PASSWORD))
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def everything_shown(at) -> str:
    """Every text the page sent, in one string."""
    kinds = (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "error",
        "warning",
        "info",
        "success",
        "code",
        "exception",
    )
    parts = [str(getattr(e, "value", "")) for kind in kinds for e in getattr(at, kind)]
    parts += [str(e.message) for e in at.exception]
    return "\n".join(parts)


def assert_no_path(at, path: Path) -> None:
    text = everything_shown(at)
    for secret in (str(path), str(path.parent), "store.sqlite", "private-folder"):
        assert secret not in text, secret


def test_present_story_link_with_a_broken_store(broken_store: Path) -> None:
    at = run_app("app_pages/present.py", story="abc123", lang="en")
    errors = [e.value for e in at.error]
    assert errors == [
        f"Could not open the story: {PLAIN}. Try again in a moment or tell "
        "whoever runs this site (the reason is in its log)."
    ]
    assert_no_path(at, broken_store)
    # the rest of the page works: the sample story is shown and can be presented
    assert any(b.label == "Present" for b in at.button)


def test_plan_scenario_link_with_a_broken_store(broken_store: Path) -> None:
    at = run_app("app_pages/plan.py", scenario="abc123", lang="en")
    assert any(e.value.startswith(f"Could not open the scenario: {PLAIN}") for e in at.error)
    assert_no_path(at, broken_store)
    assert at.metric, "the plan's figures are still shown"


def _download_tab_drawn(at) -> bool:
    return {"GeoJSON", "GeoPackage", "CSV"} <= {d.proto.label for d in at.get("download_button")}


def test_suggest_with_a_broken_store(broken_store: Path) -> None:
    at = run_app("app_pages/data.py", lang="en")
    next(w for w in at.text_input if w.label == "Name of the place").input("Casa de cuidado Bosa")
    next(m for m in at.multiselect if m.label == "What it offers").set_value(["child_care"])
    button(at, "Send suggestion").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(e.value.startswith(f"The suggestion could not be saved: {PLAIN}") for e in at.error)
    assert_no_path(at, broken_store)
    assert _download_tab_drawn(at)


def test_moderate_with_a_broken_store(broken_store: Path) -> None:
    # Moderator accounts live in the store: with the store broken, the Moderate tab says
    # so in plain words (no sign-in form, no path) and the rest of the page still draws.
    at = run_app("app_pages/data.py", lang="en")
    assert not at.exception, [e.message for e in at.exception]
    assert any(e.value.startswith("The suggestions store cannot be opened now") for e in at.error)
    assert_no_path(at, broken_store)
    assert _download_tab_drawn(at)
