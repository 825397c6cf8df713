"""ui.render.raster: the surface image lines up with the grid cells."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image
from pyproj import Transformer

from geo.demand import GridFrame
from ui.render.raster import VIRIDIS, lut, surface_overlay

# A 4 x 5 grid of 100 m cells in UTM 18N, near Bogotá.
GRID = GridFrame(x0=600_000.0, y_top=510_000.0, cell_m=100.0, n_rows=4, n_cols=5, crs="EPSG:32618")


def _image(overlay) -> np.ndarray:
    raw = base64.b64decode(overlay.data_url.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(raw)))


def _pixel_of(overlay, x: float, y: float) -> tuple[int, int]:
    """Pixel (row, col) of a point given in the grid's CRS."""
    (s, w), (n, e) = overlay.bounds
    merc = Transformer.from_crs(GRID.crs, 3857, always_xy=True)
    geo_to_merc = Transformer.from_crs(4326, 3857, always_xy=True)
    mx, my = merc.transform(x, y)
    (west, east), (south, north) = geo_to_merc.transform([w, e], [s, n])
    width, height = overlay.size_px
    return int((north - my) / (north - south) * height), int((mx - west) / (east - west) * width)


def test_each_cell_gets_its_colour_and_empty_cells_are_transparent() -> None:
    values = np.arange(20, dtype=float).reshape(4, 5)
    values[3, 4] = np.nan
    overlay = surface_overlay(values, GRID, vmin=0, vmax=19, opacity=1.0)
    image = _image(overlay)
    table = lut(VIRIDIS)
    for row, col in [(0, 0), (1, 3), (2, 2), (3, 0)]:
        x = GRID.x0 + (col + 0.5) * GRID.cell_m
        y = GRID.y_top - (row + 0.5) * GRID.cell_m
        pr, pc = _pixel_of(overlay, x, y)
        expected = table[int(values[row, col] / 19 * 255)]
        assert tuple(image[pr, pc, :3]) == tuple(expected), (row, col)
        assert image[pr, pc, 3] == 255
    pr, pc = _pixel_of(overlay, GRID.x0 + 450, GRID.y_top - 350)
    assert image[pr, pc, 3] == 0


def test_bounds_are_geographic_and_around_the_grid() -> None:
    overlay = surface_overlay(np.ones((4, 5)), GRID, vmin=0, vmax=1)
    (s, w), (n, e) = overlay.bounds
    assert -75 < w < e < -73
    assert 4 < s < n < 5
    assert (n - s) * 111_000 == pytest.approx(400, rel=0.05)


def test_image_size_is_capped_and_payload_small() -> None:
    big = GridFrame(
        x0=580_000.0, y_top=540_000.0, cell_m=100.0, n_rows=400, n_cols=300, crs="EPSG:32618"
    )
    rng = np.random.default_rng(1)
    overlay = surface_overlay(rng.random((400, 300)), big, vmin=0, vmax=1, max_px=500)
    assert max(overlay.size_px) <= 500
    assert overlay.payload_bytes < 2_000_000


def test_shape_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match="does not match the grid"):
        surface_overlay(np.ones((3, 3)), GRID, vmin=0, vmax=1)
