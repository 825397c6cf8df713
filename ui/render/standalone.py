"""Export a map, or a story of maps, as one HTML file that opens with no internet.

For presenters in a room with no network: everything the page needs travels inside
it. The vendored Leaflet JavaScript and CSS (``static/vendor``, see
:mod:`ui.render.offline`) are inlined, with the images the CSS refers to as ``data:`` URIs;
folium's default assets this app never uses (jQuery, Bootstrap, awesome-markers)
are dropped; any other asset raises :class:`ui.render.offline.MissingAssetError`. A map
with an online basemap raises ``ValueError`` unless ``allow_tiles=True``, and then
the page says, visibly, that the basemap needs internet. The finished page is
checked once more: no ``src``/``href``/``url(...)`` may point off the machine.

Each folium map is rendered on its own (a copy: the caller's map is not touched)
and its script runs in its own function scope, so two slides may carry the same
care layer (whose element ids are stable, see ``ui.render.map_view._stable_ids``). A story
shows one slide at a time: Previous/Next buttons, the arrow and Page Up/Down keys
(a presentation clicker sends those), a progress indicator, and the map of the
slide being shown is re-sized with ``invalidateSize()``.

The page is a Jinja2 template (``templates/standalone.html.j2``, its style and script
in ``standalone.css`` and ``standalone_deck.js``) with autoescape on: text (titles,
notes, figures, sources, date) is escaped with :func:`ui.render.safe.text`, so it is
shown as written and never evaluated; only the rendered folium parts and the
vendored files are written as they are.
Nothing here imports Streamlit.
"""

from __future__ import annotations

import base64
import copy
import functools
import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import folium
import jinja2
from branca.element import CssLink, Figure, JavascriptLink
from markupsafe import Markup
from pyproj import Transformer

from geo import vtiles
from ui import i18n
from ui.render import safe
from ui.render.offline import UNUSED, VENDORED, MissingAssetError, vendored_files, walk

log = logging.getLogger(__name__)

MAX_FIGURES = 4
TEMPLATES = Path(__file__).resolve().parent / "templates"

# Leaflet's attribution prefix links to leafletjs.com; offline it stays as plain text.
_LEAFLET_LINK = '<a href="https://leafletjs.com" title="A JavaScript library for interactive maps">'
_LEAFLET_PLAIN = '<a title="Leaflet, a JavaScript library for interactive maps (leafletjs.com)">'
# L.Icon.Default looks its images up next to the CSS; give it data URIs instead.
_LEAFLET_ICONS = {
    "iconUrl": "images/marker-icon.png",
    "iconRetinaUrl": "images/marker-icon-2x.png",
    "shadowUrl": "images/marker-shadow.png",
}
_MIME = {
    ".png": "image/png",
    ".gif": "image/gif",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
}
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
# An attribute or CSS reference that would make the browser (or a click) leave the
# machine; also matches JSON-escaped quotes and slashes inside scripts.
_EXTERNAL = re.compile(
    r"""(?:\b(?:src|href|srcset|action|formaction|poster)\s*=\s*\\?["']?\s*"""
    r"""|url\(\s*\\?["']?\s*|@import\s+\\?["']\s*)"""
    r"""((?:https?:)?(?://|\\/\\/)[^\s"'\\)<>]*)""",
    re.IGNORECASE,
)
_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True)
class HtmlSlide:
    """One slide of a standalone story.

    Parameters
    ----------
    title
        Slide title.
    map
        A folium map built with :func:`ui.render.map_view.base_map`, its feature groups added.
    note
        Short text under the title.
    figures
        Up to four ``(label, value)`` headline figures, shown as big numbers.
    """

    title: str
    map: folium.Map
    note: str = ""
    figures: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class _RenderedMap:
    """One folium map split into the parts of a page."""

    name: str  # JavaScript variable and DOM id of the map
    head: list[str]
    body: Markup  # folium's rendered parts: written as they are
    script: Markup
    js: list[str]  # vendored asset names, in folium's order
    css: list[str]
    online: list[str]  # tile URLs (only with allow_tiles)
    allowed: set[str]  # URLs the online basemap brings (tiles, attribution links)


def map_html(
    m: folium.Map,
    *,
    title: str,
    sources: str,
    date: str,
    lang: str,
    note: str = "",
    figures: Sequence[tuple[str, str]] = (),
    allow_tiles: bool = False,
) -> str:
    """Return one map as a self-contained HTML page that works offline.

    Parameters
    ----------
    m
        A folium map (e.g. :func:`ui.render.map_view.base_map` plus feature groups). It is
        copied, not modified.
    title, note
        Shown above the map.
    figures
        Up to four ``(label, value)`` headline figures.
    sources, date
        Shown under the map.
    lang
        Language of the page (``<html lang>``) and of its few words (es/en).
    allow_tiles
        Keep an online basemap (the page then says it needs internet) instead of
        raising ``ValueError``.

    Raises
    ------
    ValueError
        The map has an online basemap and ``allow_tiles`` is false, too many
        figures, or an unknown language.
    ui.render.offline.MissingAssetError
        The map needs a JavaScript or CSS file that is not vendored.
    """
    slide = HtmlSlide(title=title, map=m, note=note, figures=tuple(figures))
    return story_html(
        [slide],
        title=title,
        sources=sources,
        date=date,
        lang=lang,
        allow_tiles=allow_tiles,
        deck=False,
    )


