"""Build the folium maps: a stable base map plus one feature group per data layer.

Nothing here imports Streamlit, so the generated Leaflet script can be tested
directly. Every string from data passes through :mod:`ui.render.safe` before it reaches
a template or the browser.

The base map (boundaries, legend, scale, view sync) depends only on the language
and the initial view; the care layers are separate feature groups that
streamlit-folium swaps in place (``feature_group_to_add``), so changing a filter
redraws the points but keeps the map, its position and its zoom.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.geometry
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from geo import vocab
from geo.layers import LayerSpec
from geo.settings import Settings, get_settings
from ui.i18n import VOCABULARY, label, labels, readable_source, t
from ui.render import safe
from ui.render.basemap import Basemap, BasemapLayer
from ui.render.basemap import for_settings as basemap_for_settings
from ui.render.offline import E, walk

# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
KIND_COLOURS: dict[str, str] = {
    "care_block": "#D55E00",  # vermillion
    "care_bus": "#E69F00",  # orange
    "home_care": "#CC79A7",  # reddish purple
    "service": "#7A3E9D",  # purple: official district services (many points, drawn small)
    "proposal": "#6B6B6B",  # grey: a study's proposed sites, not official
    "cooperative": "#009E73",  # bluish green
    "training": "#0072B2",  # blue
    "policy": "#56B4E9",  # sky blue
    "community": "#000000",  # black: community-sourced, approved by a moderator
    "user": "#F0E442",  # yellow: a layer this session uploaded
    # Plan page (existing sites keep their colours): new sites of the scenario in blue,
    # suggestions not yet accepted in sky blue, candidate points clicked in grey.
    "proposed": "#0072B2",
    "suggested": "#56B4E9",
    "candidate": "#999999",
}
BOUNDARY_STYLE = {"color": "#6b7280", "weight": 1, "fillColor": "#f3f4f6", "fillOpacity": 0.5}
MARKER_RADIUS = {
    "care_block": 9,
    "care_bus": 7,
    "home_care": 7,
    "proposed": 10,
    "suggested": 10,
    "candidate": 5,
    # hundreds of official service points: small, so the city and the care blocks show
    "service": 4,
    "proposal": 7,
}
DEFAULT_RADIUS = 8


@dataclass(frozen=True)
class View:
    """A map view: centre and zoom."""

    lat: float
    lon: float
    zoom: int

    def clamped(self) -> View:
        """The same view with values inside what Leaflet accepts."""
        return View(
            lat=min(max(self.lat, -85.0), 85.0),
            lon=min(max(self.lon, -180.0), 180.0),
            zoom=min(max(int(self.zoom), 2), 18),
        )


BOGOTA_VIEW = View(4.63, -74.11, 11)


class ViewSync(MacroElement):
    """Mirror the map's centre and zoom into the page URL (``lat``, ``lon``, ``z``).

    Runs in the browser on ``moveend`` without rerunning the Streamlit script, so a
    copied URL reopens the same view. Streamlit rewrites the URL from its own state
    after every rerun (it never learns the view, by design: panning must not rerun
    the script), so the map re-asserts the three parameters once a second when they
    differ. The view is also kept on the page itself (``careAtlasView``, with the
    page's path), where the URL's lag cannot reach it: the view buttons
    (:mod:`ui.view_button`) read it there first. Inside a standalone export there is
    no parent page; the guard makes that a no-op.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            function syncView() {
                var target = window.parent;
                if (!target || target === window || !target.history) { return; }
                var centre = map.getCenter();
                var view = {lat: centre.lat.toFixed(5), lon: centre.lng.toFixed(5),
                            z: String(map.getZoom())};
                target.careAtlasView = Object.assign({path: target.location.pathname}, view);
                var url = new URL(target.location.href);
                var before = url.search;
                url.searchParams.set("lat", view.lat);
                url.searchParams.set("lon", view.lon);
                url.searchParams.set("z", view.z);
                if (url.search !== before) {
                    target.history.replaceState(target.history.state, "", url.toString());
                }
            }
            map.on("moveend", syncView);
            window.setInterval(syncView, 1000);
        })();
        {% endmacro %}
        """
    )


class WheelAfterClick(MacroElement):
    """Let the mouse wheel scroll the page over the map until the map is clicked.

    The map is created with ``scrollWheelZoom`` off; a click (or keyboard focus) on the
    map turns wheel zoom on, and leaving the map turns it off again, so a person
    scrolling down the page is never caught by the map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var box = map.getContainer();
            function on() { map.scrollWheelZoom.enable(); }
            function off() { map.scrollWheelZoom.disable(); }
            map.on("click", on);
            box.addEventListener("focus", on);
            box.addEventListener("mouseleave", off);
            box.addEventListener("blur", off);
        })();
        {% endmacro %}
        """
    )


class ControlsAboveAttribution(MacroElement):
    """Lift the bottom-left controls above the attribution on a narrow map.

    The controls are the scale bar and the legend; on a phone the attribution wraps over
    two or three lines and would cover them.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            if (!map.attributionControl) { return; }
            var credit = map.attributionControl.getContainer();
            var left = map.getContainer().querySelector(".leaflet-bottom.leaflet-left");
            if (!credit || !left) { return; }
            function fit() {
                var c = credit.getBoundingClientRect(), l = left.getBoundingClientRect();
                left.style.bottom = c.left < l.right + 4 ? credit.offsetHeight + "px" : "";
            }
            if (window.ResizeObserver) { new ResizeObserver(fit).observe(credit); }
            map.on("resize", fit);
            fit();
        })();
        {% endmacro %}
        """
    )


class FocusWithoutScroll(MacroElement):
    """Keep the first click on a marker from being lost.

    Leaflet's keyboard handler focuses the map on ``mousedown``; when the map's
    iframe is partly below the fold, that focus scrolls the page, the marker moves
    under the pointer before ``mouseup`` and the click never happens. Re-bind the
    handler to focus with ``preventScroll`` (keyboard navigation stays on).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            if (!map.keyboard) { return; }
            map.keyboard.disable();
            map.keyboard._onMouseDown = function () {
                if (this._focused) { return; }
                this._map._container.focus({preventScroll: true});
            };
            map.keyboard.enable();
        })();
        {% endmacro %}
        """
    )


class Legend(MacroElement):
    """Leaflet control listing what is on the map.

    The care layers' colours and any
    other symbol the page draws (``extra``).

    ``rows`` are ``(colour, label)`` pairs drawn as dots; ``extra`` are ``(swatch,
    label)`` pairs where the swatch is one of :data:`LEGEND_SWATCHES` (``"number"``,
    ``"you"``, ``"zone"``). Labels are escaped here and embedded as JSON, so no text is
    ever parsed as a template or as HTML. The legend folds into its title (a
    ``<details>`` element, folded at first on a phone) and hides while a popup is open,
    so it never covers one.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var legend = L.control({position: "bottomleft"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("details", "care-atlas-legend");
                div.setAttribute("aria-label", {{ this.title|tojson }});
                if (map.getSize().x >= 480) { div.setAttribute("open", ""); }
                div.style.cssText = "background:#fff;padding:4px 10px;border-radius:6px;" +
                    "box-shadow:0 1px 4px rgba(0,0,0,.3);font:13px/1.5 sans-serif;color:#111;" +
                    "max-height:45vh;overflow:auto";
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo(map);
            var box = legend.getContainer();
            map.on("popupopen", function () { box.style.display = "none"; });
            map.on("popupclose", function () { box.style.display = ""; });
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        title: str,
        rows: Sequence[tuple[str, str]],
        boundary_label: str,
        extra: Sequence[tuple[str, str]] = (),
    ):
        super().__init__()
        self._name = "Legend"
        self.title = safe.text(title)
        items = [f'<summary style="cursor:pointer"><strong>{safe.text(title)}</strong></summary>']
        items += [
            f'<div role="listitem"><span style="display:inline-block;width:12px;height:12px;'
            f"border-radius:50%;background:{colour};border:1px solid #222;margin-right:6px;"
            f'vertical-align:-1px"></span>{safe.text(text)}</div>'
            for colour, text in rows
        ]
        items += [
            f'<div role="listitem">{LEGEND_SWATCHES[swatch]}{safe.text(text)}</div>'
            for swatch, text in extra
        ]
        items.append(
            '<div role="listitem"><span style="display:inline-block;width:12px;height:10px;'
            f"background:{BOUNDARY_STYLE['fillColor']};border:1px solid {BOUNDARY_STYLE['color']};"
            f'margin-right:6px"></span>{safe.text(boundary_label)}</div>'
        )
        self.html = "".join(items)


LEGEND_SWATCHES = {
    "number": (
        '<span style="display:inline-block;min-width:16px;height:16px;border-radius:8px;'
        "background:#0072B2;color:#fff;font:bold 11px/16px sans-serif;text-align:center;"
        'margin-right:6px">1</span>'
    ),
    "you": (
        '<span style="display:inline-block;width:12px;height:12px;border-radius:50%;'
        'background:#F0E442;border:2px solid #000;margin-right:6px">'
        "</span>"
    ),
    "zone": (
        '<span style="display:inline-block;width:14px;height:10px;background:#fff;'
        f'border:2px solid {KIND_COLOURS["care_block"]};margin-right:6px"></span>'
    ),
}
"""Legend swatches for symbols other than care layers (static HTML, no data text)."""


def bounds_of(frames: Iterable[gpd.GeoDataFrame]) -> tuple[float, float, float, float] | None:
    """``(south, west, north, east)`` around all non-empty frames, or ``None``."""
    boxes = [frame.to_crs(4326).total_bounds for frame in frames if not frame.empty]
    if not boxes:
        return None
    return (
        min(b[1] for b in boxes),
        min(b[0] for b in boxes),
        max(b[3] for b in boxes),
        max(b[2] for b in boxes),
    )


def point_marker(location: Sequence[float], *, tooltip: str | None = None) -> folium.CircleMarker:
    """The marker of the person's own point (black ring, yellow fill): here, or to suggest."""
    return folium.CircleMarker(
        location,
        radius=9,
        color="#000000",
        weight=3,
        fill=True,
        fill_color="#F0E442",
        fill_opacity=1,
        tooltip=tooltip,
    )


@dataclass(frozen=True)
class OnlineTiles:
    """An online tile layer under the map, or none (the default: no outside request).

    Attributes
    ----------
    url
        ``""`` (none), ``"osm"`` (OpenStreetMap), or a tile URL template.
    attribution
        Attribution for a custom tile URL (the URL itself when empty).
    """

    url: str = ""
    attribution: str = ""

    @classmethod
    def background(cls, settings: Settings) -> OnlineTiles | Literal["auto"]:
        """Return what the settings ask maps to be drawn on.

        The online tiles they name (``CARE_ATLAS_TILES``), else ``"auto"``: the offline
        basemap.
        """
        return cls(settings.tiles, settings.tiles_attribution) if settings.tiles else "auto"


def base_map(
    *,
    view: View | None,
    lang: str,
    boundaries: Iterable[gpd.GeoDataFrame],
    legend_kinds: Sequence[str],
    boundary_label: str = "legend_boundaries",
    fit: tuple[float, float, float, float] | None = None,
    basemap: Basemap | OnlineTiles | Literal["auto"] | None = "auto",
    legend_extra: Sequence[tuple[str, str]] = (),
) -> folium.Map:
    """Build the map frame: basemap, boundaries, legend, scale bar and URL view sync.

    Parameters
    ----------
    view
        Initial centre and zoom; ``None`` fits the map to ``fit``.
    lang
        Interface language for the legend.
    boundaries
        Polygon layers drawn as a light, non-interactive background.
    legend_kinds
        Kinds of care layer listed in the legend.
    boundary_label
        Interface string naming the background outlines in the legend.
    fit
        ``(south, west, north, east)`` to fit when ``view`` is ``None``.
    basemap
        What the map is drawn on: ``"auto"`` (default) the data folder's offline basemap
        (:mod:`ui.render.basemap`: the atlas's, or one built from the sample's
        boundaries); a :class:`~ui.render.basemap.Basemap`; online tiles
        (:class:`OnlineTiles`, the only case that makes an outside request); ``None``
        nothing. :meth:`OnlineTiles.background` gives what the settings ask for.
    legend_extra
        Other symbols on the map, ``(swatch, label)`` (see :class:`Legend`).
    """
    fit_to = fit if view is None else None
    if view is None:
        south, west, north, east = fit or (-56.0, -118.0, 33.0, -34.0)
        view = View((south + north) / 2, (west + east) / 2, 3)
    view = view.clamped()
    m = folium.Map(
        location=[view.lat, view.lon],
        zoom_start=view.zoom,
        tiles=None,
        control_scale=True,
        min_zoom=2,
        max_zoom=18,
        scrollWheelZoom=False,  # turned on by a click on the map (WheelAfterClick)
    )
    if basemap == "auto" or (isinstance(basemap, OnlineTiles) and not basemap.url):
        basemap = basemap_for_settings()
    if isinstance(basemap, Basemap):
        BasemapLayer(basemap, static_url=get_settings().static_url).add_to(m)
    if isinstance(basemap, OnlineTiles):
        tiles = basemap
        if tiles.url == "osm":
            folium.TileLayer("OpenStreetMap", control=False).add_to(m)
        else:
            folium.TileLayer(tiles.url, attr=tiles.attribution or tiles.url, control=False).add_to(
                m
            )
    # The offline basemap draws the localidad and UPZ borders (and the sample's country
    # outlines) itself, with their names: the outlines are sent only without it. They were
    # most of the map's payload on the atlas (about 0.5 MB on every rerun).
    outline_style = BOUNDARY_STYLE
    if isinstance(basemap, Basemap):
        boundaries = ()
    for layer in boundaries:
        folium.GeoJson(
            _outline_geojson(layer),
            name="boundaries",
            style_function=lambda _feature: outline_style,
            interactive=False,
            control=False,
        ).add_to(m)
    if fit_to is not None:
        south, west, north, east = fit_to
        m.fit_bounds([[south, west], [north, east]], padding=(24, 24))
    Legend(
        t("legend", lang),
        [(KIND_COLOURS[k], label("kind", k, lang)) for k in legend_kinds],
        t(boundary_label, lang),
        legend_extra,
    ).add_to(m)
    ViewSync().add_to(m)
    FocusWithoutScroll().add_to(m)
    ControlsAboveAttribution().add_to(m)
    WheelAfterClick().add_to(m)
    return m


_OUTLINES: OrderedDict[str, str] = OrderedDict()
"""Outlines already simplified, by the digest of their geometry (WKB): the loaders'
caches hand each run a copy of the same frame, so an object id would never match again
(simplifying the atlas's UPZ and localidades costs about 2 s)."""
_OUTLINES_KEPT = 16


def _outline_geojson(layer: gpd.GeoDataFrame) -> dict:
    """Geometry only: background outlines carry no text to the browser.

    Outlines are simplified to 5 m and rounded to about 1 m (5 decimals) first: official
    boundaries carry a vertex every few metres, which the browser need not draw.
    """
    digest = hashlib.blake2b(digest_size=16)
    digest.update(str(layer.crs).encode("utf-8"))
    for wkb in shapely.to_wkb(layer.geometry.to_numpy()):
        digest.update(wkb or b"")
    key = digest.hexdigest()
    text = _OUTLINES.get(key)
    if text is None:
        text = _simplified_outline(layer)
        _OUTLINES[key] = text
        while len(_OUTLINES) > _OUTLINES_KEPT:
            _OUTLINES.popitem(last=False)
    else:
        _OUTLINES.move_to_end(key)
    return json.loads(text)  # a fresh dict: folium may add to it


def _simplified_outline(layer: gpd.GeoDataFrame) -> str:
    outlines = gpd.GeoSeries(layer.geometry, crs=layer.crs)
    if outlines.crs is not None and not outlines.empty:
        metric = outlines.to_crs(outlines.estimate_utm_crs())
        outlines = metric.simplify(5.0, preserve_topology=True).to_crs(4326)
    return outlines.set_precision(1e-5).to_json()


_FEATURE_TEXT: OrderedDict[tuple[str, str, str], tuple[str, str]] = OrderedDict()
"""Tooltip and popup HTML already built, by (layer, language, row digest): a filter
change or a rerun draws the same places again (about 0.5 s for the atlas's 680)."""
_FEATURE_TEXT_KEPT = 20_000


def _row_digests(features: gpd.GeoDataFrame) -> list[str] | None:
    """One digest per row of the attributes (index included), or ``None`` if unhashable."""
    try:
        hashed = pd.util.hash_pandas_object(
            features.drop(columns=features.geometry.name), index=True
        )
    except TypeError:  # e.g. a list in a cell of an uploaded layer: built each time
        return None
    return [f"{value:016x}" for value in hashed.to_numpy()]


def _feature_text(
    features: gpd.GeoDataFrame, spec: LayerSpec, *, lang: str
) -> list[tuple[str, str]]:
    """``(tooltip, popup)`` HTML for each row, built once per row content and language."""
    digests = _row_digests(features)
    if digests is None:
        return [
            (tooltip_html(row, spec, lang=lang), popup_html(row, spec, lang=lang))
            for row in features.to_dict("records")
        ]
    keys = [(spec.id, lang, digest) for digest in digests]
    missing = [n for n, key in enumerate(keys) if key not in _FEATURE_TEXT]
    if missing:  # the records are built only for rows not seen before
        rows = features.iloc[missing].to_dict("records")
        for n, row in zip(missing, rows, strict=True):
            _FEATURE_TEXT[keys[n]] = (
                tooltip_html(row, spec, lang=lang),
                popup_html(row, spec, lang=lang),
            )
    out = [_FEATURE_TEXT[key] for key in keys]
    while len(_FEATURE_TEXT) > _FEATURE_TEXT_KEPT:
        _FEATURE_TEXT.popitem(last=False)
    return out


def feature_group(features: gpd.GeoDataFrame, spec: LayerSpec, *, lang: str) -> folium.FeatureGroup:
    """One care layer as a feature group of circle markers with tooltip and popup.

    The GeoJSON sent to the browser carries only the feature ``id``, its ``layer``
    and two pre-escaped HTML strings (``_tip``, ``_popup``), never raw data text.
    A click returns the feature (``last_active_drawing``), whose ``id`` and
    ``layer`` select the full record.
    """
    colour = KIND_COLOURS[spec.kind]
    group = folium.FeatureGroup(name=safe.text(spec.title[lang]), show=True)
    if features.empty:
        return group
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {"id": str(fid), "layer": spec.id, "_tip": tip, "_popup": popup},
            }
            for fid, (tip, popup), geometry in zip(
                features.index,
                _feature_text(features, spec, lang=lang),
                _geometries(features.geometry.to_numpy()),
                strict=True,
            )
        ],
    }
    style = {
        "radius": MARKER_RADIUS.get(spec.kind, DEFAULT_RADIUS),
        "color": "#1f2937",
        "weight": 1.5,
        "fill": True,
        "fillColor": colour,
        "fillOpacity": 0.9,
    }
    west, south, east, north = (float(v) for v in features.total_bounds)
    CareLayer(collection, style=style, bounds=((south, west), (north, east))).add_to(group)
    return _stable_ids(group, spec.id)


