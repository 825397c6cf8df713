"""The offline basemap under a PNG/PDF slide's map, drawn from the atlas's own tiles.

The web map draws the data folder's PMTiles basemap (:mod:`ui.render.basemap`) in the
browser; a slide is drawn on the server, so :func:`tiles_hook` reads the same file
(nothing is fetched), decodes the vector tiles that cover the slide's extent
(:func:`geo.vtiles.decode_tile`) and draws them with matplotlib in the same quiet
style: warm grey blocks, pale blue water, white streets, grey localidad and UPZ
borders and the localidad names. No Streamlit here.
"""

from __future__ import annotations

import gzip
import io
import logging
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from PIL import Image
from pmtiles.reader import MmapSource, Reader

from geo import vtiles
from ui.render.basemap import Basemap
from ui.render.offline import STATIC_DIR
from ui.render.slides import TilesHook, font

log = logging.getLogger(__name__)

BACKGROUND = "#f7f6f3"
BLOCKS = "#e6e2da"
WATER = "#aecbe6"
STREETS = "#ffffff"
BORDER = "#8f8a80"
UPZ_BORDER = "#b9b4aa"
NAMES = "#55524c"
TILES_ACROSS = 4.0
"""Zoom chosen so about this many tiles span the slide's map (as sharp as the web map)."""
MAX_TILES = 64
_HALF = vtiles.WORLD_M / 2


def _zoom(width_m: float, *, low: int, high: int) -> int:
    wanted = math.log2(vtiles.WORLD_M * TILES_ACROSS / max(width_m, 1.0))
    return max(low, min(high, round(wanted)))


def _to_mercator(part: list[tuple[int, int]], *, x: int, y: int, zoom: int, extent: int):
    size = vtiles.tile_size_m(zoom)
    return [
        (-_HALF + (x + px / extent) * size, _HALF - (y + py / extent) * size) for px, py in part
    ]


def _tiles(
    path: Path, bounds: tuple[float, float, float, float]
) -> Iterator[tuple[int, int, int, dict[str, list[dict[str, Any]]]]]:
    """Decoded tiles covering ``bounds`` (EPSG:3857), at a zoom fitting the map width."""
    with path.open("rb") as handle:
        reader = Reader(MmapSource(handle))
        header = reader.header()
        x0, y0, x1, y1 = bounds
        zoom = _zoom(x1 - x0, low=int(header["min_zoom"]), high=int(header["max_zoom"]))
        west, south = _lonlat(x0, y0)
        east, north = _lonlat(x1, y1)
        tx0, ty0, tx1, ty1 = vtiles.tiles_covering((west, south, east, north), zoom)
        if (tx1 - tx0 + 1) * (ty1 - ty0 + 1) > MAX_TILES:
            log.warning("slide basemap: %d tiles at zoom %d; skipped", MAX_TILES, zoom)
            return
        for tx in range(tx0, tx1 + 1):
            for ty in range(ty0, ty1 + 1):
                data = reader.get(zoom, tx, ty)
                if not data:
                    continue
                if data[:2] == b"\x1f\x8b":
                    data = gzip.decompress(data)
                yield zoom, tx, ty, vtiles.decode_tile(data)


def _lonlat(x: float, y: float) -> tuple[float, float]:
    r = vtiles.WORLD_M / (2 * math.pi)
    lon = math.degrees(x / r)
    lat = math.degrees(2 * math.atan(math.exp(y / r)) - math.pi / 2)
    return max(-180.0, min(180.0, lon)), max(-85.0, min(85.0, lat))


_Bounds = tuple[float, float, float, float]
_Name = tuple[float, float, str]


def tiles_hook(basemap: Basemap, *, static_dir: Path = STATIC_DIR) -> TilesHook:
    """A :data:`ui.render.slides.TilesHook` drawing ``basemap`` (read from its published file)."""
    path = static_dir / basemap.path

    def draw(ax: Axes, bounds: _Bounds) -> None:
        ax.set_facecolor(BACKGROUND)
        polygons, lines, names = _shapes(path, bounds)
        _draw_shapes(ax, polygons, lines)
        height_pt = ax.bbox.height * 72 / ax.figure.dpi
        _draw_names(ax, names, bounds, name_font=font(0.018 * height_pt))
        ax.text(
            0.995,
            0.005,
            basemap.attribution,
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontproperties=font(0.014 * height_pt),
            color=NAMES,
            zorder=11,
            parse_math=False,
            usetex=False,
        )

    return draw


