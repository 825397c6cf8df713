"""ui.render.map_view and ui.render.offline: the generated Leaflet page, tested without Streamlit."""

from __future__ import annotations

import json
import re
from pathlib import Path

import folium
import folium.plugins
import pytest

from geo.layers import load_layer, load_registry
from geo.settings import PROJECT_DIR
from ui.render import offline
from ui.render.map_view import (
    BOGOTA_VIEW,
    KIND_COLOURS,
    OnlineTiles,
    View,
    base_map,
    feature_group,
    popup_html,
)
from ui.render.offline import MissingAssetError, localize


@pytest.fixture
def places(tiny_dir: Path):
    reg = load_registry(tiny_dir)
    return reg["places"], load_layer(reg["places"], data_dir=tiny_dir)


def _render(places, lang="es") -> str:
    spec, gdf = places
    m = base_map(view=BOGOTA_VIEW, lang=lang, boundaries=[], legend_kinds=["care_block"])
    feature_group(gdf, spec, lang=lang).add_to(m)
    localize(m, static_url="/app/static")
    return m.get_root().render()


def _collections(html: str) -> list[dict]:
    """The GeoJSON feature collections embedded in the map script."""
    decoder = json.JSONDecoder()
    return [
        decoder.raw_decode(html, match.end())[0]
        for match in re.finditer(r"(?:_add|\.addData)\((?=\{)", html)
    ]


def test_one_marker_per_feature_with_id_and_layer(places) -> None:
    html = _render(places)
    (collection,) = _collections(html)
    props = [f["properties"] for f in collection["features"]]
    assert [p["id"] for p in props] == ["a", "b", "c"]
    assert {p["layer"] for p in props} == {"places"}
    assert "new L.CircleMarker(" in html or "L.circleMarker(" in html


def test_popup_has_name_services_source_and_precision_in_language(places) -> None:
    spec, gdf = places
    row = gdf.loc["a"].to_dict()
    es = popup_html(row, spec, lang="es")
    en = popup_html(row, spec, lang="en")
    assert "Alfa" in es and "Cuidado infantil" in es and "Fuente" in es and "exacta" in es
    assert "Child care" in en and "Source" in en and "Location precision" in en


def test_data_text_reaches_the_page_escaped(places) -> None:
    spec, gdf = places
    gdf = gdf.copy()
    gdf.loc["a", "name"] = "<img src=x onerror=alert(1)>"
    gdf.loc["b", "name"] = "{{ 9999*9999 }}"
    gdf.loc["c", "source"] = "{% raw %}"
    html = _render((spec, gdf))
    assert "<img src=x" not in html
    assert "99980001" not in html
    popups = " ".join(f["properties"]["_popup"] for f in _collections(html)[0]["features"])
    assert "&lt;img src=x onerror=alert(1)&gt;" in popups
    assert "&#123;&#123; 9999*9999 &#125;&#125;" in popups


def test_raw_ids_cannot_close_the_script(places) -> None:
    """Ids travel as they are (they select the record); ``</`` is escaped in the JSON."""
    spec, gdf = places
    gdf = gdf.copy()
    gdf.index = ["</script><script>alert(1)</script>", "b\u2028c", "c"]
    html = _render((spec, gdf))
    assert "</script><script>alert(1)" not in html
    ids = [f["properties"]["id"] for f in _collections(html)[0]["features"]]
    assert ids == ["</script><script>alert(1)</script>", "b\u2028c", "c"]


def test_legend_lists_kinds_with_colours_in_language(places) -> None:
    html = _render(places, lang="en")
    assert "Legend" in html and "Care block" in html
    assert KIND_COLOURS["care_block"] in html


def test_no_cdn_url_after_localize(places) -> None:
    html = _render(places)
    assert not re.search(
        r"https?://", re.sub(r"https?://(www\.)?(leafletjs|openstreetmap)\S*", "", html)
    )
    assert "/app/static/vendor/leaflet/leaflet.js" in html
    assert "/app/static/vendor/leaflet/leaflet.css" in html


def test_unvendored_plugin_is_an_error_not_a_cdn_request() -> None:
    m = folium.Map(tiles=None)
    folium.plugins.MarkerCluster().add_to(m)
    with pytest.raises(MissingAssetError, match=r"markercluster"):
        localize(m, static_url="/app/static")


def test_vendored_files_exist_with_licence() -> None:
    for path in offline.vendored_files().values():
        assert path.is_file() and path.stat().st_size > 1000
    assert (offline.STATIC_DIR / "vendor/leaflet/LICENSE").is_file()
    assert (
        f'version="{offline.LEAFLET_VERSION}"'
        in (offline.STATIC_DIR / "vendor/leaflet/leaflet.js").read_text()
    )


def test_no_tiles_by_default_and_opt_in() -> None:
    plain = (
        base_map(view=BOGOTA_VIEW, lang="es", boundaries=[], legend_kinds=[]).get_root().render()
    )
    assert "tileLayer" not in plain
    osm = base_map(
        view=BOGOTA_VIEW, lang="es", boundaries=[], legend_kinds=[], basemap=OnlineTiles("osm")
    )
    assert "tile.openstreetmap.org" in osm.get_root().render()


