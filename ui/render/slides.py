"""Render a map view as presentation slides (PNG or PDF) on the server, without a browser.

A slide is a title band (title, subtitle), the map on the left (layers, scale bar,
north arrow), a right column with up to four headline figures and the legend, and
a footer with the source note and the date. It is drawn with matplotlib's Agg
backend through :class:`matplotlib.figure.Figure` and
:class:`~matplotlib.backends.backend_agg.FigureCanvasAgg`: no ``pyplot``, no
global state, so two Streamlit sessions can render at the same time. Nothing is
fetched: the font is matplotlib's bundled DejaVu Sans (it has the Spanish
accents), loaded from its file, and there are no basemap tiles (see ``tiles`` in
:func:`render_png`: a hook for a caller-supplied, offline basemap; fetching is
deliberately not implemented).

The map is drawn in Web Mercator (EPSG:3857), as on the web map. Distances are
never measured in degrees: the scale bar is a round number of true metres,
converted to Mercator units with the scale factor ``1 / cos(latitude)`` at the
map centre. Polygons are simplified for display with a tolerance of
:data:`SIMPLIFY_M` true metres at the map centre and all coordinates are snapped
to a :data:`GRID_M` grid; the caller's frames are never modified.

Layout uses fixed figure fractions computed from the text (no ``tight_layout``):
every size is a fraction of the page height, so a slide looks the same at 16:9
and A4 and in PNG and PDF. Long titles, labels and notes are wrapped to the
space they have, measured with the font itself, and cut with an ellipsis after
a fixed number of lines, so nothing overflows or overlaps; the source note is never
cut (it wraps onto as many lines as it needs and the map gives up the room). Text from data is
drawn literally (``parse_math=False``, ``usetex=False``): ``"Costo $5"`` and
``"<b>x</b>"`` appear as typed.

PDF pages are vector; the font is embedded (as a subset; matplotlib's default
Type 3 embedding, which keeps the text extractable and searchable).
"""

from __future__ import annotations

import io
import logging
import math
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Ellipse, FancyArrow, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.textpath import TextToPath

from geo.errors import LayerError

log = logging.getLogger(__name__)

FORMATS: dict[str, tuple[int, int]] = {"16:9": (1920, 1080), "A4": (3508, 2480)}
"""Slide sizes in pixels: a 1080p screen, and A4 landscape at 300 dpi."""

SIMPLIFY_M = 10.0
"""Display simplification tolerance for polygons, in true metres at the map centre.

Under half a pixel for a city-wide map at both formats (a 40 km wide map is about
30 m per pixel at 16:9 and 17 m per pixel on A4 at 300 dpi), so the drawing
looks the same while boundaries with many vertices stay small in the PDF.
"""

GRID_M = 1.0
"""Coordinates are snapped to this grid (Mercator units, about a metre) for display."""

LAYER_KINDS = ("points", "polygons", "outline", "areas")
MAX_FIGURES = 4
NO_FEATURES = "Sin elementos para mostrar · no features to show"

TilesHook = Callable[[Axes, tuple[float, float, float, float]], None]
"""``tiles(ax, (min_x, min_y, max_x, max_y))``: draws a basemap under the layers.

The bounds are in EPSG:3857 metres. The hook must draw from local data (nothing is
fetched here) and add its own attribution if the tiles need one.
"""

_PAGE_DPI = 96.0  # the "16:9" PDF page is 1920 x 1080 px at 96 dpi = 1440 x 810 pt
_A4_IN = (297 / 25.4, 210 / 25.4)
_REFERENCE_HEIGHT_PT = 1080 / _PAGE_DPI * 72  # SlideLayer.size is scatter ``s`` at this height
_WEB_MERCATOR_R = 6_378_137.0
_MAX_LAT = 85.05112878
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
_SCALE_STEPS_M = tuple(m * 10**e for e in range(1, 7) for m in (1, 2, 5))  # 10 m .. 5000 km

# Slide palette (text and frame), neutral so the layer colours stand out.
_INK = "#111827"
_MUTED = "#4b5563"
_RULE = "#d1d5db"
_MAP_BG = "#f1f5f9"


@dataclass(frozen=True)
class SlideLayer:
    """One map layer of a slide.

    Parameters
    ----------
    frame
        Features in any CRS (it must have one).
    label
        Legend label; ``""`` keeps the layer out of the legend.
    colour
        ``"#RRGGBB"``.
    kind
        ``"points"`` (markers), ``"polygons"`` (filled, translucent), ``"outline"``
        (boundaries, no fill) or ``"areas"`` (a thick black outline, no fill, e.g.
        unserved areas; ``colour`` is not used).
    size
        Marker size for points, as matplotlib's scatter ``s`` (points squared) on the
        16:9 slide; scaled with the page height for other sizes.
    """

    frame: gpd.GeoDataFrame
    label: str
    colour: str
    kind: str = "points"
    size: float = 60.0


