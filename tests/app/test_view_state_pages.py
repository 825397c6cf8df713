"""AppTest: a page's URL reopens the same view, and a story view keeps what the page showed
(filters, surface and colour scale, figures) in present mode, the PNG and the figures CSV."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from geo.settings import get_settings
from geo.store import open_store
from geo.stories import Story
from tests.app.conftest import map_args, markers_by_layer, metric_values, run_app
from ui.render import safe
from ui.slide_content import figures_table, slide


@pytest.fixture(autouse=True)
def private_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CARE_ATLAS_STORE_PATH", str(tmp_path / "store.sqlite"))
    get_settings.cache_clear()
    return tmp_path


def _query(at, key: str) -> str | None:
    value = at.query_params.get(key)
    return value[-1] if isinstance(value, list) else value


def press_add(at, page: str, *, lat: str = "", lon: str = "", z: str = "") -> None:
    """Press "Add" as the browser does: the button sends the map's position from the URL."""
    sent = {"lat": lat, "lon": lon, "z": z} if lat else {"error": "no_view"}
    at.session_state[f"add_view_go_{page}"] = {**sent, "at": time.monotonic_ns()}
    at.run()


def _add_view(at, page: str, title: str) -> Story:
    at.text_input(key=f"add_view_title_{page}").input(title).run()
    press_add(at, page)
    assert not at.exception
    with open_store(get_settings()) as handle:
        (stored,) = handle.documents("story")
    return stored


def test_gaps_url_reopens_minutes_profile_measure_and_groups() -> None:
    at = run_app(
        "app_pages/gaps.py",
        lang="en",
        min="30",
        profile="older_or_pushchair",
        measure="nearest",
        grp="older",
    )
    assert at.slider(key="gaps_minutes").value == 30
    assert at.selectbox(key="gaps_profile_en").value == "older_or_pushchair"
    assert at.selectbox(key="gaps_measure_en").value == "nearest"
    assert at.multiselect(key="gaps_groups_en").value == ["older"]
    assert "Walking minutes to the nearest service" in map_args(at)["feature_group"]
    # the URL is written back, so copying it again gives the same view
    assert (_query(at, "min"), _query(at, "profile"), _query(at, "measure")) == (
        "30",
        "older_or_pushchair",
        "nearest",
    )


def test_gaps_choices_go_into_the_url() -> None:
    at = run_app("app_pages/gaps.py", lang="en")
    at.slider(key="gaps_minutes").set_value(45).run()
    at.selectbox(key="gaps_measure_en").set_value("2sfca").run()
    at.selectbox(key="gaps_profile_en").set_value("wheelchair").run()
    assert not at.exception
    assert _query(at, "min") == "45"
    assert _query(at, "measure") == "2sfca"
    assert _query(at, "profile") == "wheelchair"
    copied = {k: _query(at, k) for k in ("min", "measure", "profile", "grp", "svc")}
    again = run_app("app_pages/gaps.py", lang="en", **copied)
    assert again.slider(key="gaps_minutes").value == 45
    assert again.selectbox(key="gaps_profile_en").value == "wheelchair"
    assert metric_values(again) == metric_values(at)


def test_explore_url_reopens_the_filters() -> None:
    at = run_app("app_pages/explore.py", lang="en", pop="older", op="cooperative")
    assert at.multiselect(key="explore_populations_en").value == ["older"]
    assert at.multiselect(key="explore_operators_en").value == ["cooperative"]
    everything = metric_values(run_app("app_pages/explore.py", lang="en"))["Places on the map"]
    assert int(metric_values(at)["Places on the map"]) < int(everything)


def test_an_explore_view_keeps_its_filters_in_the_slide_and_the_csv() -> None:
    page = run_app("app_pages/explore.py", lang="en", pop="older", op="cooperative")
    shown = metric_values(page)["Places on the map"]
    stored = _add_view(page, "explore", "For older persons")
    (view,) = stored.payload["views"]
    assert view["params"]["populations"] == ["older"]
    assert view["params"]["operators"] == ["cooperative"]

    at = run_app("app_pages/present.py", lang="en", story=stored.id, present="1", slide="1")
    assert metric_values(at)["Places on the map"] == shown
    assert "care_bus_stops" not in markers_by_layer(at)  # the page showed none
    assert any(
        "Who is cared for: Older persons · Run by: Cooperative" in safe.unmarkdown(c.value)
        for c in at.caption
    )
    # the PNG is a file of this run, built from the view's state (never a deferred file)
    (png,) = at.get("download_button")
    assert png.proto.url.endswith(".png")
    assert not png.proto.HasField("deferred_file_id")

    story = Story.from_dict(stored.payload)
    table = figures_table(story, [slide(v, lang="en") for v in story.views])
    assert set(table["filters"]) == {"Who is cared for: Older persons; Run by: Cooperative"}
    assert "populations=older" in table["parameters"].iloc[0]