def story_html(
    slides: Sequence[HtmlSlide],
    *,
    title: str,
    sources: str,
    date: str,
    lang: str,
    allow_tiles: bool = False,
    deck: bool = True,
) -> str:
    """Return a story, one slide and one map at a time, as a self-contained HTML page.

    Parameters
    ----------
    slides
        The slides in order (at least one).
    title
        Title of the story (the page title and the footer).
    sources, date
        Shown in the footer of every slide.
    lang
        Language of the page and of its buttons (es/en).
    allow_tiles
        Keep online basemaps (the page then says they need internet).
    deck
        Show the slides one at a time with the deck's buttons and keys; without it
        (:func:`map_html`) the page is the one slide alone.

    Raises
    ------
    ValueError
        No slides, an online basemap without ``allow_tiles``, too many figures on
        a slide, or an unknown language.
    ui.render.offline.MissingAssetError
        A map needs a JavaScript or CSS file that is not vendored.
    """
    if not slides:
        raise ValueError("a story needs at least one slide")
    words = _words(lang)
    for n, slide in enumerate(slides, start=1):
        if len(slide.figures) > MAX_FIGURES:
            raise ValueError(
                f"slide {n} ({slide.title!r}) has {len(slide.figures)} figures; "
                f"show at most {MAX_FIGURES}"
            )
    maps = [
        _render_map(slide.map, name=f"map_slide{n}", allow_tiles=allow_tiles)
        for n, slide in enumerate(slides, start=1)
    ]
    head = _unique(chunk for rendered in maps for chunk in rendered.head)
    online = sorted({url for rendered in maps for url in rendered.online})
    allowed = {url for rendered in maps for url in rendered.allowed}

    js, css = _assets(maps)
    page = _template().render(
        lang=lang,
        title=title,
        sources=sources,
        date=date,
        words=words,
        story=deck,
        online=bool(online),
        total=len(slides),
        slides=list(zip(slides, maps, strict=True)),
        head=_trusted(head),
        styles=css,
        scripts=js,
        page_css=_trusted(_static_text("standalone.css")),
        deck_js=_trusted(_static_text("standalone_deck.js")),
    )
    leaks = [url for url in _external_refs(page) if url not in allowed]
    if leaks:
        raise MissingAssetError(
            f"the exported page would load {leaks[:3]} from the network: vendor the file "
            "(ui/render/offline.py VENDORED) or drop the element that needs it."
        )
    log.debug("standalone page: %d slide(s), %d characters", len(slides), len(page))
    return page


def _template() -> jinja2.Template:
    """The page skeleton (``templates/standalone.html.j2``)."""
    return _environment().get_template("standalone.html.j2")


@functools.cache
def _environment() -> jinja2.Environment:
    """Jinja2 with autoescape; every value is made inert by :func:`ui.render.safe.text`.

    ``finalize`` runs on each ``{{ value }}`` before autoescape: text from data or the
    caller is escaped for HTML and loses Jinja's delimiters; only :class:`Markup` (the
    rendered folium parts and the vendored files, built by the app) is written as is.
    """
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "html.j2"], default=True),
        finalize=_inert,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _trusted(html: str) -> Markup:
    """Mark HTML the app built itself (folium's rendering, vendored files) as safe."""
    return Markup(html)  # noqa: S704 (app-built HTML; data text goes through _inert)


def _inert(value: object) -> Markup:
    """The environment's ``finalize``: every value but :class:`Markup` made inert text."""
    return value if isinstance(value, Markup) else _trusted(safe.text(value))


@functools.cache
def _static_text(name: str) -> str:
    """A style or script file next to the template (CSS/JS kept out of the Python)."""
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _words(lang: str) -> dict[str, str]:
    if not _LANG_TAG.match(lang):
        raise ValueError(f"lang {lang!r} is not a language tag such as 'es' or 'en'")
    base = lang.split("-", 1)[0].lower()
    if base not in i18n.LANGUAGES:
        raise ValueError(f"lang {lang!r}: the export speaks {', '.join(i18n.LANGUAGES)}")
    return {
        "sources": i18n.t("export_sources", base),
        "date": i18n.t("date", base),
        "map": i18n.t("map_label", base),
        "slide": i18n.t("export_slide", base),
        "previous": i18n.t("export_previous", base),
        "next": i18n.t("export_next", base),
        "keys": i18n.t("export_keys", base),
        "tiles_note": i18n.t("export_tiles_note", base),
    }