@dataclass(frozen=True)
class Slide:
    """One slide: a map view with its title, headline figures and source note.

    Parameters
    ----------
    title
        Slide title (wrapped to two lines at most).
    layers
        Map layers, drawn polygons first, then outlines, then points; empty ones are skipped.
    subtitle
        Line under the title, e.g. the view's filters (wrapped, never cut).
    figures
        ``(label, value)`` headline figures; the first four are shown.
    note
        Sources and caveats, e.g. ``"Source: ... · modelled demand"``.
    date
        Date of the data or of the slide, e.g. ``"2026-11-23"``.
    legend_title
        Heading of the legend.
    extent
        ``(min_lon, min_lat, max_lon, max_lat)`` in degrees; by default the bounds of
        all layers padded by 5 %. Widened to the shape of the map box, never cropped.
    surface
        A raster drawn under the layers (e.g. minutes to the nearest service).
    colour_bar
        The surface's colour scale, drawn in the right column under the figures.
    """

    title: str
    layers: Sequence[SlideLayer]
    subtitle: str = ""
    figures: Sequence[tuple[str, str]] = ()
    note: str = ""
    date: str = ""
    legend_title: str = ""
    extent: tuple[float, float, float, float] | None = None
    surface: SlideSurface | None = None
    colour_bar: ColourScale | None = None


@dataclass(frozen=True)
class SlideSurface:
    """A raster under the map layers.

    Parameters
    ----------
    image
        ``(rows, cols, 4)`` RGBA ``uint8``, row 0 at the north edge, in Web Mercator
        (square pixels in EPSG:3857, as :func:`ui.render.raster.surface_overlay` makes them).
    bounds
        ``(min_lon, min_lat, max_lon, max_lat)`` of the image's outer edges, in degrees.
    """

    image: np.ndarray
    bounds: tuple[float, float, float, float]


@dataclass(frozen=True)
class ColourScale:
    """A colour bar: title, unit, the palette (low to high) and the labels of its breaks.

    ``ticks`` are spread evenly along the bar (first at the left end, last at the right),
    as on the web map's colour bar.
    """

    title: str
    unit: str
    colours: Sequence[str]
    ticks: Sequence[str]


# --------------------------------------------------------------------------- public