def _shapes(
    path: Path, bounds: _Bounds
) -> tuple[dict[str, list[MplPath]], dict[str, list], list[_Name]]:
    """Sort the features of the tiles covering ``bounds`` into what the slide draws.

    Parameters
    ----------
    path
        The PMTiles basemap file.
    bounds
        The map's extent (EPSG:3857).

    Returns
    -------
    tuple
        Polygons by layer (``blocks``, ``water``), lines by kind (``streets``,
        ``main``, ``localidad``, ``upz``) and the place names with their positions.
    """
    polygons: dict[str, list[MplPath]] = {"blocks": [], "water": []}
    lines: dict[str, list] = {"streets": [], "main": [], "localidad": [], "upz": []}
    names: list[_Name] = []
    for zoom, tx, ty, layers in _tiles(path, bounds):
        for layer, features in layers.items():
            for feature in features:
                kw = {"x": tx, "y": ty, "zoom": zoom, "extent": feature["extent"]}
                parts = [_to_mercator(p, **kw) for p in feature["parts"]]
                props = feature["properties"]
                if layer in polygons and feature["type"] == "Polygon":
                    if parts:
                        polygons[layer].append(_polygon_path(parts))
                elif layer == "streets":
                    lines["main" if props.get("main") == 1 else "streets"] += parts
                elif layer == "boundaries":
                    level = "upz" if props.get("level") == "upz" else "localidad"
                    lines[level] += parts
                elif layer == "places" and props.get("level") in ("localidad", "country"):
                    names += [(p[0][0], p[0][1], str(props.get("name", ""))) for p in parts]
    return polygons, lines, names


def _polygon_path(parts: list[list[tuple[float, float]]]) -> MplPath:
    """The matplotlib path of a polygon's rings."""
    codes = []
    for part in parts:
        codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(part) - 1)
    vertices = [xy for part in parts for xy in part]
    return MplPath(vertices, codes)


def _draw_shapes(ax: Axes, polygons: dict[str, list[MplPath]], lines: dict[str, list]) -> None:
    """Draw the blocks and water, then the streets and borders, under the slide's data."""
    for layer, colour in (("blocks", BLOCKS), ("water", WATER)):
        if polygons[layer]:
            ax.add_collection(
                PatchCollection(
                    [PathPatch(p) for p in polygons[layer]],
                    facecolor=colour,
                    edgecolor="none",
                    zorder=0.1,
                ),
                autolim=False,
            )
    styles = {
        "streets": (STREETS, 0.5, "solid"),
        "main": (STREETS, 1.2, "solid"),
        "upz": (UPZ_BORDER, 0.6, (0, (3, 3))),
        "localidad": (BORDER, 0.9, "solid"),
    }
    for kind, (colour, width, style) in styles.items():
        if lines[kind]:
            ax.add_collection(
                LineCollection(
                    lines[kind], colors=colour, linewidths=width, linestyles=style, zorder=0.2
                ),
                autolim=False,
            )


def _draw_names(
    ax: Axes, names: list[_Name], bounds: _Bounds, *, name_font: FontProperties
) -> None:
    """Write the place names inside ``bounds``, each once, none over another."""
    x0, y0, x1, y1 = bounds
    per_pt = (x1 - x0) / (ax.bbox.width * 72 / ax.figure.dpi)
    size = name_font.get_size_in_points() * per_pt
    seen: set[str] = set()
    placed: list[_Bounds] = []
    for x, y, name in names:
        if name in seen or not (x0 < x < x1 and y0 < y < y1):
            continue
        seen.add(name)  # a name repeated on several tiles is written once
        half_w, half_h = 0.34 * size * len(name), 0.7 * size
        box = (x - half_w, y - half_h, x + half_w, y + half_h)
        if any(b[0] < box[2] and box[0] < b[2] and b[1] < box[3] and box[1] < b[3] for b in placed):
            continue  # names do not overlap (as the web map places them)
        placed.append(box)
        ax.text(
            x,
            y,
            name.upper(),
            ha="center",
            va="center",
            fontproperties=name_font,
            color=NAMES,
            alpha=0.8,
            zorder=0.3,
            parse_math=False,
            usetex=False,
            clip_on=True,
        )


def image_png(
    basemap: Basemap,
    bounds: tuple[float, float, float, float],
    *,
    width_px: int = 1600,
    static_dir: Path = STATIC_DIR,
) -> bytes:
    """The basemap over ``bounds`` (EPSG:3857 metres) as a PNG ``width_px`` wide.

    For a page that has no server to read the tiles from (the offline HTML of a story):
    the same drawing as a slide's, laid under the web map as one image.
    """
    x0, y0, x1, y1 = bounds
    height_px = max(1, round(width_px * (y1 - y0) / max(x1 - x0, 1.0)))
    figure = Figure(figsize=(width_px / 100, height_px / 100), dpi=100)
    ax = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_axis_off()
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    tiles_hook(basemap, static_dir=static_dir)(ax, bounds)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    # a few quiet colours: a palette PNG is a fraction of the size (the page embeds it)
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB").quantize(colors=48)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
