"""AppTest on the Plan page: suggestions, scenarios (accept, remove, save, reopen by URL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.settings import get_settings
from geo.store import open_store
from tests.app.conftest import button, markers_by_layer, metric_values, run_app
from ui.render import safe


@pytest.fixture(autouse=True)
def private_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "store.sqlite"
    monkeypatch.setenv("CARE_ATLAS_STORE_PATH", str(path))
    get_settings.cache_clear()
    return path


def _pct(at, group_label: str) -> float:
    return float(metric_values(at)[group_label].rstrip(" %"))


def _suggest(at, k: int = 3):
    at.slider(key="plan_k").set_value(k).run()
    # the button speaks in the singular for one site (tn: plural forms)
    button(at, "Suggest 1 site" if k == 1 else f"Suggest {k} sites").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_suggest_accept_and_before_after() -> None:
    at = run_app("app_pages/plan.py", lang="en")
    assert at.title[0].value == "Where should the next care block go?"
    assert any("MODELLED demand" in w.value for w in at.warning)
    before = {g: _pct(at, g) for g in ("Early childhood", "Carers")}
    _suggest(at)
    assert any("3 of 3 sites suggested" in s.value for s in at.success)
    assert markers_by_layer(at).get("suggested") == 3
    table = at.dataframe[1].value  # the suggestion tab (after before/after)
    assert len(table) == 3
    assert list(table["Order"]) == [1, 2, 3]
    assert table["Early childhood: newly within reach"].sum() > 0
    button(at, "Add to the scenario").click().run()
    assert not at.exception
    counts = markers_by_layer(at)
    assert counts.get("proposed") == 3
    assert "suggested" not in counts  # accepted: the suggestion was for the old scenario
    after = {g: _pct(at, g) for g in before}
    assert all(after[g] >= before[g] for g in before)
    assert sum(after.values()) > sum(before.values())
    figures = at.dataframe[0].value
    assert (figures["Change"] != "=").any()


def test_remove_an_existing_site_lowers_coverage() -> None:
    at = run_app("app_pages/plan.py", lang="en", sel="care_blocks:mc-01")
    before = _pct(at, "Early childhood")
    n_blocks = markers_by_layer(at)["care_blocks"]
    button(at, "Take this site out in the scenario").click().run()
    assert not at.exception
    assert markers_by_layer(at)["care_blocks"] == n_blocks - 1
    assert _pct(at, "Early childhood") < before
    assert any("Existing site taken out: mc\\-01" in m.value for m in at.markdown)
    button(at, "Restore").click().run()
    assert markers_by_layer(at)["care_blocks"] == n_blocks
    assert _pct(at, "Early childhood") == before


def test_save_and_reopen_from_the_url(private_store: Path) -> None:
    at = run_app("app_pages/plan.py", lang="en")
    at.slider(key="plan_minutes").set_value(20).run()
    _suggest(at, k=2)
    button(at, "Add to the scenario").click().run()
    at.text_input(key="plan_name_input").input("Two blocks <b>south</b>").run()
    button(at, "Save as new").click().run()
    assert not at.exception
    assert any("Saved" in s.value for s in at.success)
    scenario_id = at.query_params["scenario"]
    scenario_id = scenario_id[0] if isinstance(scenario_id, list) else scenario_id
    with open_store(get_settings()) as handle:
        stored = handle.get_document("scenario", scenario_id)
    assert stored.name == "Two blocks <b>south</b>"
    assert len(stored.payload["added"]) == 2
    assert stored.payload["params"]["minutes"] == 20
    # a fresh session opened from the shared link sees the same scenario and settings
    again = run_app("app_pages/plan.py", lang="en", scenario=scenario_id)
    assert markers_by_layer(again).get("proposed") == 2
    assert again.slider(key="plan_minutes").value == 20
    assert again.text_input(key="plan_name_input").value == "Two blocks <b>south</b>"
    assert _pct(again, "Early childhood") == _pct(at, "Early childhood")


def test_unknown_scenario_link_is_explained() -> None:
    at = run_app("app_pages/plan.py", lang="es", scenario="sc-doesnotexist")
    assert any("sc-doesnotexist" in safe.unmarkdown(e.value) for e in at.error)
    assert at.title[0].value == "¿Dónde debería ir la próxima manzana del cuidado?"


def test_capacity_limits_what_a_site_counts() -> None:
    at = run_app("app_pages/plan.py", lang="en")
    _suggest(at, k=1)
    free = at.dataframe[1].value["Early childhood: newly within reach"].sum()
    at.number_input(key="plan_capacity").set_value(500).run()
    _suggest(at, k=1)
    capped = at.dataframe[1].value
    assert capped["Early childhood: newly within reach"].sum() <= free
    assert any("computed in" in s.value for s in at.success)


def test_clicked_candidates_need_points_first() -> None:
    at = run_app("app_pages/plan.py", lang="en")
    at.selectbox(key="plan_candidates_en").set_value("clicked").run()
    assert not at.exception
    assert any("Mark candidate points" in i.value for i in at.info)
    assert "Adds a candidate point" in at.radio(key="plan_click_en").options


def test_candidates_from_an_uploaded_layer() -> None:
    from ui import uploads

    at = run_app("app_pages/plan.py", lang="en")
    import geopandas as gpd
    from shapely.geometry import Point

    schools = gpd.GeoDataFrame(
        {"nombre": ["Colegio <i>A</i>", "Colegio B"]},
        geometry=[Point(-74.17, 4.60), Point(-74.08, 4.66)],
        crs=4326,
    )
    at.session_state[uploads._LAYERS] = {"schools": schools}
    at.run()
    at.selectbox(key="plan_candidates_en").set_value("layer:schools").run()
    assert markers_by_layer(at).get("candidates") == 2
    _suggest(at, k=1)
    table = at.dataframe[1].value
    assert len(table) == 1
    assert table["Site"].iloc[0].startswith("Suggested site 1 · Colegio")


def test_a_shared_scenario_link_is_read_only_in_another_session(private_store: Path) -> None:
    mine = run_app("app_pages/plan.py", lang="en")
    mine.text_input(key="plan_name_input").input("Mío").run()
    button(mine, "Save as new").click().run()
    scenario_id = mine.query_params["scenario"]
    scenario_id = scenario_id[0] if isinstance(scenario_id, list) else scenario_id
    (edit_link,) = [c.value for c in mine.code if "&edit=" in c.value]
    assert edit_link.startswith(f"?scenario={scenario_id}&edit=")
    assert any(b.key == f"plan_delete_{scenario_id}" for b in mine.button)

    other = run_app("app_pages/plan.py", lang="en", scenario=scenario_id)
    assert not other.exception
    assert not any(b.key == "plan_save_over" for b in other.button)
    assert not any(b.key == f"plan_delete_{scenario_id}" for b in other.button)
    assert any("read only" in c.value for c in other.caption)
    # what it saves is a new scenario; the shared one is as it was
    other.text_input(key="plan_name_input").input("Otro").run()
    button(other, "Save as new").click().run()
    with open_store(get_settings()) as handle:
        assert handle.get_document("scenario", scenario_id).name == "Mío"
        assert len(handle.documents("scenario")) == 2

    token = edit_link.split("&edit=")[1]
    holder = run_app("app_pages/plan.py", lang="en", scenario=scenario_id, edit=token)
    assert "edit" not in holder.query_params
    holder.button(key=f"plan_delete_{scenario_id}").click().run()
    assert not holder.exception
    with open_store(get_settings()) as handle:
        assert [s.name for s in handle.documents("scenario")] == ["Otro"]