def render_png(
    slide: Slide, *, size: tuple[int, int] = FORMATS["16:9"], tiles: TilesHook | None = None
) -> bytes:
    """Render one slide as a PNG of exactly ``size`` pixels.

    Parameters
    ----------
    slide
        What to draw.
    size
        ``(width, height)`` in pixels, e.g. ``FORMATS["A4"]``.
    tiles
        Basemap hook (see :data:`TilesHook`); ``None`` draws no basemap. Nothing is
        ever fetched by this module.

    Returns
    -------
    bytes
        The PNG file (300 dpi in its metadata for the A4 size, 96 dpi otherwise).

    Raises
    ------
    LayerError
        A layer has no CRS, an unknown kind or a malformed colour (a ``ValueError``).
    """
    width_px, height_px = (int(v) for v in size)
    if width_px < 16 or height_px < 16:
        raise ValueError(f"slide size {size!r} is too small; use at least 16 x 16 pixels")
    dpi = 300.0 if (width_px, height_px) == FORMATS["A4"] else _PAGE_DPI
    # Half a pixel of slack: the canvas truncates width * dpi to an int.
    fig = Figure(figsize=((width_px + 0.5) / dpi, (height_px + 0.5) / dpi), dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    _draw_slide(fig, slide, tiles=tiles)
    buf = io.BytesIO()
    canvas.print_png(buf, metadata={"Title": slide.title, "Software": "Care Atlas"})
    if canvas.get_width_height() != (width_px, height_px):  # pragma: no cover (guard)
        raise RuntimeError(f"rendered {canvas.get_width_height()}, asked for {size}")
    log.debug("slide %r rendered as %d x %d PNG", slide.title, width_px, height_px)
    return buf.getvalue()


def render_pdf(
    slides: Sequence[Slide], *, page: str = "16:9", tiles: TilesHook | None = None
) -> bytes:
    """Render slides as a PDF, one page per slide.

    Parameters
    ----------
    slides
        The slides, in order.
    page
        ``"16:9"``: 1920 x 1080 px at 96 dpi (20 x 11.25 in, 1440 x 810 pt);
        ``"A4"``: A4 landscape, 297 x 210 mm (841.9 x 595.3 pt).
    tiles
        Basemap hook (see :data:`TilesHook`); ``None`` draws no basemap.

    Returns
    -------
    bytes
        The PDF file: vector drawing, font embedded, text extractable.

    Raises
    ------
    ValueError
        No slides, an unknown ``page``, or a layer problem (:class:`LayerError`).
    """
    if page == "16:9":
        figsize = (FORMATS["16:9"][0] / _PAGE_DPI, FORMATS["16:9"][1] / _PAGE_DPI)
    elif page == "A4":
        figsize = _A4_IN
    else:
        raise ValueError(f"unknown page {page!r}; use one of {sorted(FORMATS)}")
    if not slides:
        raise ValueError("no slides to render; pass at least one Slide")
    buf = io.BytesIO()
    metadata = {"Creator": "Care Atlas", "Title": slides[0].title}
    with PdfPages(buf, metadata=metadata) as pdf:
        for slide in slides:
            fig = Figure(figsize=figsize, dpi=72)
            _draw_slide(fig, slide, tiles=tiles)
            pdf.savefig(fig)
    log.debug("%d slide(s) rendered as %s PDF", len(slides), page)
    return buf.getvalue()


def scale_bar_length_m(map_width_m: float, *, fraction: float = 0.2) -> float:
    """Pick a round scale-bar length close to ``fraction`` of the map width.

    Parameters
    ----------
    map_width_m
        Width of the map in true metres.
    fraction
        Target share of the width.

    Returns
    -------
    float
        A length of the 1-2-5 series in metres (500 m, 1 km, 2 km, 5 km, ...), the
        one nearest the target on a log scale.
    """
    if not map_width_m > 0:
        raise ValueError(f"map width must be positive, got {map_width_m!r} m")
    target = map_width_m * fraction
    return min(_SCALE_STEPS_M, key=lambda step: abs(math.log(step / target)))


def metres_to_mercator(length_m: float, *, lat_deg: float) -> float:
    """Convert a true length at a latitude to Web Mercator units (``length / cos(lat)``).

    At the equator a kilometre is 1,000 Mercator units; at 60° it is 2,000.
    """
    if abs(lat_deg) >= _MAX_LAT:
        raise ValueError(f"latitude {lat_deg}° is outside Web Mercator (|lat| < {_MAX_LAT}°)")
    return length_m / math.cos(math.radians(lat_deg))


def scale_bar_label(length_m: float) -> str:
    """``"500 m"``, ``"1 km"``, ``"2.5 km"``."""
    if length_m < 1000:
        return f"{length_m:g} m"
    return f"{length_m / 1000:g} km"


# --------------------------------------------------------------------------- layout


@cache
def _font_file(bold: bool) -> str:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name
    if not path.is_file():  # pragma: no cover (ships with matplotlib)
        raise FileNotFoundError(
            f"matplotlib's bundled font {path} is missing; reinstall matplotlib"
        )
    return str(path)


def _font(size_pt: float, *, bold: bool = False) -> FontProperties:
    """DejaVu Sans from matplotlib's own files: never a system font, never fetched."""
    return FontProperties(fname=_font_file(bold), size=size_pt)


def font(size_pt: float, *, bold: bool = False) -> FontProperties:
    """The slides' font (matplotlib's bundled DejaVu Sans), for hooks that draw text."""
    return _font(size_pt, bold=bold)


_TEXT_TO_PATH = TextToPath()


def _text_width_pt(text: str, prop: FontProperties) -> float:
    width, _, _ = _TEXT_TO_PATH.get_text_width_height_descent(text, prop, ismath=False)
    return float(width)


def _wrap(text: str, prop: FontProperties, width_pt: float, max_lines: int | None) -> list[str]:
    """Wrap ``text`` to lines no wider than ``width_pt``.

    At most ``max_lines`` (ellipsis),
    or as many as it takes when ``max_lines`` is ``None`` (nothing cut).
    """
    text = " ".join(text.split())
    if not text:
        return []
    if _text_width_pt(text, prop) <= width_pt:
        return [text]
    chars = max(4, int(width_pt / (0.45 * prop.get_size_in_points())))
    while True:
        lines = textwrap.wrap(
            text, width=chars, max_lines=max_lines, placeholder=" …", break_on_hyphens=False
        )
        if chars <= 4 or all(_text_width_pt(line, prop) <= width_pt for line in lines):
            return lines
        chars -= 1


@dataclass(frozen=True)
class _Page:
    """Figure geometry: ``u`` is 1 % of the page height, in points."""

    width_pt: float
    height_pt: float

    @property
    def u(self) -> float:
        return self.height_pt / 100

    def fx(self, pt: float) -> float:
        return pt / self.width_pt

    def fy(self, pt: float) -> float:
        return pt / self.height_pt


def _text(fig: Figure, x: float, y: float, lines: list[str], prop: FontProperties, **kw) -> None:
    """Figure text drawn literally: no mathtext, no TeX, whatever the data holds."""
    if lines:
        fig.text(
            x,
            y,
            "\n".join(lines),
            fontproperties=prop,
            parse_math=False,
            usetex=False,
            linespacing=1.2,
            **kw,
        )


def _block_height(lines: list[str], size_pt: float) -> float:
    return len(lines) * size_pt * 1.2


def _draw_slide(fig: Figure, slide: Slide, *, tiles: TilesHook | None) -> None:
    """Lay out and draw one slide on an empty figure."""
    layers = _prepare_layers(slide.layers)
    width_in, height_in = fig.get_size_inches()
    page = _Page(width_in * 72, height_in * 72)
    u = page.u
    fig.patch.set_facecolor("white")
    margin = 3 * u
    inner_w = page.width_pt - 2 * margin

    # Title band.
    title_prop = _font(4.2 * u, bold=True)
    sub_prop = _font(2.3 * u)
    title_lines = _wrap(slide.title, title_prop, inner_w, 2)
    sub_lines = _wrap(slide.subtitle, sub_prop, inner_w, None)  # the view's filters: never cut
    top = page.height_pt - 2.6 * u
    _text(fig, page.fx(margin), page.fy(top), title_lines, title_prop, color=_INK, va="top")
    top -= _block_height(title_lines, title_prop.get_size_in_points())
    if sub_lines:
        top -= 0.6 * u
        _text(fig, page.fx(margin), page.fy(top), sub_lines, sub_prop, color=_MUTED, va="top")
        top -= _block_height(sub_lines, sub_prop.get_size_in_points())
    top -= 1.4 * u
    fig.add_artist(
        Rectangle(
            (page.fx(margin), page.fy(top)),
            page.fx(inner_w),
            page.fy(0.15 * u),
            transform=fig.transFigure,
            facecolor=_RULE,
            edgecolor="none",
        )
    )
    body_top = top - 1.6 * u

    # Footer: note on the left, date on the right.
    foot_prop = _font(1.6 * u)
    date = " ".join(slide.date.split())
    date_w = _text_width_pt(date, foot_prop) if date else 0.0
    note_lines = _wrap(slide.note, foot_prop, inner_w - date_w - (3 * u if date else 0), None)
    footer_base = 2.2 * u
    note_h = _block_height(note_lines or [""], foot_prop.get_size_in_points())
    _text(
        fig, page.fx(margin), page.fy(footer_base), note_lines, foot_prop, color=_MUTED, va="bottom"
    )
    if date:
        _text(
            fig,
            page.fx(page.width_pt - margin),
            page.fy(footer_base),
            [date],
            foot_prop,
            color=_MUTED,
            va="bottom",
            ha="right",
        )
    body_bottom = footer_base + note_h + 1.6 * u

    # Map box on the left ~70 %; the right column takes the rest.
    map_w = 0.70 * page.width_pt - margin
    map_h = body_top - body_bottom
    ax = fig.add_axes(
        (page.fx(margin), page.fy(body_bottom), page.fx(map_w), page.fy(map_h)),
    )
    _draw_map(
        ax, layers, slide.extent, box_pt=(map_w, map_h), u=u, tiles=tiles, surface=slide.surface
    )

    col_x = margin + map_w + 2.5 * u
    col_w = page.width_pt - margin - col_x
    y = _draw_figures(fig, page, slide.figures, x=col_x, width=col_w, top=body_top)
    if slide.colour_bar is not None:
        y = _draw_colour_bar(fig, page, slide.colour_bar, x=col_x, width=col_w, top=y)
    _draw_legend(
        fig, page, slide.legend_title, layers, x=col_x, width=col_w, top=y, bottom=body_bottom
    )


def _draw_figures(
    fig: Figure,
    page: _Page,
    figures: Sequence[tuple[str, str]],
    *,
    x: float,
    width: float,
    top: float,
) -> float:
    """Headline figures, big value over a small label; returns the y below them (pt)."""
    u = page.u
    if len(figures) > MAX_FIGURES:
        log.warning(
            "slide has %d headline figures; showing the first %d", len(figures), MAX_FIGURES
        )
    y = top
    for label, value in list(figures)[:MAX_FIGURES]:
        value_prop = _font(4.6 * u, bold=True)
        label_prop = _font(1.8 * u)
        value_lines = _wrap(str(value), value_prop, width, 2)  # "1 for every 41,564"
        label_lines = _wrap(str(label), label_prop, width, 2)
        _text(fig, page.fx(x), page.fy(y), value_lines, value_prop, color=_INK, va="top")
        y -= _block_height(value_lines, value_prop.get_size_in_points()) + 0.2 * u
        _text(fig, page.fx(x), page.fy(y), label_lines, label_prop, color=_MUTED, va="top")
        y -= _block_height(label_lines, label_prop.get_size_in_points()) + 2.2 * u
    return y - (1.0 * u if figures else 0.0)


def _draw_colour_bar(
    fig: Figure, page: _Page, scale: ColourScale, *, x: float, width: float, top: float
) -> float:
    """Title, unit, the gradient and its break labels; returns the y below them (pt)."""
    u = page.u
    y = top
    title_prop, unit_prop, tick_prop = _font(1.9 * u, bold=True), _font(1.6 * u), _font(1.5 * u)
    title_lines = _wrap(scale.title, title_prop, width, 3)
    _text(fig, page.fx(x), page.fy(y), title_lines, title_prop, color=_INK, va="top")
    y -= _block_height(title_lines, title_prop.get_size_in_points()) + 0.3 * u
    unit_lines = _wrap(scale.unit, unit_prop, width, 2)
    _text(fig, page.fx(x), page.fy(y), unit_lines, unit_prop, color=_MUTED, va="top")
    y -= _block_height(unit_lines, unit_prop.get_size_in_points()) + 0.6 * u
    bar_h = 1.8 * u
    ax = fig.add_axes((page.fx(x), page.fy(y - bar_h), page.fx(width), page.fy(bar_h)))
    colours = [to_rgba(c) for c in scale.colours]
    steps = np.linspace(0.0, 1.0, 256)
    anchors = np.linspace(0.0, 1.0, len(colours))
    rgba = np.stack([np.interp(steps, anchors, [c[k] for c in colours]) for k in range(4)], -1)
    ax.imshow(rgba[np.newaxis, :, :], aspect="auto", extent=(0, 1, 0, 1), interpolation="bilinear")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor(_MUTED)
        spine.set_linewidth(0.08 * u)
    y -= bar_h + 0.4 * u
    ticks = list(scale.ticks)
    for n, tick in enumerate(ticks):
        share = n / (len(ticks) - 1) if len(ticks) > 1 else 0.0
        ha = "left" if n == 0 else "right" if n == len(ticks) - 1 else "center"
        _text(
            fig, page.fx(x + share * width), page.fy(y), [tick], tick_prop, color=_INK, va="top",
            ha=ha,
        )  # fmt: skip
    return y - _block_height(["0"], tick_prop.get_size_in_points()) - 2.0 * u


def _draw_legend(
    fig: Figure,
    page: _Page,
    legend_title: str,
    layers: list[_Prepared],
    *,
    x: float,
    width: float,
    top: float,
    bottom: float,
) -> None:
    """Legend rows (swatch + wrapped label) until the column is full."""
    u = page.u
    entries = [layer for layer in layers if layer.layer.label.strip()]
    if not entries:
        return
    y = top
    title_prop = _font(1.9 * u, bold=True)
    title_lines = _wrap(legend_title, title_prop, width, 2)
    if title_lines:
        _text(fig, page.fx(x), page.fy(y), title_lines, title_prop, color=_INK, va="top")
        y -= _block_height(title_lines, title_prop.get_size_in_points()) + 0.8 * u
    label_prop = _font(1.8 * u)
    swatch = 2.2 * u
    text_x = x + swatch + 1.2 * u
    for n, entry in enumerate(entries):
        lines = _wrap(entry.layer.label, label_prop, width - (text_x - x), 2)
        line_h = _block_height([""], label_prop.get_size_in_points())
        first = max(swatch, line_h)  # the swatch sits beside the first line
        row_h = first + (len(lines) - 1) * line_h
        if y - row_h < bottom:
            log.warning("legend is full; %d entries left out", len(entries) - n)
            break
        centre = y - first / 2
        _draw_swatch(fig, page, entry, x=x, centre_y=centre, side=swatch)
        top = page.fy(centre + line_h / 2)
        _text(fig, page.fx(text_x), top, lines, label_prop, color=_INK, va="top")
        y -= row_h + 1.0 * u


def _draw_swatch(
    fig: Figure, page: _Page, entry: _Prepared, *, x: float, centre_y: float, side: float
) -> None:
    """The legend symbol of a layer, ``side`` points wide, drawn as on the map."""
    layer = entry.layer
    style = _style(layer, page.u)
    if layer.kind == "points":
        diameter = min(side, math.sqrt(style["s"]))  # scatter ``s`` is the marker area in pt²
        fig.add_artist(
            Ellipse(
                (page.fx(x + side / 2), page.fy(centre_y)),
                page.fx(diameter),
                page.fy(diameter),
                transform=fig.transFigure,
                facecolor=layer.colour,
                edgecolor="white",
                linewidth=style["linewidths"],
            )
        )
        return
    fig.add_artist(
        Rectangle(
            (page.fx(x), page.fy(centre_y - side / 2)),
            page.fx(side),
            page.fy(side),
            transform=fig.transFigure,
            facecolor=style["facecolor"],
            edgecolor=style["edgecolor"],
            linewidth=style["linewidth"],
        )
    )


# --------------------------------------------------------------------------- map


@dataclass(frozen=True)
class _Prepared:
    """A layer reprojected to EPSG:3857 (a new GeoSeries; the caller's frame is untouched)."""

    layer: SlideLayer
    geometry: gpd.GeoSeries


def _prepare_layers(layers: Sequence[SlideLayer]) -> list[_Prepared]:
    """Validate and reproject every layer; empty ones are dropped."""
    prepared = []
    for index, layer in enumerate(layers):
        name = f"slide layer {index} ({layer.label!r})" if layer.label else f"slide layer {index}"
        if layer.frame.crs is None:
            raise LayerError(
                f"{name} has no CRS; set it on the frame first, e.g. frame.set_crs(4326)."
            )
        if layer.kind not in LAYER_KINDS:
            raise LayerError(
                f"{name} has kind {layer.kind!r}; use one of {', '.join(LAYER_KINDS)}."
            )
        if not _COLOUR.fullmatch(layer.colour):
            raise LayerError(f"{name} has colour {layer.colour!r}; use '#RRGGBB'.")
        geoms = layer.frame.geometry
        geoms = geoms[~(geoms.isna() | geoms.is_empty)]
        if geoms.empty:
            log.info("%s is empty; skipped", name)
            continue
        prepared.append(_Prepared(layer, geoms.to_crs(3857)))
    return prepared


def _lonlat_to_mercator(lon: float, lat: float) -> tuple[float, float]:
    lat = max(-_MAX_LAT, min(_MAX_LAT, lat))
    x = _WEB_MERCATOR_R * math.radians(lon)
    y = _WEB_MERCATOR_R * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return x, y


def _mercator_lat(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y / _WEB_MERCATOR_R)) - math.pi / 2)