class _Script(Element):
    """Script text already rendered: added to the page as it is.

    branca's ``MacroElement.render`` wraps a rendered script in ``Element(text)``, which
    compiles the text as a Jinja template again: for a layer of 700 places with their
    popups, a third of a second of every rerun spent parsing data.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


class CareLayer(MacroElement):
    """Care places as circle markers with a tooltip, a popup and a hover highlight.

    A lean stand-in for ``folium.GeoJson`` with ``GeoJsonTooltip`` and ``GeoJsonPopup``:
    one style for the whole layer (no per-feature style map), the tooltip and popup
    taken from the features' pre-escaped ``_tip`` and ``_popup`` properties, and the
    data written once as JSON (``</`` escaped so it cannot close the script). Leaflet
    sets the tooltip and popup as HTML, which is why they are built escaped by
    :func:`tooltip_html` and :func:`popup_html`.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson(null, {
            pointToLayer: function (feature, latlng) {
                return L.circleMarker(latlng, {{ this.style|tojson }});
            },
            style: function () { return {{ this.style|tojson }}; },
            onEachFeature: function (feature, layer) {
                var p = feature.properties;
                layer.bindTooltip(p._tip, {sticky: false, className: "foliumtooltip"});
                layer.bindPopup(p._popup, {maxWidth: 320, className: "foliumpopup"});
                layer.on({
                    mouseover: function (e) { e.target.setStyle({weight: 3, color: "#000000"}); },
                    mouseout: function (e) { {{ this.get_name() }}.resetStyle(e.target); }
                });
            }
        });
        {{ this.get_name() }}.addData({{ this.data_json }});
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        collection: dict,
        *,
        style: dict,
        bounds: tuple[tuple[float, float], tuple[float, float]],
    ) -> None:
        super().__init__()
        self._name = "CareLayer"
        self.style = style
        self.data_json = (
            json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
            .replace("</", "<\\/")
            .replace("\u2028", "\\u2028")
            .replace("\u2029", "\\u2029")
        )
        self._bounds: list[list[float | None]] = [list(bounds[0]), list(bounds[1])]

    def _get_self_bounds(self) -> list[list[float | None]]:
        return self._bounds

    # branca types Element.render as returning the HTML, but its own MacroElement.render
    # (which this replaces) returns None: the override is as untrue to Element as branca's.
    def render(self, **kwargs) -> None:  # type: ignore[override]
        """Add the script to the page as rendered (see :class:`_Script`)."""
        figure = self.get_root()
        assert isinstance(figure, Figure), "a CareLayer renders inside a map"  # as in branca
        script = self._template.module.__dict__["script"](self, kwargs)
        figure.script.add_child(_Script(script), name=self.get_name())