def test_view_sync_writes_lat_lon_zoom_to_the_url() -> None:
    html = (
        base_map(view=View(4.6, -74.1, 12), lang="es", boundaries=[], legend_kinds=[])
        .get_root()
        .render()
    )
    assert 'searchParams.set("lat"' in html and 'on("moveend"' in html
    assert "[4.6, -74.1]" in html and '"zoom": 12' in html


def test_view_is_clamped() -> None:
    assert View(95, -200, 40).clamped() == View(85.0, -180.0, 18)


def test_training_popup_uses_the_reports_wider_population_words() -> None:
    """Issue 19: "children" in the training offer is not early childhood (4-12 and more)."""
    from dataclasses import replace as _replace

    from geo import region
    from geo.layers import load_layer, load_registry
    from ui.render.map_view import popup_html

    registry = load_registry(Path(__file__).resolve().parents[2] / "data")
    offer = load_layer(registry["training_offer"], data_dir=registry.data_dir)
    institutions = region.institutions(offer)
    spec = _replace(registry["training_offer"], kind="training")
    conocer = institutions[institutions["name"].str.startswith("CONOCER")].iloc[0].to_dict()
    html = popup_html(conocer, spec, lang="en")
    assert "Children and adolescents" in html
    assert "Early childhood" not in html


def test_offline_basemap_is_drawn_from_a_file_the_app_serves() -> None:
    from ui.render import basemap

    m = base_map(view=BOGOTA_VIEW, lang="es", boundaries=[], legend_kinds=[])
    html = localize(m, static_url="/app/static").get_root().render()
    url = re.search(r'"(/app/static/basemap/sample-[0-9a-f]{16}\.pmtiles)"', html)
    assert url, "the sample's basemap is on the map"
    assert (offline.STATIC_DIR / url.group(1).removeprefix("/app/static/")).is_file()
    assert "/app/static/vendor/protomaps-leaflet/protomaps-leaflet.js" in html
    assert "Natural Earth" in html  # attribution on the map
    assert 'getContainer().style.background = "#f7f6f3"' in html  # no grey beyond the tiles
    assert (offline.STATIC_DIR / "vendor/protomaps-leaflet/LICENSE").is_file()
    # online tiles replace it; basemap=None leaves it out
    osm = base_map(
        view=BOGOTA_VIEW, lang="es", boundaries=[], legend_kinds=[], basemap=OnlineTiles("osm")
    )
    assert "protomapsL" not in osm.get_root().render()
    bare = base_map(view=BOGOTA_VIEW, lang="es", boundaries=[], legend_kinds=[], basemap=None)
    assert "protomapsL" not in bare.get_root().render()
    assert basemap.for_settings() is not None


def test_atlas_basemap_is_published_by_content_hash(tmp_path: Path) -> None:
    from ui.render import basemap

    source = tmp_path / "atlas"
    source.mkdir()
    (source / "basemap.pmtiles").write_bytes(b"PMTiles\x03 not really")
    table = {
        "file": "basemap.pmtiles",
        "sha256": "ab" * 32,
        "attribution": "IDECA <b>",
        "maxzoom": 15,
    }
    static = tmp_path / "static"
    published = basemap._publish(source / "basemap.pmtiles", "abab.pmtiles", static)
    assert (static / published).read_bytes() == b"PMTiles\x03 not really"
    assert basemap.current(source, {"basemap": {**table, "file": "missing.pmtiles"}}) is None
    layer = basemap.BasemapLayer(
        basemap.Basemap("basemap/x.pmtiles", "IDECA <b>", 15, False), static_url="/app/static"
    )
    assert layer.attribution == "IDECA &lt;b&gt;" and layer.url == "/app/static/basemap/x.pmtiles"


def test_legend_folds_hides_under_popups_and_lists_extra_symbols() -> None:
    m = base_map(
        view=BOGOTA_VIEW,
        lang="es",
        boundaries=[],
        legend_kinds=["care_block"],
        legend_extra=[("number", "Lugares <b>cercanos</b>"), ("you", "Usted está aquí")],
    )
    html = m.get_root().render()
    assert 'L.DomUtil.create("details"' in html  # folds into its title
    assert '"popupopen"' in html and 'box.style.display = "none"' in html
    # escaped, as text (then embedded as JSON)
    assert "Lugares \\u0026lt;b\\u0026gt;cercanos" in html
    assert "<b>cercanos" not in html


def test_wheel_zooms_the_map_only_after_a_click() -> None:
    m = base_map(view=BOGOTA_VIEW, lang="en", boundaries=[], legend_kinds=[])
    html = m.get_root().render()
    assert re.search(r'"scrollWheelZoom":\s*false', html)
    assert "map.scrollWheelZoom.enable()" in html