def _map_bounds(
    layers: list[_Prepared],
    extent: tuple[float, float, float, float] | None,
    box_pt: tuple[float, float],
) -> tuple[float, float, float, float] | None:
    """Mercator bounds to show, widened to the aspect ratio of the map box."""
    if extent is not None:
        min_lon, min_lat, max_lon, max_lat = extent
        if not (min_lon < max_lon and min_lat < max_lat):
            raise ValueError(f"extent {extent!r} is not (min_lon, min_lat, max_lon, max_lat)")
        x0, y0 = _lonlat_to_mercator(min_lon, min_lat)
        x1, y1 = _lonlat_to_mercator(max_lon, max_lat)
    elif layers:
        bounds = np.array([p.geometry.total_bounds for p in layers])
        x0, y0 = bounds[:, 0].min(), bounds[:, 1].min()
        x1, y1 = bounds[:, 2].max(), bounds[:, 3].max()
        lat = _mercator_lat((y0 + y1) / 2)
        # 5 % padding; at least 1 km (true) around a single point or a line.
        pad_x = max((x1 - x0) * 0.05, metres_to_mercator(1000, lat_deg=lat))
        pad_y = max((y1 - y0) * 0.05, metres_to_mercator(1000, lat_deg=lat))
        x0, x1, y0, y1 = x0 - pad_x, x1 + pad_x, y0 - pad_y, y1 + pad_y
    else:
        return None
    box_ratio = box_pt[0] / box_pt[1]
    cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    if w / h < box_ratio:
        w = h * box_ratio
    else:
        h = w / box_ratio
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def _style(layer: SlideLayer, u: float) -> dict:
    """Matplotlib style of a layer; sizes scale with the page (``u`` = 1 % of its height)."""
    k = u * 100 / _REFERENCE_HEIGHT_PT
    if layer.kind == "points":
        return {"s": layer.size * k * k, "linewidths": 0.9 * k}
    if layer.kind == "polygons":
        face = to_rgba(layer.colour, 0.35)
        return {"facecolor": face, "edgecolor": layer.colour, "linewidth": 1.0 * k}
    if layer.kind == "outline":
        return {"facecolor": "none", "edgecolor": layer.colour, "linewidth": 1.3 * k}
    # as on the web map: a thick black outline, no fill (a surface underneath stays true)
    return {"facecolor": "none", "edgecolor": "black", "linewidth": 2.8 * k}