def _geometries(geoms: np.ndarray) -> list[dict]:
    """GeoJSON geometries, points rounded in one numpy step (the common case)."""
    if len(geoms) and bool(np.all(shapely.get_type_id(geoms) == 0)):
        xy = np.round(shapely.get_coordinates(geoms), 6).tolist()
        return [{"type": "Point", "coordinates": pair} for pair in xy]
    return [_rounded(geom) for geom in geoms]


def _rounded(geom) -> dict:
    """GeoJSON geometry with coordinates rounded to 6 decimals (about 0.1 m)."""
    if geom.geom_type == "Point":
        return {"type": "Point", "coordinates": [round(geom.x, 6), round(geom.y, 6)]}
    return shapely.geometry.mapping(shapely.set_precision(geom, 1e-6))


def _stable_ids(element: E, seed: str) -> E:
    """Give an element tree ids derived from ``seed`` instead of random ones.

    streamlit-folium redraws the care layers whenever their script text changes;
    folium's random ids would change it on every rerun, closing the popup the person
    just opened. With stable ids an unchanged layer is left alone.
    """
    prefix = hashlib.sha1(seed.encode("utf-8")).hexdigest()[:10]  # noqa: S324 (not security)
    for n, node in enumerate(walk(element)):
        node._id = f"{prefix}{n}"
    return element