def test_record_shows_no_raw_flags_and_no_empty_fields() -> None:
    from ui.components import record_table

    spec = load_registry(PROJECT_DIR / "data").layers["care_blocks"]
    row = {"name": "X", "open_24h": False, "phone": None, "hours": "", "note": "True"}
    table = record_table(row, spec, lang="es")
    values = list(table.iloc[:, 1])
    assert "False" not in values and "True" not in values
    assert "No" in values and "Sí" in values
    assert "" not in values  # empty fields are left out


@pytest.mark.parametrize("lang", ["es", "en"])
def test_no_internal_file_names_in_popups_or_records(lang: str) -> None:
    from ui.components import record_table

    registry = load_registry(PROJECT_DIR / "data")
    spec = registry.layers["care_blocks"]
    blocks = load_layer(spec, data_dir=PROJECT_DIR / "data")
    row = blocks.iloc[0]
    assert "shared/facts" in str(row["source"])  # the sample's source line names the file
    assert "shared/facts" not in popup_html(row, spec, lang=lang)
    record = record_table(row.drop(labels="geometry").to_dict(), spec, lang=lang)
    assert not record.iloc[:, 1].str.contains("shared/facts").any()


def test_outlines_are_simplified_once_per_layer(monkeypatch) -> None:
    from ui.render import map_view

    registry = load_registry(PROJECT_DIR / "data")
    zones = load_layer(registry.layers["localidades"], data_dir=PROJECT_DIR / "data")
    calls = []
    real = map_view._simplified_outline
    monkeypatch.setattr(map_view, "_simplified_outline", lambda f: calls.append(1) or real(f))
    first = map_view._outline_geojson(zones)
    first["features"].append("added by a caller")  # a caller's change does not stick
    second = map_view._outline_geojson(zones)
    assert len(calls) == 1
    assert second == json.loads(real(zones))
    # the loaders' caches hand each run a copy: the same outlines, not simplified again
    map_view._outline_geojson(zones.copy())
    assert len(calls) == 1
    moved = zones.copy()
    moved["geometry"] = moved.geometry.translate(0.001, 0.0)
    map_view._outline_geojson(moved)  # other geometry: simplified anew
    assert len(calls) == 2


def test_outlines_are_left_to_the_offline_basemap() -> None:
    from ui.render import basemap

    registry = load_registry(PROJECT_DIR / "data")
    zones = load_layer(registry.layers["localidades"], data_dir=PROJECT_DIR / "data")
    drawn = basemap.for_settings()
    assert drawn is not None
    with_basemap = base_map(
        view=BOGOTA_VIEW, lang="es", boundaries=[zones], legend_kinds=[], basemap=drawn
    )
    without = base_map(
        view=BOGOTA_VIEW, lang="es", boundaries=[zones], legend_kinds=[], basemap=None
    )
    outlines = [c for c in without._children.values() if isinstance(c, folium.GeoJson)]
    assert len(outlines) == 1
    assert not [c for c in with_basemap._children.values() if isinstance(c, folium.GeoJson)]


def test_popups_are_built_once_per_row_content(monkeypatch) -> None:
    from ui.render import map_view

    registry = load_registry(PROJECT_DIR / "data")
    spec = registry.layers["care_blocks"]
    blocks = load_layer(spec, data_dir=PROJECT_DIR / "data")
    built = []
    real = map_view.popup_html
    monkeypatch.setattr(map_view, "popup_html", lambda *a, **k: built.append(1) or real(*a, **k))
    monkeypatch.setattr(map_view, "_FEATURE_TEXT", map_view.OrderedDict())

    def data(group: folium.FeatureGroup) -> str:
        (layer,) = group._children.values()
        return layer.data_json

    first = data(map_view.feature_group(blocks, spec, lang="es"))
    assert len(built) == len(blocks)
    again = data(map_view.feature_group(blocks.copy(), spec, lang="es"))
    assert len(built) == len(blocks) and again == first  # same rows: nothing rebuilt
    map_view.feature_group(blocks.iloc[:2], spec, lang="es")  # a filter: a subset, cached
    assert len(built) == len(blocks)
    renamed = blocks.copy()
    renamed.loc[renamed.index[0], "name"] = "Otro <b>nombre</b>"
    html = data(map_view.feature_group(renamed, spec, lang="es"))
    assert len(built) == len(blocks) + 1  # the changed row only
    assert "Otro &lt;b&gt;nombre" in html
    map_view.feature_group(blocks, spec, lang="en")
    assert len(built) == 2 * len(blocks) + 1  # other language, other text


def test_quantile_scale_spreads_skewed_values_and_names_its_breaks() -> None:
    import pandas as pd

    from ui.render.gaps_display import quantile_scale

    values = pd.Series([0.01] * 50 + [0.02] * 30 + [5.0] * 19 + [1000.0] + [float("nan")])
    scaled, ticks = quantile_scale(values, lang="es", digits=2)
    assert len(ticks) == 6 and ticks[0] == "0,01" and ticks[-1] == "1.000,00"
    assert scaled.iloc[-1] != scaled.iloc[-1]  # NaN stays NaN (no colour)
    # on a linear 0-1000 scale 99 % of the cells would share one colour; here they span it
    assert scaled.iloc[:-1].min() == 0.0 and scaled.iloc[:-2].max() >= 0.75