def _polygon_path(polygon: shapely.Polygon) -> MplPath:
    """A path with holes (exterior counter-clockwise, holes clockwise)."""
    rings = [polygon.exterior, *polygon.interiors]
    vertices, codes = [], []
    for ring in rings:
        coords = np.asarray(ring.coords)[:, :2]
        if len(coords) < 4:
            continue
        ring_codes = np.full(len(coords), MplPath.LINETO, dtype=MplPath.code_type)
        ring_codes[0] = MplPath.MOVETO
        ring_codes[-1] = MplPath.CLOSEPOLY
        vertices.append(coords)
        codes.append(ring_codes)
    return MplPath(np.concatenate(vertices), np.concatenate(codes))


def _display_geometries(geometry: gpd.GeoSeries, *, lat: float) -> np.ndarray:
    """Simplify polygons by SIMPLIFY_M true metres and snap to GRID_M (new geometries)."""
    geoms = geometry.to_numpy()
    tolerance = metres_to_mercator(SIMPLIFY_M, lat_deg=lat)
    is_polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))
    geoms = np.where(
        is_polygonal, shapely.simplify(geoms, tolerance, preserve_topology=True), geoms
    )
    geoms = shapely.set_precision(geoms, GRID_M)
    geoms = geoms[~shapely.is_empty(geoms)]
    return shapely.orient_polygons(geoms)