def tooltip_html(row: dict, spec: LayerSpec, *, lang: str) -> str:
    """Short hover text: name and kind."""
    return f"<strong>{safe.text(row.get('name'))}</strong><br>{safe.text(label('kind', spec.kind, lang))}"


def _population_labels(codes: Sequence[str], kind: str, lang: str) -> list[str]:
    """Return who a place serves, in words.

    Who a place serves. Training offers use the report's wider words ("children" there
    means girls and boys of 4 to 12 and more, not early childhood).
    """
    if kind != "training":
        return labels("populations", codes, lang)
    wider = VOCABULARY["offer_populations"]
    return [
        label("offer_populations" if code in wider else "populations", code, lang) for code in codes
    ]


def popup_html(row: dict, spec: LayerSpec, *, lang: str) -> str:
    """Popup text: name, services, who it serves, operator, place, source and precision."""
    parts = [f"<strong>{safe.text(row.get('name'))}</strong>"]
    parts.append(f"<em>{safe.text(label('kind', spec.kind, lang))}</em>")
    services = vocab.split_codes(row.get("services"))
    if services:
        parts.append(
            f"<b>{safe.text(t('services', lang))}:</b> "
            f"{safe.join(labels('services', services, lang))}"
        )
        if row.get("services_verified") is False:
            parts.append(f"<small>{safe.text(t('catalogue_note', lang))}</small>")
    populations = vocab.split_codes(row.get("populations"))
    if populations:
        parts.append(
            f"<b>{safe.text(t('populations', lang))}:</b> "
            f"{safe.join(_population_labels(populations, spec.kind, lang))}"
        )
    if row.get("operator"):
        parts.append(
            f"<b>{safe.text(t('operator', lang))}:</b> "
            f"{safe.text(label('operator', row['operator'], lang))}"
        )
    place = ", ".join(
        p
        for p in (str(row.get("city") or ""), label("country", str(row.get("country") or ""), lang))
        if p
    )
    if place:
        parts.append(safe.text(place))
    if row.get("community_sourced"):
        parts.append(
            f"<b>{safe.text(t('community_sourced', lang))}</b> · "
            f"{safe.text(t('last_verified', lang, date=row.get('last_verified') or '?'))}"
        )
    if row.get("source"):
        parts.append(
            f"<b>{safe.text(t('source', lang))}:</b> {safe.text(readable_source(str(row.get('source')), lang))}"
        )
    if row.get("location_precision"):
        parts.append(
            f"<b>{safe.text(t('precision', lang))}:</b> "
            f"{safe.text(label('location_precision', row['location_precision'], lang))}"
        )
    return "<br>".join(parts)


