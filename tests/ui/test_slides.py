"""ui.render.slides: PNG and PDF slides of a map view, rendered without a browser."""

from __future__ import annotations

import io
import itertools
import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from PIL import Image
from pypdf import PdfReader
from shapely.geometry import Point, Polygon

from ui.render.slides import (
    FORMATS,
    SIMPLIFY_M,
    ColourScale,
    Slide,
    SlideLayer,
    SlideSurface,
    _display_geometries,
    _draw_slide,
    metres_to_mercator,
    render_pdf,
    render_png,
    scale_bar_label,
    scale_bar_length_m,
)

CARE = "#D55E00"
TITLE = "Manzanas del Cuidado de Bogotá"
NOTE = "Fuente: Atlas del Cuidado, datos de muestra aproximados (posiciones a mano, 0,5–2 km)"


def _points() -> gpd.GeoDataFrame:
    """Three care blocks in Bogotá, about 1 km apart."""
    return gpd.GeoDataFrame(
        {"name": ["Alfa", "Beta", "Gamma"]},
        geometry=[Point(-74.15, 4.57), Point(-74.14, 4.58), Point(-74.13, 4.57)],
        crs=4326,
    )


def _zone() -> gpd.GeoDataFrame:
    """A square localidad in a metric CRS (MAGNA-SIRGAS origen nacional), around the points."""
    square = gpd.GeoSeries([Point(-74.14, 4.575)], crs=4326).to_crs(9377).buffer(3000, cap_style=3)
    return gpd.GeoDataFrame({"name": ["Ciudad Bolívar"]}, geometry=square, crs=9377)


def _slide(**changes) -> Slide:
    fields = {
        "title": TITLE,
        "subtitle": "Manzanas y localidades",
        "layers": [
            SlideLayer(_zone(), "Ciudad Bolívar", "#6b7280", kind="outline"),
            SlideLayer(_points(), "Manzana del Cuidado", CARE),
        ],
        "figures": [("Manzanas", "19"), ("Localidades", "20")],
        "note": NOTE,
        "date": "2026-11-23",
        "legend_title": "Leyenda",
    }
    return Slide(**(fields | changes))