def _draw_layer(ax: Axes, prepared: _Prepared, *, lat: float, u: float, zorder: float) -> None:
    layer = prepared.layer
    style = _style(layer, u)
    parts = shapely.get_parts(_display_geometries(prepared.geometry, lat=lat))
    type_ids = shapely.get_type_id(parts)
    points, lines, polygons = parts[type_ids == 0], parts[type_ids == 1], parts[type_ids == 3]
    if layer.kind == "points":
        # Lines and polygons in a point layer are drawn at a point inside them.
        points = np.concatenate(
            [points, shapely.point_on_surface(np.concatenate([lines, polygons]))]
        )
        xy = shapely.get_coordinates(points)
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=style["s"],
            c=layer.colour,
            edgecolors="white",
            linewidths=style["linewidths"],
            zorder=zorder,
        )
        return
    if len(polygons):
        ax.add_collection(
            PatchCollection(
                [PathPatch(_polygon_path(p)) for p in polygons],
                facecolor=style["facecolor"],
                edgecolor=style["edgecolor"],
                linewidth=style["linewidth"],
                joinstyle="round",
                zorder=zorder,
            ),
            autolim=False,
        )
    if len(lines):
        ax.add_collection(
            LineCollection(
                [np.asarray(line.coords)[:, :2] for line in lines],
                colors=style["edgecolor"] if layer.kind != "polygons" else layer.colour,
                linewidths=style["linewidth"],
                zorder=zorder,
            ),
            autolim=False,
        )
    if len(points):
        xy = shapely.get_coordinates(points)
        ax.scatter(xy[:, 0], xy[:, 1], s=style["linewidth"] * 12, c=layer.colour, zorder=zorder)