class ColourBar(MacroElement):
    """A colour bar with title, unit and range, shown while its feature group is on the map.

    Attached to a feature group (not the map) so it appears and disappears with the
    surface it explains when streamlit-folium swaps the groups.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var group = {{ this._parent.get_name() }};
            var bar = L.control({position: "bottomright"});
            bar.onAdd = function () {
                var div = L.DomUtil.create("div", "care-atlas-colourbar");
                div.style.cssText = "background:#fff;padding:6px 10px;border-radius:6px;" +
                    "box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px/1.4 sans-serif;color:#111;" +
                    "min-width:180px";
                div.innerHTML = {{ this.html|tojson }};
                return div;
            };
            group.on("add", function (e) { bar.addTo(e.target._map); });
            group.on("remove", function () { bar.remove(); });
            if (group._map) { bar.addTo(group._map); }  // already on the map (a static export)
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        *,
        title: str,
        unit: str,
        low: str,
        high: str,
        gradient: str,
        ticks: Sequence[str] = (),
    ):
        super().__init__()
        self._name = "ColourBar"
        marks = ticks or (low, high)
        self.html = (
            f"<strong>{safe.text(title)}</strong><br><small>{safe.text(unit)}</small>"
            f'<div style="height:10px;margin:4px 0;border:1px solid #999;background:{gradient}"></div>'
            '<div style="display:flex;justify-content:space-between">'
            + "".join(f"<span>{safe.text(mark)}</span>" for mark in marks)
            + "</div>"
        )


def catchment_group(
    zones: gpd.GeoDataFrame, *, name: str, colour: str = "#D55E00"
) -> folium.FeatureGroup:
    """Walking catchments as light, non-interactive polygons (geometry only)."""
    group = folium.FeatureGroup(name=safe.text(name), show=True)
    if not zones.empty:
        folium.GeoJson(
            _outline_geojson(zones),
            style_function=lambda _f: {
                "color": colour,
                "weight": 1,
                "fillColor": colour,
                "fillOpacity": 0.12,
                "dashArray": "4 3",
            },
            interactive=False,
        ).add_to(group)
    return _stable_ids(group, f"catchments:{name}")


def surface_group(
    overlay, *, name: str, colour_bar: ColourBar | None = None
) -> folium.FeatureGroup:
    """A raster surface (``ui.render.raster.Overlay``) as an image layer, with its colour bar."""
    group = folium.FeatureGroup(name=safe.text(name), show=True)
    folium.raster_layers.ImageOverlay(
        image=overlay.data_url,
        bounds=[list(overlay.bounds[0]), list(overlay.bounds[1])],
        interactive=False,
        cross_origin=False,
    ).add_to(group)
    if colour_bar is not None:
        colour_bar.add_to(group)
    return _stable_ids(group, f"surface:{name}")


def areas_group(
    areas: gpd.GeoDataFrame, *, name: str, tooltips: Sequence[str]
) -> folium.FeatureGroup:
    """Outlined areas (e.g. unserved areas) with a pre-escaped tooltip each."""
    group = folium.FeatureGroup(name=safe.text(name), show=True)
    if not areas.empty:
        shapes = json.loads(gpd.GeoSeries(areas.geometry, crs=areas.crs).to_crs(4326).to_json())
        for feature, tip in zip(shapes["features"], tooltips, strict=True):
            feature["properties"] = {"_tip": tip}
        folium.GeoJson(
            shapes,
            style_function=lambda _f: {
                "color": "#000000",
                "weight": 2.5,
                "fill": True,
                "fillOpacity": 0.0,
            },
            tooltip=folium.GeoJsonTooltip(fields=["_tip"], labels=False),
        ).add_to(group)
    return _stable_ids(group, f"areas:{name}")