def _image(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _pdf_text(pdf: bytes) -> list[str]:
    """Text of each page, whitespace collapsed."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("size", [FORMATS["16:9"], FORMATS["A4"], (801, 451)])
def test_png_has_the_exact_size_and_shows_the_map(size: tuple[int, int]) -> None:
    png = render_png(_slide(), size=size)
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size == size
    pixels = _image(png)
    assert pixels.reshape(-1, 3).astype(float).mean(axis=1).std() > 10  # not blank
    packed = pixels[..., 0].astype(np.uint32) << 16 | pixels[..., 1].astype(np.uint32) << 8
    packed |= pixels[..., 2]
    assert len(np.unique(packed)) > 100  # text, lines, markers (antialiased)
    # The marker colour, exactly, inside the map box (left 70 %, between title and footer).
    height, width = size[1], size[0]
    map_box = pixels[int(0.15 * height) : int(0.9 * height), : int(0.7 * width)]
    marker = np.all(map_box == (0xD5, 0x5E, 0x00), axis=-1).sum()
    assert marker >= 3 * 4  # three markers, several solid pixels each
    right_column = pixels[:, int(0.72 * width) :]
    assert np.all(right_column == (0xD5, 0x5E, 0x00), axis=-1).sum() >= 1  # legend swatch


def test_a4_png_says_300_dpi() -> None:
    with Image.open(io.BytesIO(render_png(_slide(), size=FORMATS["A4"]))) as image:
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)


@pytest.mark.parametrize(("page", "size_pt"), [("16:9", (1440, 810)), ("A4", (841.89, 595.28))])
def test_pdf_has_one_page_per_slide_with_the_text(page: str, size_pt: tuple[float, float]) -> None:
    second = _slide(title="Segunda diapositiva: Engativá", figures=[("Paradas", "6")])
    pdf = render_pdf([_slide(), second], page=page)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    for pdf_page in reader.pages:
        assert float(pdf_page.mediabox.width) == pytest.approx(size_pt[0], abs=0.01)
        assert float(pdf_page.mediabox.height) == pytest.approx(size_pt[1], abs=0.01)
    first, other = _pdf_text(pdf)
    for text in (TITLE, "Ciudad Bolívar", "Manzana del Cuidado", NOTE, "2026-11-23", "19"):
        assert text in first
    assert "Segunda diapositiva: Engativá" in other
    assert TITLE not in other


def test_pdf_is_vector_with_the_font_embedded() -> None:
    pdf = render_pdf([_slide()])
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    fonts = page["/Resources"]["/Font"]
    assert fonts  # text is text, with its own font resources, not an image of text
    assert any("DejaVuSans" in str(font.get_object()["/BaseFont"]) for font in fonts.values())
    assert "/Image" not in str(page["/Resources"].get("/XObject", {}))


@pytest.mark.parametrize(
    ("width_m", "length_m"),
    [(2_500, 500), (5_000, 1_000), (12_000, 2_000), (25_000, 5_000), (48_000, 10_000),
     (260_000, 50_000), (500_000, 100_000)],
)  # fmt: skip
def test_scale_bar_is_a_round_length_near_a_fifth_of_the_width(width_m, length_m) -> None:
    assert scale_bar_length_m(width_m) == length_m


def test_scale_bar_converts_true_metres_to_mercator_units() -> None:
    assert metres_to_mercator(1000, lat_deg=0) == pytest.approx(1000)
    assert metres_to_mercator(1000, lat_deg=60) == pytest.approx(2000)
    assert metres_to_mercator(1000, lat_deg=-60) == pytest.approx(2000)
    assert metres_to_mercator(500, lat_deg=4.6) == pytest.approx(500 / math.cos(math.radians(4.6)))
    assert [scale_bar_label(m) for m in (500, 1000, 2000, 100_000)] == [
        "500 m",
        "1 km",
        "2 km",
        "100 km",
    ]
    with pytest.raises(ValueError, match="width"):
        scale_bar_length_m(0)


def test_the_drawn_scale_bar_measures_true_metres_at_60_degrees() -> None:
    oslo = gpd.GeoDataFrame(geometry=[Point(10.70, 59.90), Point(10.80, 59.95)], crs=4326)
    fig = Figure(figsize=(20, 11.25), dpi=72)
    _draw_slide(fig, Slide(title="Oslo", layers=[SlideLayer(oslo, "", CARE)]), tiles=None)
    ax = fig.axes[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    lat = math.degrees(2 * math.atan(math.exp((y0 + y1) / 2 / 6_378_137)) - math.pi / 2)
    width_m = (x1 - x0) * math.cos(math.radians(lat))
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.zorder == 10]
    bar_length = sum(p.get_width() for p in bars)
    # In true metres the bar is a round length, about a fifth of the map.
    true_length_m = bar_length * math.cos(math.radians(lat))
    assert true_length_m == pytest.approx(scale_bar_length_m(width_m))
    assert 0.1 < true_length_m / width_m < 0.4
    assert bar_length == pytest.approx(2 * true_length_m, rel=0.01)  # 1/cos(60°) = 2
    assert scale_bar_label(true_length_m) in [t.get_text() for t in ax.texts]


def test_dollar_and_markup_from_data_are_drawn_literally() -> None:
    title = "Costo $5 <b>x</b>"
    layer = SlideLayer(_points(), "Tarifa $x$ & <i>y</i>", CARE)
    slide = _slide(title=title, layers=[layer], note="Total $\\alpha$ 100 %", legend_title="$$")
    [text] = _pdf_text(render_pdf([slide]))
    assert "Costo $5 <b>x</b>" in text
    assert "Tarifa $x$ & <i>y</i>" in text
    assert "Total $\\alpha$ 100 %" in text
    assert render_png(slide)  # mathtext would choke on the unbalanced "$"; no error


def test_layer_without_crs_is_named_in_the_error() -> None:
    no_crs = _points().set_crs(None, allow_override=True)
    slide = _slide(layers=[SlideLayer(_zone(), "Ciudad Bolívar", "#6b7280", kind="outline"),
                           SlideLayer(no_crs, "Manzanas sin CRS", CARE)])  # fmt: skip
    with pytest.raises(ValueError, match=r"slide layer 1 \('Manzanas sin CRS'\) has no CRS"):
        render_png(slide)
    with pytest.raises(ValueError, match="no CRS"):
        render_pdf([slide])


@pytest.mark.parametrize(
    ("change", "message"),
    [({"kind": "lines"}, "kind 'lines'"), ({"colour": "red"}, "colour 'red'")],
)
def test_bad_layer_style_is_named(change: dict, message: str) -> None:
    fields = {"frame": _points(), "label": "Manzanas", "colour": CARE} | change
    with pytest.raises(ValueError, match=message):
        render_png(_slide(layers=[SlideLayer(**fields)]))


def test_empty_slide_renders_with_a_no_features_note() -> None:
    empty = SlideLayer(_points().iloc[:0], "Nada", CARE)
    for slide in (Slide(title="Vacío", layers=[]), Slide(title="Vacío", layers=[empty])):
        png = render_png(slide)
        with Image.open(io.BytesIO(png)) as image:
            assert image.size == FORMATS["16:9"]
        assert not np.all(_image(png) == (0xD5, 0x5E, 0x00), axis=-1).any()
        [text] = _pdf_text(render_pdf([slide], page="A4"))
        assert "Vacío" in text
        assert "no features" in text
        assert "Nada" not in text  # an empty layer stays out of the legend


def test_caller_frames_are_not_modified() -> None:
    points, zone = _points(), _zone()
    before = points.copy(), zone.copy()
    render_png(
        _slide(
            layers=[
                SlideLayer(zone, "Ciudad Bolívar", "#6b7280", kind="polygons"),
                SlideLayer(points, "Manzanas", CARE),
            ]
        )
    )
    assert_geodataframe_equal(points, before[0])
    assert_geodataframe_equal(zone, before[1])
    assert zone.crs == "EPSG:9377"


def test_display_simplifies_polygons_only_and_rounds_coordinates() -> None:
    # A 1 km square (Mercator units at the equator = metres) with a 3 m bump on one side.
    bumpy = Polygon([(0, 0), (500, 3), (1000, 0), (1000, 1000), (0, 1000)])
    points = [Point(500.4, 3.3), Point(0.2, 0.2)]
    series = gpd.GeoSeries([bumpy, *points], crs=3857)
    square, *dots = _display_geometries(series, lat=0.0)
    assert 3 < SIMPLIFY_M < 100
    assert shapely.get_num_coordinates(square) == 5  # the bump is gone
    assert square.area == pytest.approx(1_000_000)
    assert [(d.x, d.y) for d in dots] == [(500.0, 3.0), (0.0, 0.0)]  # kept, snapped to 1 m
    assert series.iloc[0].equals(bumpy)  # the input is untouched


def test_extent_is_honoured_and_widened_to_the_map_box() -> None:
    fig = Figure(figsize=(20, 11.25), dpi=72)
    extent = (-74.20, 4.50, -74.00, 4.70)
    _draw_slide(fig, _slide(extent=extent), tiles=None)
    x0, x1 = fig.axes[0].get_xlim()
    y0, y1 = fig.axes[0].get_ylim()
    west, south = gpd.GeoSeries([Point(-74.20, 4.50)], crs=4326).to_crs(3857).iloc[0].coords[0]
    east, north = gpd.GeoSeries([Point(-74.00, 4.70)], crs=4326).to_crs(3857).iloc[0].coords[0]
    assert y0 == pytest.approx(south, abs=1) and y1 == pytest.approx(north, abs=1)  # height fits
    assert x0 < west and x1 > east  # widened (the box is wider than the extent), centred
    assert (x0 + x1) / 2 == pytest.approx((west + east) / 2, abs=1)


def test_tiles_hook_gets_the_mercator_bounds() -> None:
    seen = []
    render_png(_slide(), tiles=lambda ax, bounds: seen.append(bounds))
    [(x0, y0, x1, y1)] = seen
    assert -8_270_000 < x0 < x1 < -8_240_000  # about 74.2° W .. 74.0° W in metres
    assert 490_000 < y0 < y1 < 530_000


@pytest.mark.parametrize("figsize", [(20, 11.25), (297 / 25.4, 210 / 25.4)])
def test_layout_does_not_overlap_even_with_long_text(figsize: tuple[float, float]) -> None:
    long = "Un título muy largo que no cabe en una sola línea y debe envolverse " * 4
    slide = _slide(
        title=long,
        subtitle=long,
        note=long * 2,
        figures=[(long, "1.234.567"), ("b", "2"), ("c", "3"), ("d", "4"), ("e", "5")],
        legend_title=long,
        layers=[SlideLayer(_points(), f"{long} {n}", CARE) for n in range(8)],
    )
    fig = Figure(figsize=figsize, dpi=72)
    renderer = FigureCanvasAgg(fig).get_renderer()
    _draw_slide(fig, slide, tiles=None)
    boxes = [t.get_window_extent(renderer) for t in fig.texts if t.get_text()]
    assert len(boxes) >= 3 + 2 * 4 + 2  # title, subtitle, note, date, 4 figures, legend
    map_box = fig.axes[0].get_window_extent(renderer)
    for box in boxes:
        assert fig.bbox.contains(box.x0, box.y0) and fig.bbox.contains(box.x1, box.y1)
        assert not box.overlaps(map_box)
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)
    assert sum("1.234.567" in t.get_text() for t in fig.texts) == 1
    assert not any(t.get_text() == "5" for t in fig.texts)  # at most four figures


@pytest.mark.parametrize(
    ("field", "long_text", "last_part"),
    [
        (
            "note",
            "; ".join(f"Fuente número {n} (informe de prensa, 2025)" for n in range(1, 13)),
            "Fuente número 12 (informe de prensa, 2025)",
        ),
        (
            "subtitle",
            " · ".join(f"Filtro {n}: valor largo número {n}" for n in range(1, 16)),
            "Filtro 15: valor largo número 15",
        ),
    ],
    ids=["source_note", "subtitle_of_filters"],
)
def test_a_long_text_wraps_and_is_never_cut(field: str, long_text: str, last_part: str) -> None:
    text = _pdf_text(render_pdf([_slide(**{field: long_text})]))[0]
    assert "…" not in text
    assert last_part in text


def test_surface_and_colour_bar_are_drawn() -> None:
    """A raster under the layers and its colour scale (title, unit, breaks) in the column."""
    surface_rgba = np.zeros((10, 10, 4), dtype=np.uint8)
    surface_rgba[..., :3] = (0x44, 0x01, 0x54)  # viridis' first colour, opaque
    surface_rgba[..., 3] = 255
    slide = _slide(
        surface=SlideSurface(image=surface_rgba, bounds=(-74.16, 4.56, -74.12, 4.59)),
        colour_bar=ColourScale(
            title="Minutos hasta el más cercano",
            unit="minutos",
            colours=("#440154", "#21918c", "#fde725"),
            ticks=("0", "30", "60+"),
        ),
    )
    pixels = _image(render_png(slide, size=FORMATS["16:9"]))
    map_box = pixels[int(0.15 * 1080) : int(0.9 * 1080), : int(0.7 * 1920)]
    assert np.all(map_box == (0x44, 0x01, 0x54), axis=-1).sum() > 1000  # the surface
    column = pixels[:, int(0.72 * 1920) :]
    assert np.all(column == (0xFD, 0xE7, 0x25), axis=-1).sum() > 10  # the bar's yellow end
    text = _pdf_text(render_pdf([slide]))[0]
    for word in ("Minutos hasta el más cercano", "minutos", "60+"):
        assert word in text
    reader = PdfReader(io.BytesIO(render_pdf([slide])))
    assert len(reader.pages[0].images) >= 2  # the surface and the bar are images in the PDF


def test_a_figure_in_words_wraps_instead_of_being_cut() -> None:
    slide = _slide(figures=[("Personas por cada lugar a su alcance", "1 por cada 41.564")])
    for page in ("16:9", "A4"):
        text = _pdf_text(render_pdf([slide], page=page))[0]
        assert "41.564" in text and "…" not in text