def _unique(chunks: Iterable[str]) -> str:
    seen: dict[str, None] = {}
    for chunk in chunks:
        seen.setdefault(chunk.strip(), None)
    return "\n".join(seen)


# --------------------------------------------------------------------------- one map


def _render_map(m: folium.Map, *, name: str, allow_tiles: bool) -> _RenderedMap:
    """Render a copy of ``m`` (named ``name``) into head, body and script parts."""
    mine = copy.deepcopy(m)  # rendering adds links and styles to the figure: not to theirs
    mine._id = name.removeprefix("map_")
    children = list(mine._children.items())
    # the offline basemap is read from the app's server: a file of its own gets it
    # drawn once, as an image of the area around the map's view
    images = {
        key: _basemap_image(mine, child)
        for key, child in children
        if getattr(child, "_name", "") == "Basemap"
    }
    mine._children.clear()
    for key, child in children:
        if key in images:
            image = images[key]
            if image is not None:
                image._id = f"{mine._id}_basemap"  # stable: the same map, the same page
                mine._children[image.get_name()] = image
                image._parent = mine
            continue
        mine._children[key] = child
    if mine.get_name() != name:  # folium names a map "map_" + its id
        raise RuntimeError(f"folium named the map {mine.get_name()!r}, expected {name!r}")
    online, allowed = _online_layers(mine, allow_tiles=allow_tiles)
    figure = mine.get_root()
    assert isinstance(figure, Figure), "folium puts every map in a Figure"
    figure.render()
    js: list[str] = []
    css: list[str] = []
    head: list[str] = []
    for key, child in list(figure.header._children.items()):
        if isinstance(child, JavascriptLink | CssLink):
            _check_asset(key, child.url)
            if key in VENDORED:
                (js if isinstance(child, JavascriptLink) else css).append(key)
            continue
        if key == "meta_http":  # the page sets its own charset
            continue
        head.append(child.render())
    return _RenderedMap(
        name=name,
        head=head,
        body=_trusted(figure.html.render()),
        script=_trusted(_inert_script(figure.script.render())),
        js=js,
        css=css,
        online=online,
        allowed=allowed,
    )


BASEMAP_IMAGE_PX = (2000, 1100)
"""The area drawn under an exported map: a large screen's worth at the map's zoom."""
MIN_BASEMAP_ZOOM = 8
"""Below this zoom a map shows a region or a continent: no city basemap image."""
_TO_MERCATOR = Transformer.from_crs(4326, 3857, always_xy=True)


def _basemap_image(m: folium.Map, layer: Any) -> folium.raster_layers.ImageOverlay | None:
    """The offline basemap around ``m``'s view as an embedded image.

    ``None`` when the file cannot be read, or when the map shows more than a city (a
    region-wide view: the city's basemap would be a speck).
    """
    from ui.render import slide_basemap

    width_px, height_px = BASEMAP_IMAGE_PX
    fit = next((c for c in m._children.values() if isinstance(c, folium.map.FitBounds)), None)
    try:
        if fit is not None:  # the map opens fitted to these bounds
            (south, west), (north, east) = fit.bounds
            x0, y0 = _TO_MERCATOR.transform(float(west), float(south))
            x1, y1 = _TO_MERCATOR.transform(float(east), float(north))
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            per_px = max((x1 - x0) / width_px, (y1 - y0) / height_px) * 2.0  # and around
        else:
            lat, lon = (float(v) for v in m.location)
            cx, cy = _TO_MERCATOR.transform(lon, lat)
            zoom = m.options.get("zoom", 12)
            if not isinstance(zoom, int | float | str):  # int() of a list or dict: the same
                raise TypeError(f"zoom {zoom!r}")
            per_px = vtiles.WORLD_M / 256 / 2 ** int(zoom)
    except (TypeError, ValueError):
        return None
    if per_px > vtiles.WORLD_M / 256 / 2**MIN_BASEMAP_ZOOM:
        return None
    bounds_m = (
        cx - per_px * width_px / 2,
        cy - per_px * height_px / 2,
        cx + per_px * width_px / 2,
        cy + per_px * height_px / 2,
    )
    west, south = _TO_MERCATOR.transform(bounds_m[0], bounds_m[1], direction="INVERSE")
    east, north = _TO_MERCATOR.transform(bounds_m[2], bounds_m[3], direction="INVERSE")
    try:
        png = slide_basemap.image_png(layer.basemap, bounds_m, width_px=BASEMAP_IMAGE_PX[0])
    except (OSError, ValueError) as exc:  # the published file is gone: the map without it
        log.warning("offline basemap left out of the export: %s", exc)
        return None
    return folium.raster_layers.ImageOverlay(
        image=f"data:image/png;base64,{base64.b64encode(png).decode('ascii')}",
        bounds=[[south, west], [north, east]],
        attribution=layer.attribution,
        interactive=False,
        name="basemap",
        control=False,
        # Leaflet's own option names (folium passes an overlay's extra options as they are)
        zIndex=0,
        className="care-atlas-basemap",
    )


