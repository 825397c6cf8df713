"""AppTest on the Present page: the sample story, slide figures equal the pages', editing, adding views."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.settings import get_settings
from geo.store import open_store
from tests.app.conftest import button, markers_by_layer, metric_values, run_app
from tests.app.test_view_state_pages import press_add
from ui.render import safe


@pytest.fixture(autouse=True)
def private_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CARE_ATLAS_STORE_PATH", str(tmp_path / "store.sqlite"))
    get_settings.cache_clear()
    return tmp_path


def _titles(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("# ")]


def test_slide_figures_are_the_gaps_pages_figures() -> None:
    gaps = metric_values(run_app("app_pages/gaps.py", lang="en"))
    at = run_app("app_pages/present.py", lang="en", present="1", slide="2")
    assert _titles(at) == ["# Who do they reach within a 15\\-minute walk\\?"]
    shown = metric_values(at)
    for name in ("Early childhood", "Older persons", "People out of reach"):
        if name in shown:
            assert shown[name] == gaps[name], name
    assert len(shown) >= 3
    assert any("2 / 5" in m.value for m in at.markdown)


def test_next_and_previous_move_between_slides() -> None:
    at = run_app("app_pages/present.py", lang="es", present="1", slide="1")
    assert _titles(at) == ["# Las Manzanas del Cuidado de Bogotá"]
    assert markers_by_layer(at)["care_blocks"] == 19
    button(at, "Siguiente").click().run()
    assert at.query_params["slide"] in ("2", ["2"])
    assert _titles(at)[0].startswith("# ¿A quién alcanzan")
    button(at, "Anterior").click().run()
    assert _titles(at) == ["# Las Manzanas del Cuidado de Bogotá"]
    button(at, "Salir").click().run()
    assert not at.exception
    assert "present" not in at.query_params


def test_plan_slide_suggests_three_sites() -> None:
    at = run_app("app_pages/present.py", lang="en", present="1", slide="4")
    assert markers_by_layer(at).get("proposed") == 3
    assert metric_values(at)["New sites"] == "3"


def test_save_a_copy_reorder_and_delete_a_slide() -> None:
    at = run_app("app_pages/present.py", lang="en")
    assert len([b for b in at.button if b.label == "Show"]) == 5
    button(at, "Save a copy").click().run()
    assert not at.exception
    story_id = at.query_params["story"]
    story_id = story_id[0] if isinstance(story_id, list) else story_id
    assert story_id.startswith("st-")
    at.button(key="down_0").click().run()
    at.button(key="del_4").click().run()
    with open_store(get_settings()) as handle:
        views = handle.get_document("story", story_id).payload["views"]
    assert [v["page"] for v in views] == ["gaps", "explore", "gaps", "plan"]


def test_add_a_gaps_view_to_a_new_story() -> None:
    at = run_app("app_pages/gaps.py", lang="en")
    at.slider(key="gaps_minutes").set_value(30).run()
    at.text_input(key="add_view_title_gaps").input("Half an hour").run()
    press_add(at, "gaps", lat="4.70000", lon="-74.05000", z="14")
    assert not at.exception
    assert any("Added to" in s.value for s in at.success)
    with open_store(get_settings()) as handle:
        (story,) = handle.documents("story")
    (view,) = story.payload["views"]
    assert view["page"] == "gaps"
    assert view["params"]["minutes"] == 30
    # the map's position the button sent (where the person had moved the map)
    assert (view["params"]["lat"], view["params"]["lon"], view["params"]["z"]) == (4.7, -74.05, 14)
    # the slide shows the same figures as the page with those parameters
    slide = run_app("app_pages/present.py", lang="en", story=story.id, present="1", slide="1")
    assert metric_values(slide)["Early childhood"] == metric_values(at)["Early childhood"]


def test_exports_are_prepared_then_offered_as_files() -> None:
    """The files are built on request from the views' states and handed over as bytes
    (no deferred download that a rerun could drop)."""
    at = run_app("app_pages/present.py", lang="en")
    assert not at.get("download_button")
    button(at, "Prepare the files").click().run()
    assert not at.exception
    assert not at.error
    buttons = at.get("download_button")
    labels = [b.label for b in buttons]
    for wanted in (
        "Story (offline HTML)",
        "Slides PDF 16:9",
        "Slides PDF A4",
        "Figures (CSV)",
        "Figures (Excel)",
    ):
        assert wanted in labels


def test_unknown_story_link_falls_back_to_the_sample() -> None:
    at = run_app("app_pages/present.py", lang="es", story="st-nope")
    assert any("st-nope" in safe.unmarkdown(e.value) for e in at.error)
    assert len([b for b in at.button if b.label == "Ver"]) == 5


def _story_id(at) -> str:
    story_id = at.query_params["story"]
    return story_id[0] if isinstance(story_id, list) else story_id


def _edit_widgets(at) -> list[str]:
    keys = [b.key for b in at.button if b.key] + [w.key for w in at.text_input if w.key]
    return [k for k in keys if k.startswith(("up_", "down_", "del_", "present_rename"))] + [
        b.label for b in at.button if b.label == "Delete the story"
    ]


def test_a_shared_story_link_is_read_only_in_another_session() -> None:
    mine = run_app("app_pages/present.py", lang="en")
    button(mine, "Save a copy").click().run()
    story_id = _story_id(mine)
    # the maker sees the edit link once, and keeps the right to edit in the session
    (edit_link,) = [c.value for c in mine.code if "&edit=" in c.value]
    assert edit_link.startswith(f"?story={story_id}&edit=")
    assert _edit_widgets(mine)
    mine.button(key="down_0").click().run()
    assert not any("&edit=" in c.value for c in mine.code)  # shown once

    other = run_app("app_pages/present.py", lang="en", story=story_id)
    assert not other.exception
    assert _edit_widgets(other) == []
    assert any("Read only" in c.value for c in other.caption)
    with open_store(get_settings()) as handle:
        assert len(handle.get_document("story", story_id).payload["views"]) == 5
    # nor can it add a view to that story from another page
    gaps = run_app("app_pages/gaps.py", lang="en", story=story_id)
    options = gaps.selectbox(key="add_view_story_gaps_en").options
    assert options == ["A new story"]

    # the edit link gives the right to another session; the token leaves the URL
    token = edit_link.split("&edit=")[1]
    holder = run_app("app_pages/present.py", lang="en", story=story_id, edit=token)
    assert "edit" not in holder.query_params
    button(holder, "Delete the story").click().run()
    assert not holder.exception
    with open_store(get_settings()) as handle:
        assert handle.documents("story") == []


def test_a_wrong_edit_link_opens_read_only() -> None:
    mine = run_app("app_pages/present.py", lang="en")
    button(mine, "Save a copy").click().run()
    story_id = _story_id(mine)
    other = run_app("app_pages/present.py", lang="en", story=story_id, edit="guessed")
    assert any("not valid" in w.value for w in other.warning)
    assert _edit_widgets(other) == []


def test_a_signed_in_moderator_may_delete_a_shared_story() -> None:
    from geo.community import hash_password

    with open_store(get_settings()) as handle:
        handle.add_moderator("Ana", password_hash=hash_password("correct horse battery"))
        story = handle.save_document("story", "De otra persona", {"version": 1, "views": []})
    at = run_app("app_pages/present.py", lang="en", story=story.id)
    assert _edit_widgets(at) == []
    at.session_state["_moderator"] = "Ana"  # as the Data page's sign-in leaves it
    at.run()
    button(at, "Delete the story").click().run()
    assert not at.exception
    with open_store(get_settings()) as handle:
        assert handle.documents("story") == []
