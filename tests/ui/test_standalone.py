"""ui.render.standalone: one HTML file, a map or a story, that opens with no internet."""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from functools import cache

import folium
import folium.plugins
import geopandas as gpd
import pytest

from geo.layers import load_layer, load_registry
from geo.settings import get_settings
from ui.render import map_view
from ui.render.offline import MissingAssetError
from ui.render.standalone import HtmlSlide, map_html, story_html

# Any src/href/srcset or CSS url() leaving the machine, also with JSON-escaped quotes.
EXTERNAL = re.compile(
    r"""(?:\b(?:src|href|srcset)\s*=\s*\\?["']?\s*|url\(\s*\\?["']?\s*)((?:https?:)?//[^\s"'\\)]*)""",
    re.IGNORECASE,
)
INJECTED = "<img src=x onerror=alert(1)>"
TITLE = "<script>alert(1)</script> Manzanas {{ 7*7 }}"
TITLE_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; Manzanas &#123;&#123; 7*7 &#125;&#125;"


@cache
def sample() -> dict[str, gpd.GeoDataFrame]:
    """The bundled sample: care blocks, care bus stops and the localidades outlines."""
    reg = load_registry(get_settings().data_dir)
    return {
        layer: load_layer(reg[layer], data_dir=reg.data_dir)
        for layer in ("care_blocks", "care_bus_stops", "localidades")
    }


def sample_map(
    layers: Sequence[str] = ("care_blocks",),
    *,
    lang: str = "es",
    tiles: str = "",
    inject: bool = False,
) -> folium.Map:
    """A base map of the localidades with the given care layers (copies: data untouched)."""
    reg = load_registry(get_settings().data_dir)
    data = sample()
    m = map_view.base_map(
        view=None,
        fit=map_view.bounds_of([data["localidades"]]),
        lang=lang,
        boundaries=[data["localidades"]],
        legend_kinds=[reg[layer].kind for layer in layers],
        basemap=map_view.OnlineTiles(tiles),
    )
    for layer in layers:
        features = data[layer].copy()
        if inject:
            features.loc[features.index[0], "name"] = INJECTED
        map_view.feature_group(features, reg[layer], lang=lang).add_to(m)
    return m


def sample_story(lang: str = "es") -> list[HtmlSlide]:
    """Three slides: care blocks, bus stops, both (the same layer on two slides)."""
    return [
        HtmlSlide(
            title="Manzanas del Cuidado",
            map=sample_map(["care_blocks"], lang=lang),
            note="19 de 27 manzanas",
            figures=[("Manzanas", "19")],
        ),
        HtmlSlide(
            title="Buses del Cuidado",
            map=sample_map(["care_bus_stops"], lang=lang),
            note="Paradas de finales de 2025",
            figures=[("Paradas", "6"), ("Localidades", "6")],
        ),
        HtmlSlide(title="Todo junto", map=sample_map(["care_blocks", "care_bus_stops"], lang=lang)),
    ]


def export_map(m: folium.Map | None = None, **kwargs) -> str:
    args = {
        "title": "Manzanas del Cuidado",
        "sources": "SDMujer",
        "date": "2025-12-16",
        "lang": "es",
    }
    return map_html(m or sample_map(), **{**args, **kwargs})