_ZORDER = {"polygons": 2.0, "areas": 3.0, "outline": 4.0, "points": 5.0}


def _say_no_features(ax: Axes, u: float) -> None:
    """Write "nothing to draw" in the middle of the map panel."""
    ax.text(
        0.5,
        0.5,
        NO_FEATURES,
        transform=ax.transAxes,
        ha="center",
        va="center",
        color=_MUTED,
        fontproperties=_font(2.2 * u),
        parse_math=False,
        usetex=False,
    )


def _draw_map(
    ax: Axes,
    layers: list[_Prepared],
    extent: tuple[float, float, float, float] | None,
    *,
    box_pt: tuple[float, float],
    u: float,
    tiles: TilesHook | None,
    surface: SlideSurface | None = None,
) -> None:
    """Layers (over the surface, if any), scale bar and north arrow inside the map box."""
    ax.set_facecolor(_MAP_BG)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor(_RULE)
        spine.set_linewidth(0.1 * u)
    bounds = _map_bounds(layers, extent, box_pt)
    if bounds is None:
        _say_no_features(ax, u)
        return
    x0, y0, x1, y1 = bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box", anchor="C")
    ax.set_autoscale_on(False)
    if tiles is not None:
        tiles(ax, bounds)
    if surface is not None:
        _draw_surface(ax, surface)
    lat = _mercator_lat((y0 + y1) / 2)
    for order, prepared in enumerate(layers):
        _draw_layer(ax, prepared, lat=lat, u=u, zorder=_ZORDER[prepared.layer.kind] + order / 1000)
    if not layers and surface is None:
        _say_no_features(ax, u)
    _draw_scale_bar(ax, bounds, lat=lat, u=u, box_pt=box_pt)
    _draw_north_arrow(ax, bounds, u=u, box_pt=box_pt)