def test_a_gaps_view_keeps_its_surface_and_colour_bar() -> None:
    page = run_app("app_pages/gaps.py", lang="en", measure="nearest")
    stored = _add_view(page, "gaps", "Minutes to the nearest")
    (view,) = stored.payload["views"]
    assert view["params"]["measure"] == "nearest"
    at = run_app("app_pages/present.py", lang="en", story=stored.id, present="1", slide="1")
    groups = map_args(at)["feature_group"]
    assert "Walking minutes to the nearest service" in groups  # the colour bar
    assert "data:image/png;base64," in groups  # the surface
    slide_figures = metric_values(at)
    for name, value in metric_values(page).items():
        if name in slide_figures:
            assert slide_figures[name] == value, name
    assert any("Minutes to the nearest" in safe.unmarkdown(c.value) for c in at.caption)


def test_explore_walking_zones_come_back_from_the_url_and_reach_the_story() -> None:
    at = run_app("app_pages/explore.py", lang="en", walk="1", wmin="25", wprofile="wheelchair")
    assert at.toggle(key="explore_walk_show").value is True
    assert at.slider(key="explore_walk_minutes").value == 25
    assert at.selectbox(key="explore_walk_profile_en").value == "wheelchair"
    at.slider(key="explore_walk_minutes").set_value(30).run()
    assert _query(at, "wmin") == "30"
    stored = _add_view(at, "explore", "Walking")
    (view,) = stored.payload["views"]
    assert (view["params"]["walk"], view["params"]["minutes"]) == (True, 30)
    assert view["params"]["profile"] == "wheelchair"


def test_a_region_view_keeps_its_filters() -> None:
    page = run_app("app_pages/region.py", lang="en", country="MX")
    shown = metric_values(page)
    stored = _add_view(page, "region", "Mexico")
    (view,) = stored.payload["views"]
    assert view["params"]["countries"] == ["MX"]
    at = run_app("app_pages/present.py", lang="en", story=stored.id, present="1", slide="1")
    slide_figures = metric_values(at)
    shared = [name for name in shown if name in slide_figures]
    assert shared and all(slide_figures[n] == shown[n] for n in shared), (slide_figures, shown)
    assert any("Country: Mexico" in safe.unmarkdown(c.value) for c in at.caption)


def test_a_download_that_cannot_be_built_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.render import slides

    def broken(*_args, **_kwargs):
        raise ValueError("no room left on the page")

    monkeypatch.setattr(slides, "render_png", broken)
    monkeypatch.setattr(slides, "render_pdf", broken)
    at = run_app("app_pages/present.py", lang="en", present="1", slide="1")
    assert not at.get("download_button")  # no button that would do nothing
    assert any("could not be built" in e.value and "no room left" in e.value for e in at.error)
    at = run_app("app_pages/present.py", lang="en")
    (prepare,) = [b for b in at.button if b.key == "export_prepare"]
    prepare.click().run()
    assert not at.exception
    assert not at.get("download_button")
    assert any("could not be built" in e.value for e in at.error)


def test_a_file_problem_is_reported_without_server_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.render import slides

    def broken(*_args, **_kwargs):
        raise OSError("[Errno 2] No such file or directory: '/srv/atlas/static/basemap/x.pmtiles'")

    monkeypatch.setattr(slides, "render_png", broken)
    at = run_app("app_pages/present.py", lang="en", present="1", slide="1")
    (error,) = [e.value for e in at.error if "could not be built" in e.value]
    assert "/srv" not in error and "details in the log" in error


def test_plan_url_reopens_its_settings_and_is_written_back() -> None:
    """Issue 18: every page's URL reopens the same view, Plan included."""
    at = run_app(
        "app_pages/plan.py",
        lang="en",
        grp="older,children",
        w="2,1",
        min="30",
        profile="older_or_pushchair",
        k="5",
        cap="1500",
        spacing="500",
    )
    assert not at.exception
    assert at.multiselect(key="plan_groups_en").value == ["older", "children"]
    assert at.number_input(key="plan_w_older").value == 2.0
    assert at.slider(key="plan_minutes").value == 30
    assert at.selectbox(key="plan_profile_en").value == "older_or_pushchair"
    assert at.slider(key="plan_k").value == 5
    assert at.number_input(key="plan_capacity").value == 1500
    assert at.selectbox(key="plan_spacing_en").value == "500"
    assert (_query(at, "min"), _query(at, "k"), _query(at, "grp")) == ("30", "5", "older,children")
    # a change goes into the URL, so copying it again gives the same view
    at.slider(key="plan_minutes").set_value(20).run()
    assert _query(at, "min") == "20"


def test_plan_url_with_bad_values_opens_the_defaults() -> None:
    at = run_app(
        "app_pages/plan.py", lang="es", min="7", k="x", profile="<b>", cap="-3", grp="nope"
    )
    assert not at.exception
    assert at.slider(key="plan_minutes").value == 15
    assert at.slider(key="plan_k").value == 3
    assert at.number_input(key="plan_capacity").value == 0
    assert at.selectbox(key="plan_profile_es").value == "adult"
