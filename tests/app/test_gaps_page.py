"""AppTest on the Gaps page: widgets drive the analysis; the map gets a surface, not cells."""

from __future__ import annotations

import pytest

from tests.app.conftest import map_args, metric_values, run_app


def _pct(at, group_label: str) -> float:
    return float(metric_values(at)[group_label].rstrip(" %"))


def test_gaps_page_figures_surface_and_model_note() -> None:
    at = run_app("app_pages/gaps.py", lang="en")
    assert at.title[0].value == "Who has care within a walk?"
    assert any("MODELLED demand" in w.value for w in at.warning)
    groups = map_args(at)["feature_group"]
    assert "L.imageOverlay" in groups
    assert groups.count("data:image/png;base64,") == 1
    assert len(groups) < 2_000_000  # map payload
    assert 0 < _pct(at, "Early childhood") < 100


def test_more_minutes_never_covers_fewer_people() -> None:
    at = run_app("app_pages/gaps.py", lang="en")
    before = _pct(at, "Older persons")
    at.slider(key="gaps_minutes").set_value(30).run()
    assert not at.exception
    assert _pct(at, "Older persons") > before


@pytest.mark.parametrize("measure", ["coverage", "nearest", "2sfca", "e2sfca", "simultaneity"])
@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_measure_draws(measure: str, lang: str) -> None:
    at = run_app("app_pages/gaps.py", lang=lang)
    at.selectbox(key=f"gaps_measure_{lang}").set_value(measure).run()
    assert not at.exception, [e.message for e in at.exception]
    assert "L.imageOverlay" in map_args(at)["feature_group"]


def test_how_it_was_computed_and_downloads() -> None:
    at = run_app("app_pages/gaps.py", lang="en")
    text = " ".join(m.value for m in at.markdown)
    assert "2SFCA" in text
    assert "803" in text or "804" in text
    assert "MODELLED" in text
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("Download CSV") == 2
    assert "Download GeoJSON" in labels