def _check_asset(name: str, url: str) -> None:
    if name in UNUSED or name in VENDORED:
        return
    raise MissingAssetError(
        f"map asset {name!r} ({url}) is not vendored, so it cannot be embedded in an "
        "offline export: add its file under static/vendor and an entry in ui/render/offline.py "
        "VENDORED, or drop the element that needs it."
    )


def _online_layers(m: folium.Map, *, allow_tiles: bool) -> tuple[list[str], set[str]]:
    """Tile URLs of the map's online basemaps, and the URLs they bring with them."""
    online: list[str] = []
    allowed: set[str] = set()
    for node in walk(m):
        if isinstance(node, folium.raster_layers.ImageOverlay | folium.raster_layers.VideoOverlay):
            url = str(getattr(node, "url", "") or getattr(node, "video_url", ""))
            if _is_remote(url):
                raise MissingAssetError(
                    f"overlay {node.get_name()} loads {url}: embed the image as a data URL "
                    "(ui.render.raster) so the export works offline."
                )
        tiles = None
        if isinstance(node, folium.raster_layers.TileLayer):
            tiles = str(node.tiles)
        elif isinstance(node, folium.raster_layers.WmsTileLayer):
            tiles = str(node.url)
        if tiles is None or not _is_remote(tiles):
            continue
        if not allow_tiles:
            raise ValueError(
                f"the map has an online basemap ({tiles}); tiles cannot be embedded "
                "offline: build the map with tiles='' or pass allow_tiles=True to keep "
                "it (the page then says the basemap needs internet)."
            )
        online.append(tiles)
        allowed.add(tiles)
        attribution = str(getattr(node, "options", {}).get("attribution", ""))
        allowed.update(match.group(1) for match in _EXTERNAL.finditer(attribution))
    return online, allowed


def _is_remote(url: str) -> bool:
    return url.startswith("//") or urlparse(url).scheme in {"http", "https", "ftp"}


def _inert_script(code: str) -> str:
    """Keep script text from closing its ``<script>`` element early."""
    return re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE).replace("<!--", "<\\!--")


def _external_refs(page: str) -> list[str]:
    """URLs off the machine named in a ``src``, ``href`` or ``url(...)`` of ``page``."""
    return [match.group(1) for match in _EXTERNAL.finditer(page)]


# --------------------------------------------------------------------------- vendored assets


def _assets(maps: Sequence[_RenderedMap]) -> tuple[list[Markup], list[Markup]]:
    """The vendored JavaScript and CSS the maps need, inlined in folium's order."""
    js = list(dict.fromkeys(name for rendered in maps for name in rendered.js))
    css = list(dict.fromkeys(name for rendered in maps for name in rendered.css))
    return [_trusted(_inline_js(name)) for name in js], [
        _trusted(_inline_css(name)) for name in css
    ]


@functools.cache
def _inline_js(name: str) -> str:
    path = vendored_files()[name]
    code = path.read_text(encoding="utf-8")
    if name == "leaflet":
        code = code.replace(_LEAFLET_LINK, _LEAFLET_PLAIN)
        icons = {key: _data_uri(path.parent / rel) for key, rel in _LEAFLET_ICONS.items()}
        code += (
            f"\n;L.Icon.Default.imagePath = '';\nL.Icon.Default.mergeOptions({json.dumps(icons)});"
        )
    return _inert_script(code)


@functools.cache
def _inline_css(name: str) -> str:
    path = vendored_files()[name]
    text = path.read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        ref = match.group(2).strip()
        if ref.startswith(("data:", "#")):
            return match.group(0)
        if _is_remote(ref):
            raise MissingAssetError(f"{path.name} loads {ref}: vendor it next to the CSS")
        return f'url("{_data_uri(path.parent / ref)}")'

    text = _CSS_URL.sub(inline, text)
    if re.search(r"</style", text, flags=re.IGNORECASE):
        raise MissingAssetError(f"{path.name} contains '</style' and cannot be inlined")
    return text


def _data_uri(path: Path) -> str:
    mime = _MIME.get(path.suffix.lower())
    if mime is None or not path.is_file():
        raise MissingAssetError(
            f"{path} is referenced by a vendored asset but is missing or of an unknown "
            "type: vendor it under static/vendor."
        )
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
