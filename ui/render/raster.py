"""Draw a grid surface as one image over the map (never thousands of vector cells).

A demand or result surface is a regular grid in a metric CRS; Leaflet draws an
image overlay stretched over latitude/longitude bounds in Web Mercator. So the
image is a regular grid in EPSG:3857: each pixel centre is transformed to the
grid's CRS and takes the value of the cell it falls in. The image then lines up
with the cells exactly wherever it is shown. Pixels are about one cell wide,
capped at ``max_px`` on the long side, so the payload stays small (a PNG of a few
hundred kB at most for a city).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image
from pyproj import Transformer

from geo.demand import GridFrame

# Colour-blind-safe sequential palettes (anchor colours, interpolated to 256).
VIRIDIS = (
    "#440154",
    "#482878",
    "#3e4a89",
    "#31688e",
    "#26828e",
    "#1f9e89",
    "#35b779",
    "#6dcd59",
    "#b4de2c",
    "#fde725",
)
# Low = light, high = dark: for "people" surfaces drawn under markers.
BLUES = ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594")


@dataclass(frozen=True)
class Overlay:
    """An image ready for ``folium.raster_layers.ImageOverlay``."""

    data_url: str
    bounds: tuple[tuple[float, float], tuple[float, float]]  # ((south, west), (north, east))
    size_px: tuple[int, int]

    @property
    def payload_bytes(self) -> int:
        """Size of what the browser receives for this image."""
        return len(self.data_url)


def lut(colours: Sequence[str], n: int = 256) -> np.ndarray:
    """An ``(n, 3)`` uint8 lookup table interpolated between hex colours."""
    anchors = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in colours], dtype=float)
    positions = np.linspace(0, 1, len(colours))
    steps = np.linspace(0, 1, n)
    return np.stack([np.interp(steps, positions, anchors[:, k]) for k in range(3)], axis=1).astype(
        np.uint8
    )


def css_gradient(colours: Sequence[str]) -> str:
    """The same palette as a CSS gradient, for the legend's colour bar."""
    return f"linear-gradient(to right, {', '.join(colours)})"


def surface_overlay(
    values: np.ndarray,
    grid: GridFrame,
    *,
    vmin: float,
    vmax: float,
    colours: Sequence[str] = VIRIDIS,
    opacity: float = 0.75,
    max_px: int = 900,
) -> Overlay:
    """Render a 2-D grid of values (NaN = no cell, transparent) as a PNG overlay.

    Parameters
    ----------
    values
        ``(n_rows, n_cols)`` array, row 0 at the north edge, col 0 at the west edge.
    grid
        The grid's placement in its metric CRS.
    vmin, vmax
        Values mapped to the first and last colour (clipped outside).
    colours
        Anchor colours of the palette, low to high.
    opacity
        Alpha of the cells that have a value, 0 to 1.
    max_px
        Cap on the image's long side, in pixels.
    """
    if values.shape != (grid.n_rows, grid.n_cols):
        raise ValueError(
            f"values shape {values.shape} does not match the grid {grid.n_rows}x{grid.n_cols}."
        )
    to_merc = Transformer.from_crs(grid.crs, 3857, always_xy=True)
    to_grid = Transformer.from_crs(3857, grid.crs, always_xy=True)
    to_geo = Transformer.from_crs(3857, 4326, always_xy=True)

    # Outline of the grid, densified, in Web Mercator -> image extent.
    xs = np.linspace(grid.x0, grid.x0 + grid.n_cols * grid.cell_m, 50)
    ys = np.linspace(grid.y_top - grid.n_rows * grid.cell_m, grid.y_top, 50)
    edge_x = np.concatenate([xs, xs, np.full(50, xs[0]), np.full(50, xs[-1])])
    edge_y = np.concatenate([np.full(50, ys[0]), np.full(50, ys[-1]), ys, ys])
    mx, my = to_merc.transform(edge_x, edge_y)
    west, east, south, north = mx.min(), mx.max(), my.min(), my.max()

    scale = max(east - west, north - south) / max_px
    pixel = max(grid.cell_m, scale)
    width = max(1, int(np.ceil((east - west) / pixel)))
    height = max(1, int(np.ceil((north - south) / pixel)))
    px = west + (np.arange(width) + 0.5) * (east - west) / width
    py = north - (np.arange(height) + 0.5) * (north - south) / height
    gx, gy = to_grid.transform(*np.meshgrid(px, py))
    col = np.floor((gx - grid.x0) / grid.cell_m).astype(np.int64)
    row = np.floor((grid.y_top - gy) / grid.cell_m).astype(np.int64)
    inside = (row >= 0) & (row < grid.n_rows) & (col >= 0) & (col < grid.n_cols)
    sampled = np.full((height, width), np.nan)
    sampled[inside] = values[row[inside], col[inside]]

    span = vmax - vmin if vmax > vmin else 1.0
    index = np.clip((sampled - vmin) / span, 0, 1)
    rgba = np.zeros((height, width, 4), dtype=np.uint8)
    has = ~np.isnan(sampled)
    rgba[has, :3] = lut(colours)[(index[has] * 255).astype(np.int64)]
    rgba[has, 3] = round(opacity * 255)

    buffer = io.BytesIO()
    Image.fromarray(rgba, mode="RGBA").save(buffer, format="PNG", optimize=True)
    url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    (lon_w, lon_e), (lat_s, lat_n) = to_geo.transform([west, east], [south, north])
    return Overlay(data_url=url, bounds=((lat_s, lon_w), (lat_n, lon_e)), size_px=(width, height))
