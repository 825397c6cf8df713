"""ui.render.slide_basemap: a slide's map drawn over the atlas's own offline basemap tiles."""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
from PIL import Image
from pypdf import PdfReader
from shapely.geometry import Point

from geo.settings import get_settings
from ui.render import basemap, slides
from ui.render.map_view import BOGOTA_VIEW
from ui.render.slide_basemap import BACKGROUND, tiles_hook
from ui.view_state import extent_of


def _slide() -> slides.Slide:
    care = gpd.GeoDataFrame(geometry=[Point(-74.08, 4.6)], crs=4326)
    return slides.Slide(
        title="Bogotá",
        layers=[slides.SlideLayer(care, "Manzana del Cuidado", "#D55E00")],
        extent=extent_of(BOGOTA_VIEW),  # type: ignore[arg-type]
    )


def test_the_sample_basemap_is_drawn_under_the_slide(monkeypatch) -> None:
    monkeypatch.delenv("CARE_ATLAS_DATA_DIR", raising=False)
    get_settings.cache_clear()
    found = basemap.for_settings()
    assert found is not None  # the sample's basemap, built from its boundaries
    hook = tiles_hook(found)
    pixels = np.asarray(
        Image.open(io.BytesIO(slides.render_png(_slide(), size=(960, 540), tiles=hook)))
    )[..., :3]
    background = tuple(int(BACKGROUND[i : i + 2], 16) for i in (1, 3, 5))
    assert np.all(pixels == background, axis=-1).sum() > 10_000  # the basemap's ground
    text = " ".join(
        PdfReader(io.BytesIO(slides.render_pdf([_slide()], tiles=hook)))
        .pages[0]
        .extract_text()
        .split()
    )
    assert "KENNEDY" in text  # a localidad name from the tiles
    assert found.attribution in text
    plain = np.asarray(Image.open(io.BytesIO(slides.render_png(_slide(), size=(960, 540)))))
    assert np.all(plain[..., :3] == background, axis=-1).sum() == 0  # without: no basemap