def test_map_page_is_self_contained() -> None:
    html = export_map(figures=[("Manzanas", "19")], note="Bogotá")
    assert EXTERNAL.findall(html) == []
    assert not re.search(r"<script[^>]*\bsrc=|<link\b", html, re.IGNORECASE)
    # Leaflet and its CSS inlined, the CSS images as data URIs
    assert "Leaflet 1.9.4" in html
    assert 'version="1.9.4"' in html
    assert ".leaflet-container" in html
    assert "images/layers.png" not in html
    assert 'url("data:image/png;base64,' in html
    # folium's unused defaults dropped
    for unused in ("jquery", "bootstrap", "awesome-markers", "font-awesome", "fontawesome"):
        assert unused not in html.lower()
    # the map, the legend and the text around it
    assert html.startswith('<!DOCTYPE html>\n<html lang="es">')
    assert html.count('class="folium-map"') == 1
    assert "care-atlas-legend" in html
    assert "Leyenda" in html
    assert "Manzana del Cuidado" in html
    assert '<h1 class="slide-title">Manzanas del Cuidado</h1>' in html
    assert '<span class="figure-value">19</span><span class="figure-label">Manzanas</span>' in html
    assert "Fuentes: SDMujer" in html
    assert "Fecha: 2025-12-16" in html
    assert "deck-next" not in html  # no story navigation on a single map
    # the offline basemap is read from the app's server: a file of its own carries it as
    # one image around the map's view (no tiles to fetch), with its attribution
    assert "protomapsL" not in html and ".pmtiles" not in html
    overlay = re.search(r'L\.imageOverlay\(\s*"data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert overlay, "the basemap image is in the page"
    png = base64.b64decode(overlay.group(1))
    assert png.startswith(b"\x89PNG") and len(png) > 5_000  # something is drawn
    assert "Natural Earth" in html  # the sample basemap's attribution


def test_text_from_data_and_caller_is_escaped_and_inert() -> None:
    html = export_map(
        sample_map(inject=True),
        title=TITLE,
        note="{% if true %}sí{% endif %}",
        figures=[("<b>Personas</b>", "{{ 6*7 }}")],
        sources='"><img src=y onerror=alert(2)>',
    )
    assert INJECTED not in html
    assert "<img" not in html
    assert "onerror=alert(1)" in html  # the name is there, but only as escaped text
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert f"<title>{TITLE_ESCAPED}</title>" in html
    assert f'<h1 class="slide-title">{TITLE_ESCAPED}</h1>' in html
    assert "<script>alert" not in html
    assert "{{ 7*7 }}" not in html
    assert "{%" not in html
    assert "&#123;&#123; 6*7 &#125;&#125;" in html
    assert "&lt;b&gt;Personas&lt;/b&gt;" in html
    assert "&quot;&gt;&lt;img src=y onerror=alert(2)&gt;" in html


def test_story_has_three_maps_navigation_and_progress() -> None:
    html = story_html(
        sample_story(), title="Cuidado en Bogotá", sources="SDMujer", date="2025-12-16", lang="es"
    )
    assert EXTERNAL.findall(html) == []
    assert html.count('class="folium-map"') == 3
    assert [f'id="map_slide{n}"' in html for n in (1, 2, 3)] == [True, True, True]
    assert html.count("<section") == 3
    assert html.count('aria-hidden="true" inert') == 2  # one slide shown at a time
    assert 'id="deck-progress" class="deck-progress" aria-live="polite">1 / 3<' in html
    assert "← Anterior" in html and "Siguiente →" in html
    assert '"ArrowRight"' in html and '"ArrowLeft"' in html
    assert "invalidateSize" in html
    for n in (1, 2, 3):
        assert f'window.CareAtlasExport.maps["map_slide{n}"] = map_slide{n};' in html
    assert html.count("Leaflet 1.9.4") == 1  # Leaflet inlined once for all the maps
    assert '<h1 class="deck-title">Cuidado en Bogotá</h1>' in html
    assert '<h2 class="slide-title">Buses del Cuidado</h2>' in html


def test_story_in_english_and_bad_arguments() -> None:
    html = story_html(sample_story("en"), title="Care", sources="s", date="d", lang="en")
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "← Previous" in html and "Next →" in html
    assert "Sources: s" in html
    with pytest.raises(ValueError, match="at least one slide"):
        story_html([], title="t", sources="s", date="d", lang="es")
    with pytest.raises(ValueError, match="at most 4"):
        export_map(figures=[("a", "1")] * 5)
    with pytest.raises(ValueError, match="lang"):
        export_map(lang="fr")
    with pytest.raises(ValueError, match="lang"):
        export_map(lang='es"><script>')


def test_online_tiles_raise_unless_allowed() -> None:
    with pytest.raises(ValueError, match="tiles cannot be embedded offline"):
        export_map(sample_map(tiles="osm"))
    html = export_map(sample_map(tiles="osm"), allow_tiles=True)
    assert "El mapa base necesita conexión a internet" in html
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in html
    hosts = {re.sub(r"^(?:https?:)?//([^/]+).*", r"\1", url) for url in EXTERNAL.findall(html)}
    assert hosts <= {"www.openstreetmap.org"}  # the attribution link, nothing else
    assert "El mapa base necesita" not in export_map()


def test_unvendored_asset_raises() -> None:
    m = sample_map()
    folium.plugins.MarkerCluster().add_to(m)
    with pytest.raises(MissingAssetError, match="markercluster"):
        export_map(m)


def test_caller_map_is_untouched_and_output_is_stable() -> None:
    m = sample_map()
    header = list(m.get_root().header._children)
    name = m.get_name()
    first = export_map(m)
    assert list(m.get_root().header._children) == header
    assert m.get_name() == name
    assert export_map(m) == first


def test_sample_export_size() -> None:
    one = export_map(sample_map(["care_blocks", "care_bus_stops"]))
    size = len(one.encode("utf-8"))
    assert 150_000 < size < 400_000  # Leaflet (~150 kB) + CSS + 25 points + 20 outlines
    story = story_html(sample_story(), title="t", sources="s", date="d", lang="es")
    assert len(story.encode("utf-8")) < 1.6 * size  # Leaflet once, not once per slide


def test_the_page_is_a_template_with_autoescape_and_its_own_style_and_script() -> None:
    from ui.render import standalone

    assert standalone._environment().autoescape("standalone.html.j2") is True
    html = story_html(sample_story(), title="t", sources="s", date="d", lang="en")
    assert (standalone.TEMPLATES / "standalone.css").read_text(encoding="utf-8") in html
    assert (standalone.TEMPLATES / "standalone_deck.js").read_text(encoding="utf-8") in html
    # every word of the deck's controls reaches the page (none is a Python attribute)
    assert 'title="Arrow keys ← → or Page Up / Page Down to change slide"' in html
    assert '<nav class="deck-nav" aria-label="Slide"' in html
    assert 'aria-roledescription="Slide" aria-label="1 / 3: ' in html