def _draw_surface(ax: Axes, surface: SlideSurface) -> None:
    """The raster in its Mercator extent, under every layer (limits unchanged)."""
    image = np.asarray(surface.image)
    if image.ndim != 3 or image.shape[2] != 4:
        raise ValueError(f"a slide surface must be RGBA (rows, cols, 4), not {image.shape}")
    min_lon, min_lat, max_lon, max_lat = surface.bounds
    x0, y0 = _lonlat_to_mercator(min_lon, min_lat)
    x1, y1 = _lonlat_to_mercator(max_lon, max_lat)
    ax.imshow(
        image,
        extent=(x0, x1, y0, y1),
        origin="upper",
        interpolation="nearest",
        aspect="equal",  # the map's own aspect (imshow would otherwise reset it)
        zorder=1.0,
    )


def _draw_scale_bar(
    ax: Axes,
    bounds: tuple[float, float, float, float],
    *,
    lat: float,
    u: float,
    box_pt: tuple[float, float],
) -> None:
    """A two-segment bar of a round true length, bottom left, on a white plate."""
    x0, y0, x1, _ = bounds
    per_pt = (x1 - x0) / box_pt[0]  # Mercator units per point (equal aspect: same in y)
    width_m = (x1 - x0) * math.cos(math.radians(lat))
    length_m = scale_bar_length_m(width_m)
    length = metres_to_mercator(length_m, lat_deg=lat)
    label_prop = _font(1.6 * u)
    pad, bar_h, gap = 1.0 * u * per_pt, 0.8 * u * per_pt, 0.6 * u * per_pt
    label_h = 1.6 * u * per_pt
    bar_x, bar_y = x0 + 2.0 * u * per_pt, y0 + 2.0 * u * per_pt
    ax.add_patch(
        Rectangle(
            (bar_x - pad, bar_y - pad),
            length + 2 * pad,
            bar_h + gap + label_h + 2 * pad,
            facecolor=(1, 1, 1, 0.85),
            edgecolor="none",
            zorder=9,
        )
    )
    for i, colour in enumerate((_INK, "white")):
        ax.add_patch(
            Rectangle(
                (bar_x + i * length / 2, bar_y),
                length / 2,
                bar_h,
                facecolor=colour,
                edgecolor=_INK,
                linewidth=0.1 * u,
                zorder=10,
            )
        )
    _map_label(ax, bar_x, bar_y + bar_h + gap, scale_bar_label(length_m), label_prop, va="bottom")


def _draw_north_arrow(
    ax: Axes, bounds: tuple[float, float, float, float], *, u: float, box_pt: tuple[float, float]
) -> None:
    """An upward arrow over "N", top right (north is up in Web Mercator)."""
    x0, _, x1, y1 = bounds
    per_pt = (x1 - x0) / box_pt[0]
    x = x1 - 3.0 * u * per_pt
    top = y1 - 2.0 * u * per_pt
    length = 4.5 * u * per_pt
    ax.add_patch(
        FancyArrow(
            x,
            top - length,
            0,
            length,
            width=0.5 * u * per_pt,
            head_width=1.8 * u * per_pt,
            head_length=1.8 * u * per_pt,
            length_includes_head=True,
            facecolor=_INK,
            edgecolor="white",
            linewidth=0.08 * u,
            zorder=10,
        )
    )
    label_y = top - length - 0.3 * u * per_pt
    _map_label(ax, x, label_y, "N", _font(2.0 * u, bold=True), ha="center", va="top")


def _map_label(
    ax: Axes, x: float, y: float, text: str, prop: FontProperties, *, va: str, ha: str = "left"
) -> None:
    """A label on the map (scale bar, north arrow), in ink, drawn literally, above the data."""
    ax.text(
        x,
        y,
        text,
        fontproperties=prop,
        color=_INK,
        ha=ha,
        va=va,
        parse_math=False,
        usetex=False,
        zorder=10,
    )
