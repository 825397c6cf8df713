"""AppTest on the pages: widgets drive geo/, the map receives the right markers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.app.conftest import PROJECT, map_args, markers_by_layer, metric_values, run_app
from ui.render import safe


def test_explore_defaults_to_spanish_with_every_layer() -> None:
    at = run_app()
    assert at.title[0].value == "Atlas del Cuidado"
    counts = markers_by_layer(at)
    assert counts["care_blocks"] == 19
    assert set(counts) >= {
        "care_blocks",
        "care_bus_stops",
        "home_care",
        "cooperatives",
        "training_institutions",
    }
    metrics = metric_values(at)
    assert int(metrics["Lugares en el mapa"]) == sum(counts.values())
    # the sample says it is approximate
    assert any("aproximadas" in info.value for info in at.info)


def test_filters_change_counts_and_markers() -> None:
    at = run_app()
    total = int(metric_values(at)["Lugares en el mapa"])
    at.multiselect(key="explore_operators_es").set_value(["cooperative"]).run()
    assert not at.exception
    filtered = markers_by_layer(at)
    assert "care_blocks" not in filtered
    assert filtered.get("cooperatives", 0) > 0
    shown = int(metric_values(at)["Lugares en el mapa"])
    assert 0 < shown < total
    assert shown == sum(filtered.values())
    assert at.query_params["op"] == "cooperative"


def test_population_and_service_facets_combine() -> None:
    at = run_app()
    at.multiselect(key="explore_services_es").set_value(["midwifery"]).run()
    only = markers_by_layer(at)
    assert only == {"cooperatives": only["cooperatives"]}
    at.multiselect(key="explore_countries_es").set_value(["UY"]).run()
    assert markers_by_layer(at) == {}
    assert any("Ningún lugar" in w.value for w in at.warning)


def test_layer_toggle_and_url_state() -> None:
    at = run_app(layers="care_blocks", lang="en")
    assert at.title[0].value == "Care Atlas"
    assert markers_by_layer(at) == {"care_blocks": 19}
    assert "Places on the map" in metric_values(at)


def test_language_switch_changes_labels_and_legend() -> None:
    at = run_app()
    at.multiselect(key="explore_populations_es").set_value(["older"]).run()
    at.radio(key="lang").set_value("en").run()
    assert at.multiselect(key="explore_populations_en").value == ["older"]
    assert at.title[0].value == "Care Atlas"
    assert "Leyenda" not in map_args(at)["script"]
    assert "Legend" in map_args(at)["script"]
    assert at.query_params["lang"] == "en"


def test_map_is_offline_and_reruns_only_on_click() -> None:
    at = run_app()
    args = map_args(at)
    assert args["returned_objects"] == ["last_active_drawing"]
    assert all(
        link.startswith("/app/static/vendor/") for link in args["js_links"] + args["css_links"]
    )
    assert "tileLayer" not in args["script"]


def test_selection_from_url_fills_the_side_panel() -> None:
    at = run_app(sel="care_blocks:mc-01")
    table = at.table[0].value
    assert "Manzana del Cuidado" in table.to_string()
    assert any("Fuente" in str(i) for i in table.index)


def test_region_page_table_filters_and_download() -> None:
    at = run_app("app_pages/region.py")
    assert at.title[0].value == "Cuidado en la región"
    assert not at.exception
    counts = markers_by_layer(at)
    assert counts["training_institutions"] >= 8
    caption = next(c.value for c in at.caption if "normas o cursos" in c.value)
    total = int(caption.split(" de ")[1].split()[0])
    at.multiselect(key="offer_countries_es").set_value(["CL"]).run()
    caption = next(c.value for c in at.caption if "normas o cursos" in c.value)
    n = int(caption.split(" de ")[0])
    assert 0 < n < total
    table = at.dataframe[0].value
    assert set(table["País"]) == {"Chile"}


def test_a_broken_layer_is_reported_and_the_rest_still_works(tmp_path: Path, monkeypatch) -> None:
    data = tmp_path / "data"
    shutil.copytree(PROJECT / "data", data)
    doc = json.loads((data / "cooperatives.geojson").read_text(encoding="utf-8"))
    doc["features"][0]["properties"]["populations"] = 7
    (data / "cooperatives.geojson").write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.setenv("CARE_ATLAS_DATA_DIR", str(data))
    at = run_app()
    errors = [safe.unmarkdown(e.value) for e in at.error]  # shown as text: escaped Markdown
    assert len(errors) == 1
    assert "cooperatives.geojson: feature 1" in errors[0]
    assert "'populations' should be str" in errors[0]
    counts = markers_by_layer(at)
    assert counts["care_blocks"] == 19 and "cooperatives" not in counts


@pytest.mark.parametrize("page", [None, "app_pages/region.py"])
@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_page_renders_in_both_languages(page, lang) -> None:
    at = run_app(page, lang=lang)
    assert not at.exception
    assert map_args(at)["script"]


def test_layer_provenance_is_shown() -> None:
    at = run_app(lang="en")
    assert any(e.label == "About the layers" for e in at.expander)
    notes = next(df.value for df in at.dataframe if "Licence" in df.value.columns)
    assert "Public domain (Natural Earth)" in set(notes["Licence"])
    assert notes["Source"].str.len().gt(0).all()
    assert notes["Location precision"].str.contains("neighbourhood").any()


def test_walking_zones_overlay_on_explore() -> None:
    at = run_app(layers="care_blocks")
    before = map_args(at)["feature_group"].count('"type": "Polygon"')
    at.toggle(key="explore_walk_show").set_value(True).run()
    assert not at.exception
    groups = map_args(at)["feature_group"]
    assert groups.count('"type": "Polygon"') == before + 19  # one zone per care block
    assert any("804 m" in c.value for c in at.caption)  # 15 min, adult, detour 1.4
    at.slider(key="explore_walk_minutes").set_value(30).run()
    assert any("1.607 m" in c.value for c in at.caption)  # Spanish digit grouping (issue 16)


def test_language_survives_a_page_change_and_later_reruns() -> None:
    at = run_app()
    at.radio(key="lang").set_value("en").run()
    at.switch_page(str(PROJECT / "app_pages/gaps.py")).run()
    at.slider(key="gaps_minutes").set_value(20).run()
    assert at.title[0].value == "Who has care within a walk?"
    at.switch_page(str(PROJECT / "app_pages/region.py")).run()
    assert at.title[0].value == "Care across the region"
