"""geo.io.upload: every real-world upload problem has a clear outcome.

Each case of the corpus (``tests/data/bad``, made by ``make_corpus.py``; good files in
``tests/data/good``) ends in one of: a message naming the file, the problem and the
fix; a repair or a drop counted in the warnings; or a question whose answer, passed
back, reads the file.
"""

from __future__ import annotations

import json
import logging
import pickle
import re
import shutil
from pathlib import Path

import pytest
import shapely
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from geo import catalog
from geo.errors import Choice, LayerError, NeedsChoice
from geo.io import upload as ingest
from geo.io.upload import Upload, messages, read_upload, tabular
from geo.io.upload import read as reader
from geo.settings import Settings

DATA = Path(__file__).resolve().parents[1] / "data"
GOOD = DATA / "good"
BAD = DATA / "bad"
DEFAULTS = Settings()
_ABBREVIATIONS = ("e.g.", "p. ej.", "...", "mapshaper.org")


def one_sentence(message: str) -> bool:
    """Whether a message is one sentence: it ends once, with a full stop."""
    text = message
    for abbreviation in _ABBREVIATIONS:
        text = text.replace(abbreviation, "")
    return text.endswith(".") and ". " not in text[:-1]


def as_upload(tmp_path: Path, source: Path) -> Path:
    """The file as the page hands it over: a private temporary file with another name."""
    target = tmp_path / "care-atlas-upload-x1" / "upload.tmp"
    target.parent.mkdir(exist_ok=True)
    shutil.copyfile(source, target)
    return target


def fails(
    tmp_path: Path,
    name: str,
    match: str,
    *,
    folder: Path = BAD,
    lang: str = "en",
    settings: Settings | None = None,
    choices: dict[str, str] | None = None,
) -> str:
    """Read ``name`` as an upload and check the message: one sentence, names the file only."""
    path = as_upload(tmp_path, folder / name)
    with pytest.raises(LayerError, match=match) as caught:
        read_upload(path, filename=name, lang=lang, settings=settings or DEFAULTS, choices=choices)
    assert not isinstance(caught.value, NeedsChoice), caught.value
    message = str(caught.value)
    assert message.startswith(f"{name}: "), message
    assert_safe(message, tmp_path)
    return message


def assert_safe(message: str, tmp_path: Path) -> None:
    assert one_sentence(message), message
    assert "Traceback" not in message
    for where in (str(tmp_path), "upload.tmp", str(DATA), "/vsimem", "/tmp"):  # noqa: S108
        assert where not in message, message


def asks(
    tmp_path: Path, name: str, question: str, *, choices: dict[str, str] | None = None, **kw
) -> NeedsChoice:
    kw.setdefault("lang", "en")
    path = as_upload(tmp_path, BAD / name)
    with pytest.raises(NeedsChoice) as caught:
        read_upload(path, filename=name, choices=choices, settings=DEFAULTS, **kw)
    assert caught.value.question == question
    assert caught.value.options, "a question needs options"
    assert str(caught.value).startswith(f"{name}: ")
    assert_safe(str(caught.value), tmp_path)
    return caught.value


def read(name: str, *, folder: Path = BAD, **kw: object) -> Upload:
    kw.setdefault("settings", DEFAULTS)
    kw.setdefault("lang", "en")
    return read_upload(folder / name, **kw)  # type: ignore[arg-type]


def check_frame(upload: Upload) -> None:
    """What every accepted upload guarantees."""
    frame = upload.frame
    assert frame.crs.to_epsg() == 4326
    assert frame.geometry.is_valid.all()
    assert not frame.geometry.is_empty.any()
    assert not shapely.has_z(frame.geometry.array).any()
    assert all(isinstance(c, str) for c in frame.columns)
    assert frame["feature_id"].map(type).eq(str).all()
    assert frame["feature_id"].is_unique
    minx, miny, maxx, maxy = frame.total_bounds
    assert -180 <= minx <= maxx <= 180
    assert -90 <= miny <= maxy <= 90


def near_bogota(upload: Upload) -> bool:
    minx, miny, maxx, maxy = upload.frame.total_bounds
    return -74.3 < minx <= maxx < -74.0 and 4.4 < miny <= maxy < 4.7


# --------------------------------------------------------------------------- good files


@pytest.mark.parametrize(
    ("name", "fmt", "layer", "name_column"),
    [
        ("places.geojson", "geojson", None, "localidad"),
        ("places.gpkg", "gpkg", "manzanas", "localidad"),
        ("places_shp.zip", "shapefile-zip", "manzanas", "localidad"),
        ("places.csv", "csv", None, "localidad"),
        ("places.kml", "kml", "Cuidado", "Name"),
        ("places.kmz", "kml", "Cuidado", "Name"),
        ("areas_wkt.csv", "csv", None, "name"),
    ],
)
def test_good_files_read_cleanly(name: str, fmt: str, layer: str | None, name_column: str) -> None:
    upload = read(name, folder=GOOD)
    check_frame(upload)
    assert upload.format == fmt
    assert upload.layer == layer
    assert upload.source_name == name
    assert list(upload.frame["feature_id"]) == ["1", "2", "3"]
    assert upload.frame.columns[0] == "feature_id"
    assert upload.frame[name_column].str.contains("Ciudad Bolívar").any()
    assert near_bogota(upload)
    if fmt in ("geojson", "gpkg", "shapefile-zip"):
        assert upload.warnings == []
        assert upload.frame["capacidad"].tolist() == [40, 35, 25]


def test_latin_american_csv_reads_decimal_commas_and_says_so() -> None:
    upload = read("places.csv", folder=GOOD)
    assert upload.frame.geometry.iloc[0].equals(shapely.Point(-74.1536, 4.5436))
    assert upload.frame["capacidad"].tolist() == [40, 35, 25]  # plain numbers become numbers
    assert upload.warnings == ["Decimal commas were read as decimal points in longitud, latitud."]


def test_wkt_csv_assumes_lonlat_and_says_so() -> None:
    upload = read("areas_wkt.csv", folder=GOOD)
    assert set(upload.frame.geom_type) == {"Polygon"}
    assert "wkt" not in upload.frame.columns
    assert any("read as EPSG:4326" in w for w in upload.warnings)


def test_format_comes_from_the_bytes_not_the_extension(tmp_path: Path) -> None:
    assert read("geojson_named.csv").format == "geojson"
    path = as_upload(tmp_path, GOOD / "places_shp.zip")
    upload = read_upload(path, filename="capa.geojson", settings=DEFAULTS)
    assert upload.format == "shapefile-zip"
    assert upload.source_name == "capa.geojson"


def test_source_name_is_the_given_name_never_a_path(tmp_path: Path) -> None:
    path = as_upload(tmp_path, GOOD / "places.geojson")
    upload = read_upload(path, filename="C:\\Users\\ana\\Escritorio\\manzanas.geojson")
    assert upload.source_name == "manzanas.geojson"
    assert read_upload(path).source_name == "upload.tmp"


# --------------------------------------------------------------------------- whole files


@pytest.mark.parametrize(
    ("lang", "match"),
    [("en", "the file is empty; export the layer again"), ("es", "el archivo está vacío")],
)
def test_empty_file(tmp_path: Path, lang: str, match: str) -> None:
    fails(tmp_path, "empty.geojson", match, lang=lang)


@pytest.mark.parametrize(
    ("lang", "match"),
    [("en", "the JSON ends too early, as if the file were cut off"), ("es", "termina antes")],
)
def test_truncated_json(tmp_path: Path, lang: str, match: str) -> None:
    fails(tmp_path, "truncated.geojson", match, lang=lang)


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    fails(tmp_path, "not_json.geojson", r"not valid JSON \(error at line 2, column 16\)")
    fails(tmp_path, "not_json.geojson", r"no es JSON válido \(error en la línea 2", lang="es")


def test_binary_garbage(tmp_path: Path) -> None:
    fails(tmp_path, "binary.geojson", "the content is in no format this page reads; upload GeoJSON")


def test_json_that_is_not_geojson(tmp_path: Path) -> None:
    fails(tmp_path, "not_geojson.json", "it is JSON but not GeoJSON")


@pytest.mark.parametrize(
    ("lang", "match"),
    [("en", "it is TopoJSON, not GeoJSON; convert it .*mapshaper"), ("es", "es TopoJSON")],
)
def test_topojson_says_how_to_convert(tmp_path: Path, lang: str, match: str) -> None:
    fails(tmp_path, "topojson.json", match, lang=lang)


def test_esri_json(tmp_path: Path) -> None:
    fails(tmp_path, "esri.json", "it is Esri JSON, not GeoJSON; export it as GeoJSON")


def test_deeply_nested_json_is_refused_before_parsing(tmp_path: Path) -> None:
    fails(tmp_path, "deep.json", "nests more than 64 levels")
    deeper = tmp_path / "deeper.json"
    deeper.write_text('{"a":' * 100_000 + "1" + "}" * 100_000)  # past the recursion limit
    with pytest.raises(LayerError, match="nests more than"):
        read_upload(deeper, settings=DEFAULTS, lang="en")


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("page.geojson", "it is a web page \\(HTML\\), not a layer"),
        ("places.geojson.gz", "it is compressed as gzip"),
        ("bare.shp", "only the .shp part of a shapefile; zip the layer's .shp, .shx, .dbf"),
        ("workbook.csv", "it is an Excel workbook or spreadsheet, not a CSV"),
    ],
)
def test_files_of_another_kind_say_what_they_are(tmp_path: Path, name: str, match: str) -> None:
    fails(tmp_path, name, match)


# --------------------------------------------------------------------------- features


def test_null_and_empty_geometries_are_dropped_and_listed() -> None:
    upload = read("null_empty_geometry.geojson")
    check_frame(upload)
    assert list(upload.frame["feature_id"]) == ["1", "5"]
    assert "2 features without geometry were dropped: rows 2, 6." in upload.warnings
    assert "2 features with an empty geometry were dropped: rows 3, 4." in upload.warnings


def test_invalid_polygons_are_repaired_and_degenerate_ones_dropped() -> None:
    upload = read("invalid_polygons.geojson")
    check_frame(upload)
    assert list(upload.frame["feature_id"]) == ["1", "2", "3", "4"]
    assert upload.warnings == [
        "Unclosed polygon rings were closed in 1 feature: row 4.",
        "2 invalid polygons were repaired: rows 2, 3.",
        "2 features with a degenerate geometry (no length or area) were dropped: rows 5, 6.",
    ]
    bowtie = upload.frame.geometry.iloc[1]
    assert bowtie.geom_type == "MultiPolygon"
    assert bowtie.area == pytest.approx(0.5 * 0.01 * 0.01)


def test_invalid_polygons_in_spanish() -> None:
    warnings = read("invalid_polygons.geojson", lang="es").warnings
    assert "Se repararon 2 polígonos no válidos: filas 2, 3." in warnings
    assert (
        "Se descartaron 2 elementos con geometría degenerada (sin longitud ni área): filas 5, 6."
        in warnings
    )


def test_mixed_geometry_types_are_kept_with_counts() -> None:
    upload = read("mixed_types.geojson")
    assert len(upload.frame) == 4
    assert upload.warnings == [
        "The layer mixes geometry types (2 Point, 1 Polygon, 1 LineString); all were kept."
    ]


def test_z_and_m_are_dropped_with_a_warning() -> None:
    upload = read("z_coords.geojson")
    check_frame(upload)
    assert len(upload.frame) == 4
    assert upload.warnings[0] == (
        "3 features had Z or M values (height or measure); only longitude and latitude were kept."
    )


def test_kml_zero_altitudes_are_not_worth_a_warning() -> None:
    assert read("places.kml", folder=GOOD).warnings == []


def test_nan_infinity_and_out_of_range_coordinates_drop_their_features() -> None:
    upload = read("nan_inf_range.geojson")
    check_frame(upload)
    assert list(upload.frame["feature_id"]) == ["1"]
    assert upload.warnings == [
        "2 features with NaN or infinite coordinates were dropped: rows 2, 3.",
        "2 features with coordinates out of range (longitude −180…180, latitude −90…90) "
        "were dropped: rows 4, 5.",
        "1 feature with an unreadable geometry (unknown type or coordinates that are not "
        "numbers) was dropped: row 6.",
    ]


def test_all_features_unusable_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "upload.tmp"
    doc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": None, "properties": {}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 95]}},
        ],
    }
    path.write_text(json.dumps(doc))
    with pytest.raises(LayerError, match=r"none of its 2 features can be used \(1 no geometry"):
        read_upload(path, filename="nada.geojson", lang="en")


def test_more_rows_than_listed_are_counted(tmp_path: Path) -> None:
    rows = ["nombre;lat;lon"] + [f"x{i};;" for i in range(15)] + ["bien;4,6;-74,1"]
    path = tmp_path / "upload.tmp"
    path.write_text("\n".join(rows))
    warnings = read_upload(path, filename="filas.csv", lang="es").warnings
    assert (
        "Se descartaron 15 elementos con celdas de coordenadas vacías: "
        "filas 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 (y 5 más)." in warnings
    )


def test_geojson_text_sequence_and_legacy_crs_member(tmp_path: Path) -> None:
    lines = [
        json.dumps({"type": "Feature", "geometry": {"type": "Point", "coordinates": [-74.1, 4.6]}})
        for _ in range(2)
    ]
    path = tmp_path / "upload.tmp"
    path.write_text("\n".join(lines) + "\n")
    assert len(read_upload(path, filename="seq.geojsonl").frame) == 2
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "link", "properties": {"href": "http://example.com/crs"}},
        "features": [json.loads(lines[0])],
    }
    path.write_text(json.dumps(doc))
    upload = read_upload(path, filename="enlace.geojson", lang="en")
    assert upload.warnings[0].startswith("The file's 'crs' member (")
    assert upload.warnings[0].endswith("is not understood; it was ignored.")


# --------------------------------------------------------------------------- swapped axes


def test_swapped_latlon_asks_then_swaps(tmp_path: Path) -> None:
    question = asks(tmp_path, "swapped_latlon.geojson", "swap", lang="en")
    assert [o.value for o in question.options] == ["yes", "no"]
    assert "latitude and longitude look swapped" in str(question)
    upload = read("swapped_latlon.geojson", choices={"swap": "yes"})
    check_frame(upload)
    assert near_bogota(upload)
    assert "Latitude and longitude were swapped in 3 features, as chosen." in upload.warnings
    kept = read("swapped_latlon.geojson", choices={"swap": "no"})
    assert kept.frame.geometry.iloc[0].x == pytest.approx(4.5436)


def test_swapped_mexican_csv_asks_before_guessing_a_crs(tmp_path: Path) -> None:
    # "latitudes" of -99 are out of range: still a swap, not projected metres
    asks(tmp_path, "swapped_mexico.csv", "swap")
    upload = read("swapped_mexico.csv", choices={"swap": "yes"})
    assert upload.frame.geometry.iloc[0].equals(shapely.Point(-99.1332, 19.4326))


# --------------------------------------------------------------------------- CRS


def test_declared_projected_crs_is_reprojected_with_a_warning() -> None:
    upload = read("projected_declared.geojson")
    check_frame(upload)
    assert near_bogota(upload)
    assert upload.frame.geometry.iloc[0].x == pytest.approx(-74.1536, abs=1e-6)
    assert upload.warnings == [
        "The coordinates were converted from EPSG:3116 (MAGNA-SIRGAS / Colombia Bogota zone) "
        "to EPSG:4326 (longitude/latitude)."
    ]


def test_projected_without_crs_offers_latin_american_systems(tmp_path: Path) -> None:
    question = asks(tmp_path, "projected_nocrs.geojson", "crs", lang="es")
    assert "parecen estar en metros" in str(question)
    values = [o.value for o in question.options]
    assert values[0] == "EPSG:3116"
    assert len(values) <= ingest.MAX_CRS_OPTIONS
    assert "4.54° N, 74.15° O" in question.options[0].label_es
    assert "4.54° N, 74.15° W" in question.options[0].label_en
    upload = read("projected_nocrs.geojson", choices={"crs": values[0]})
    check_frame(upload)
    assert near_bogota(upload)


def test_origen_nacional_csv_offers_9377(tmp_path: Path) -> None:
    question = asks(tmp_path, "origen_nacional.csv", "crs")
    assert "EPSG:9377" in [o.value for o in question.options]
    upload = read("origen_nacional.csv", choices={"crs": "EPSG:9377"})
    assert near_bogota(upload)


def test_shapefile_without_prj(tmp_path: Path) -> None:
    question = asks(tmp_path, "shp_noprj_metres.zip", "crs")
    assert question.options[0].value == "EPSG:3116"
    assert near_bogota(read("shp_noprj_metres.zip", choices={"crs": "EPSG:3116"}))
    degrees = read("shp_noprj_degrees.zip")
    assert near_bogota(degrees)
    assert any("were read as EPSG:4326" in w for w in degrees.warnings)


def test_prj_that_contradicts_the_coordinates_asks(tmp_path: Path) -> None:
    question = asks(tmp_path, "shp_wrong_prj.zip", "crs")
    assert "declares EPSG:3116" in str(question)
    assert [o.value for o in question.options] == ["EPSG:4326", "EPSG:3116"]
    assert near_bogota(read("shp_wrong_prj.zip", choices={"crs": "EPSG:4326"}))


def test_unknown_crs_answer_asks_again(tmp_path: Path) -> None:
    question = asks(tmp_path, "projected_nocrs.geojson", "crs", choices={"crs": "no-such-crs"})
    assert "'no-such-crs' does not work as an answer" in str(question)


# --------------------------------------------------------------------------- text


def test_latin1_geojson_reads_right_and_says_so() -> None:
    upload = read("latin1.geojson")
    assert "Ciudad Bolívar" in upload.frame["localidad"].tolist()
    assert upload.warnings[0].startswith("The text is not UTF-8; it was read as Windows-1252")


@pytest.mark.parametrize("name", ["latin1.csv", "utf8_bom.csv", "utf16.csv"])
def test_csv_encodings(name: str) -> None:
    upload = read(name)
    check_frame(upload)
    assert upload.frame.columns[1] == "nombre"  # no byte-order mark in the first name
    assert upload.frame["nombre"].iloc[0] == "Manzana del Cuidado Ciudad Bolívar"
    assert near_bogota(upload)
    assert any("Windows-1252" in w for w in upload.warnings) == (name == "latin1.csv")


def test_latin1_kml_and_shapefile_without_cpg() -> None:
    assert read("latin1.kml").frame["Name"].iloc[0] == "Manzana del Cuidado Ciudad Bolívar"
    shp = read("shp_latin1_nocpg.zip")
    assert shp.frame["localidad"].iloc[0] == "Ciudad Bolívar"
    assert shp.warnings == ["The shapefile has no .cpg file; its text was read as Windows-1252."]


def test_shapefile_cpg_is_honoured_and_checked() -> None:
    honoured = read("shp_cpg_1252.zip")
    assert honoured.frame["localidad"].iloc[0] == "Ciudad Bolívar"
    assert honoured.warnings == []
    wrong = read("shp_cpg_wrong.zip")  # says UTF-8, holds Windows-1252
    assert wrong.frame["localidad"].iloc[0] == "Ciudad Bolívar"
    assert wrong.warnings == [
        "The .cpg file says UTF-8, but the text is not in that encoding; it was read as "
        "Windows-1252."
    ]


def test_text_in_no_likely_encoding_asks(tmp_path: Path) -> None:
    question = asks(tmp_path, "undecodable.csv", "encoding")
    assert "cp850" in [o.value for o in question.options]
    upload = read("undecodable.csv", choices={"encoding": "cp850"})
    assert upload.frame["nombre"].iloc[0] == "Ciudad Bolüvar"
    again = asks(tmp_path, "undecodable.csv", "encoding", choices={"encoding": "base64"})
    assert "'base64' does not work as an answer" in str(again)


def test_duplicate_and_odd_keys_are_renamed() -> None:
    upload = read("odd_keys.geojson")
    assert list(upload.frame.columns) == [
        "feature_id",
        "nombre",
        "nombre_2",
        "column_3",
        "geometry_2",
        "feature_id_2",
        "capacidad",
        "Nombre_3",
        "geometry",
    ]
    assert upload.frame.loc[0, "nombre_2"] == "dos"
    assert upload.frame.loc[0, "feature_id"] == "1"
    assert upload.warnings[0].startswith("6 column names that were empty, repeated, reserved")
    assert "'' → 'column_3'" in upload.warnings[0]


def test_list_and_object_values_become_json_text() -> None:
    upload = read("nested_values.geojson")
    assert json.loads(upload.frame.loc[0, "servicios"]) == ["cuidado infantil", "respiro"]
    assert upload.frame.loc[0, "contacto"] == '{"tel": "601 000 0000"}'
    assert upload.warnings == [
        "3 values that were lists or objects were stored as JSON text (columns: servicios, contacto)."
    ]


def test_control_and_bidi_characters_are_stripped() -> None:
    upload = read("control_chars.geojson", lang="es")
    assert upload.frame["nombre"].tolist() == ["Manzana Bosa", "Usme", "Suba"]
    assert upload.frame["nota"].iloc[1] == "línea 1 línea 2"
    assert upload.warnings == [
        "Se quitaron 7 caracteres de control o de dirección del texto (columnas: nombre, nota)."
    ]


# --------------------------------------------------------------------------- zip files


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("shp_missing_shx.zip", "the shapefile 'manzanas' lacks manzanas.shx; add manzanas.shx"),
        ("shp_missing_dbf.zip", "lacks manzanas.shx and manzanas.dbf"),
        ("zip_slip.zip", "an entry with an absolute path or '..', which is unsafe"),
        ("zip_absolute.zip", "an entry with an absolute path or '..', which is unsafe"),
        ("zip_symlink.zip", "holds a symbolic link \\('manzanas.dbf'\\)"),
        ("zip_encrypted.zip", "the zip is password-protected"),
        ("zip_nested.zip", "holds another zip \\('manzanas.zip'\\); unzip the outer one"),
        ("zip_no_layer.zip", "holds no shapefile \\(.shp\\) or other layer"),
    ],
)
def test_zip_problems(tmp_path: Path, name: str, match: str) -> None:
    fails(tmp_path, name, match)


def test_missing_part_in_spanish(tmp_path: Path) -> None:
    fails(
        tmp_path, "shp_missing_shx.zip", "al shapefile «manzanas» le falta manzanas.shx", lang="es"
    )


def test_zip_is_never_extracted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("extracted to disk")

    monkeypatch.setattr("zipfile.ZipFile.extract", refuse)
    monkeypatch.setattr("zipfile.ZipFile.extractall", refuse)
    before = set(tmp_path.rglob("*"))
    path = as_upload(tmp_path, BAD / "shp_nested_folder.zip")
    read_upload(path, filename="capas.zip", settings=DEFAULTS)
    assert set(tmp_path.rglob("*")) - before == {path, path.parent}


def test_nested_folders_and_mac_junk_are_fine() -> None:
    upload = read("shp_nested_folder.zip")
    check_frame(upload)
    assert upload.layer == "capas/bogota/manzanas"
    assert len(upload.frame) == 3


def test_several_shapefiles_ask_for_the_layer(tmp_path: Path) -> None:
    question = asks(tmp_path, "shp_two_layers.zip", "layer")
    assert [(o.value, o.label_en) for o in question.options] == [
        ("manzanas", "manzanas (3 features)"),
        ("usme", "usme (1 feature)"),
    ]
    upload = read("shp_two_layers.zip", choices={"layer": "usme"})
    assert upload.layer == "usme"
    assert upload.frame["localidad"].tolist() == ["Usme"]
    again = asks(tmp_path, "shp_two_layers.zip", "layer", choices={"layer": "nope"})
    assert "there is no layer by that name" in str(again)


def test_zipped_geojson_reads_as_geojson() -> None:
    upload = read("zip_geojson.zip")
    assert upload.format == "geojson"
    assert len(upload.frame) == 3


def test_decompression_bomb_is_refused_from_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_reading(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("an entry was read before the checks")

    monkeypatch.setattr("zipfile.ZipFile.open", no_reading)
    fails(
        tmp_path,
        "zip_bomb.zip",
        r"'manzanas.dbf' is compressed 1029:1, over the 100:1 maximum \(setting "
        r"max_compression_ratio, CARE_ATLAS_MAX_COMPRESSION_RATIO\)",
    )


# --------------------------------------------------------------------------- GeoPackage, KML


def test_geopackage_with_several_layers_asks(tmp_path: Path) -> None:
    question = asks(tmp_path, "two_layers.gpkg", "layer", lang="es")
    assert "contiene 2 capas" in str(question)
    assert [o.label_es for o in question.options] == ["manzanas (3 elementos)", "usme (1 elemento)"]
    upload = read("two_layers.gpkg", choices={"layer": "usme"})
    assert upload.layer == "usme"
    assert len(upload.frame) == 1


def test_geopackage_without_spatial_layers(tmp_path: Path) -> None:
    fails(tmp_path, "no_spatial.gpkg", "the GeoPackage has no layer with geometries")


def test_damaged_geopackage(tmp_path: Path) -> None:
    fails(tmp_path, "truncated.gpkg", "the GeoPackage is damaged or incomplete")


def test_kml_folders_ask_with_an_all_option(tmp_path: Path) -> None:
    question = asks(tmp_path, "two_folders.kml", "layer")
    assert [o.value for o in question.options] == ["Manzanas", "Jardines", ingest.ALL_LAYERS]
    upload = read("two_folders.kml", choices={"layer": ingest.ALL_LAYERS})
    assert len(upload.frame) == 4
    assert upload.frame["layer"].tolist() == ["Manzanas"] * 3 + ["Jardines"]


def test_kml_with_entities_is_refused(tmp_path: Path) -> None:
    fails(tmp_path, "entities.kml", r"declares XML entities .* refused for safety")


# --------------------------------------------------------------------------- CSV


def test_ambiguous_coordinate_columns_ask_and_answers_add_up(tmp_path: Path) -> None:
    question = asks(tmp_path, "ambiguous_coords.csv", "coordinates")
    assert [o.value for o in question.options] == ["lon=lon;lat=lat", "lon=x;lat=y"]
    lonlat = read("ambiguous_coords.csv", choices={"coordinates": "lon=lon;lat=lat"})
    assert lonlat.frame.geometry.iloc[0].equals(shapely.Point(-74.19, 4.6187))
    # x/y are metres: the next question is the CRS, asked with the first answer kept
    asks(tmp_path, "ambiguous_coords.csv", "crs", choices={"coordinates": "lon=x;lat=y"})
    both = {"coordinates": "lon=x;lat=y", "crs": "EPSG:3116"}
    assert near_bogota(read("ambiguous_coords.csv", choices=both))
    again = asks(tmp_path, "ambiguous_coords.csv", "coordinates", choices={"coordinates": "x"})
    assert "does not name columns of the file" in str(again)


def test_unnamed_coordinate_columns_ask(tmp_path: Path) -> None:
    question = asks(tmp_path, "unnamed_coords.csv", "coordinates")
    assert "no column is named like coordinates" in str(question)
    upload = read("unnamed_coords.csv", choices={"coordinates": "lon=a;lat=b"})
    assert near_bogota(upload)


def test_csv_without_coordinates(tmp_path: Path) -> None:
    fails(tmp_path, "no_coords.csv", "there are no coordinate columns; add 'lat' and 'lon'")
    fails(tmp_path, "no_coords.csv", "no hay columnas de coordenadas", lang="es")


def test_csv_header_of_numbers(tmp_path: Path) -> None:
    fails(tmp_path, "header_numbers.csv", "the first row holds numbers instead of column names")


def test_bad_csv_rows_are_dropped_and_listed() -> None:
    upload = read("bad_numbers.csv")
    check_frame(upload)
    assert list(upload.frame["feature_id"]) == ["1", "5"]
    assert upload.frame.geometry.iloc[1].equals(shapely.Point(-74.126, 4.474))  # 74,1260 W
    assert upload.warnings[1:] == [
        "1 feature whose coordinates are not numbers was dropped: row 2.",
        "1 feature with empty coordinate cells was dropped: row 3.",
        "1 feature with a different number of fields than the header was dropped: row 4.",
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("4,6097", 4.6097),
        ("-74.0817", -74.0817),
        ("1.000.000,5", 1_000_000.5),
        ("1,000,000.5", 1_000_000.5),
        ("992 000,5", 992_000.5),
        ("74,08 W", -74.08),
        ("4.6°", 4.6),
        ("−74,1", -74.1),
        ("cuatro", None),
        ("", None),
    ],
)
def test_spreadsheet_numbers(text: str, value: float | None) -> None:
    number, _comma = tabular._parse_number(text)
    assert number == (pytest.approx(value) if value is not None else None)


# --------------------------------------------------------------------------- caps


def test_upload_cap_is_checked_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "upload.tmp"
    with path.open("wb") as handle:
        handle.truncate(60 * 1024 * 1024)  # sparse: no disk used
    monkeypatch.setattr(Path, "open", lambda *_a, **_k: pytest.fail("file was opened"))
    with pytest.raises(
        LayerError,
        match=r"the file is 60.0 MB, over the 50 MB upload limit "
        r"\(setting max_upload_mb, CARE_ATLAS_MAX_UPLOAD_MB\)",
    ) as caught:
        read_upload(path, filename="grande.geojson", lang="en")
    assert_safe(str(caught.value), tmp_path)


@pytest.mark.parametrize(
    ("name", "folder", "caps", "match"),
    [
        (
            "places.geojson",
            GOOD,
            {"max_upload_mb": 0.0001},
            "max_upload_mb, CARE_ATLAS_MAX_UPLOAD_MB",
        ),
        (
            "places_shp.zip",
            GOOD,
            {"max_unpacked_mb": 0.0001},
            "max_unpacked_mb, CARE_ATLAS_MAX_UNPACKED_MB",
        ),
        ("zip_bomb.zip", BAD, {}, "max_compression_ratio, CARE_ATLAS_MAX_COMPRESSION_RATIO"),
        (
            "places.geojson",
            GOOD,
            {"max_features": 2},
            "it has 3 features, over the 2 limit \\(setting max_features",
        ),
        ("places.gpkg", GOOD, {"max_features": 2}, "max_features, CARE_ATLAS_MAX_FEATURES"),
        ("places.csv", GOOD, {"max_features": 2}, "max_features, CARE_ATLAS_MAX_FEATURES"),
        ("places.kml", GOOD, {"max_features": 2}, "max_features, CARE_ATLAS_MAX_FEATURES"),
        (
            "invalid_polygons.geojson",
            BAD,
            {"max_vertices": 10},
            "more than 10 vertices, the limit \\(setting max_vertices",
        ),
        ("places.geojson", GOOD, {"max_vertices": 2}, "max_vertices, CARE_ATLAS_MAX_VERTICES"),
        ("places_shp.zip", GOOD, {"max_vertices": 2}, "max_vertices, CARE_ATLAS_MAX_VERTICES"),
        ("areas_wkt.csv", GOOD, {"max_vertices": 6}, "max_vertices, CARE_ATLAS_MAX_VERTICES"),
        (
            "places.geojson",
            GOOD,
            {"max_parse_seconds": 1e-9},
            "max_parse_seconds, CARE_ATLAS_MAX_PARSE_SECONDS",
        ),
    ],
)
def test_each_cap_has_its_own_message(
    tmp_path: Path, name: str, folder: Path, caps: dict[str, float], match: str
) -> None:
    fails(tmp_path, name, match, folder=folder, settings=Settings(**caps))


def test_cap_message_in_spanish(tmp_path: Path) -> None:
    fails(
        tmp_path,
        "places.geojson",
        r"tiene 3 elementos y el límite es 2 \(ajuste max_features, CARE_ATLAS_MAX_FEATURES\)",
        folder=GOOD,
        lang="es",
        settings=Settings(max_features=2),
    )


# --------------------------------------------------------------------------- contract


def test_a_bug_is_logged_with_its_traceback_but_not_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("boom in /srv/care-atlas/secret.py")

    monkeypatch.setattr(reader, "_read_geojson", broken)
    with caplog.at_level(logging.ERROR, logger="geo.io.upload.read"):
        message = fails(tmp_path, "places.geojson", "internal error", folder=GOOD)
    assert "boom" not in message and "/srv" not in message
    record = next(r for r in caplog.records if r.exc_info)
    assert "boom" in str(record.exc_info[1])
    assert "places.geojson" in record.getMessage()


def test_message_catalogue_is_bilingual_and_one_sentence() -> None:
    fields = {
        "name": "capa.geojson",
        "n": 2,
        "rows": "1, 2",
        "size": "1.0",
        "cap": "1",
        "ratio": "200",
        "entry": "a.dbf",
        "kind": "gzip",
        "line": 1,
        "col": 2,
        "reasons": "x",
        "encoding": "UTF-8",
        "layer": "a",
        "missing": "a.shx",
        "row": 3,
        "crs": "EPSG:3116",
        "value": "v",
        "why": "w",
        "what": "w",
        "counts": "1 Point",
        "declared": "UTF-8",
        "pairs": "'a' → 'b'",
        "cols": "a",
        "fix": "f",
    }
    catalogs = {lang: catalog.entries(lang) for lang in ("es", "en")}
    in_catalog = {
        k: {lang: catalogs[lang][f"file_{k}"] for lang in catalogs} for k in messages.message_keys()
    }
    assert len(in_catalog) == 72  # the upload's messages, as many as before the catalogs
    for key, texts in in_catalog.items():
        assert set(texts) == {"es", "en"}, key
        forms = {lang: text if isinstance(text, tuple) else (text,) for lang, text in texts.items()}
        placeholders = {
            lang: {tuple(sorted(re.findall(r"{(\w+)}", f))) for f in fs}
            for lang, fs in forms.items()
        }
        assert placeholders["es"] == placeholders["en"], key
        for form in forms["es"] + forms["en"]:
            text = form.format(**fields)
            assert one_sentence(text), (key, text)
            if not key.startswith("w_"):
                assert text.startswith("capa.geojson: "), key


def test_unknown_language_falls_back_to_spanish() -> None:
    with pytest.raises(LayerError, match="el archivo está vacío"):
        read_upload(BAD / "empty.geojson", lang="fr")


def test_needs_choice_carries_bilingual_options_and_pickles() -> None:
    with pytest.raises(NeedsChoice) as caught:
        read(name="two_layers.gpkg")
    error = caught.value
    assert isinstance(error, LayerError)
    assert all(isinstance(o, Choice) for o in error.options)
    assert error.options[0].label("es") == "manzanas (3 elementos)"
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object, round-tripped
    assert (copy.question, copy.options, str(copy)) == (error.question, error.options, str(error))
    with pytest.raises(ValueError, match="unknown question"):
        NeedsChoice("x", question="colour", options=[])


def outcome_of(path: Path, filename: str) -> Upload | str:
    """The upload, or the message of the LayerError; any other exception fails the test."""
    try:
        return read_upload(path, filename=filename, settings=DEFAULTS)
    except LayerError as error:
        message = str(error)
    assert "internal error" not in message, message  # a handled problem, not a bug
    return message


_MAGIC = [
    b"",
    b"PK\x03\x04",
    b"SQLite format 3\x00",
    b'{"type": "FeatureCollection", "features": [',
    b"<kml>",
    b"\xef\xbb\xbf",
    b"lat;lon\n",
]


@hsettings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(prefix=st.sampled_from(_MAGIC), body=st.binary(max_size=600))
def test_random_bytes_only_ever_raise_layer_error(
    tmp_path: Path, prefix: bytes, body: bytes
) -> None:
    path = tmp_path / "upload.tmp"
    path.write_bytes(prefix + body)
    outcome = outcome_of(path, "azar.bin")
    if isinstance(outcome, Upload):
        check_frame(outcome)
    else:
        assert outcome.startswith("azar.bin: ")
        assert str(tmp_path) not in outcome


_numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**20), 10**20),
    st.sampled_from([None, True, "4,6", [], {}]),
)
_positions = st.lists(_numbers, min_size=0, max_size=4)
_geometries = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            [
                "Point",
                "MultiPoint",
                "LineString",
                "Polygon",
                "MultiPolygon",
                "GeometryCollection",
                "Circle",
            ]
        ),
        "coordinates": st.one_of(
            _positions,
            st.lists(_positions, max_size=5),
            st.lists(st.lists(_positions, max_size=5), max_size=3),
            st.lists(st.lists(st.lists(_positions, max_size=5), max_size=2), max_size=2),
        ),
    }
)
_properties = st.dictionaries(
    st.text(max_size=5),
    st.one_of(st.none(), st.integers(), st.text(max_size=8), st.lists(st.integers(), max_size=2)),
    max_size=3,
)


@hsettings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    features=st.lists(
        st.fixed_dictionaries(
            {
                "type": st.just("Feature"),
                "geometry": st.one_of(st.none(), _geometries),
                "properties": _properties,
            }
        ),
        min_size=1,
        max_size=5,
    )
)
def test_random_geojson_only_ever_raises_layer_error(tmp_path: Path, features: list[dict]) -> None:
    path = tmp_path / "upload.tmp"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    outcome = outcome_of(path, "azar.geojson")
    if isinstance(outcome, Upload):
        check_frame(outcome)
        assert len(outcome.frame) <= len(features)
    else:
        assert re.match(r"azar\.geojson: ", outcome)


# ------------------------------------------------- messages that name the real problem


def write_fails(tmp_path: Path, name: str, content: bytes, match: str, lang: str = "en") -> str:
    """Write ``content`` as ``name`` and check the message it gets (see :func:`fails`)."""
    folder = tmp_path / "made"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(content)
    return fails(tmp_path, name, match, folder=folder, lang=lang)


CSV_WITHOUT_COORDINATES = b"nombre,localidad\nBosa,Bosa\nUsme,Usme\n"


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("capa.json", CSV_WITHOUT_COORDINATES, "the name says JSON, but the content is not JSON"),
        ("capa.geojson", b"hello\nworld\n", "the name says JSON, but the content is not JSON"),
        ("capa.gpkg", CSV_WITHOUT_COORDINATES, "the content is not a GeoPackage"),
        ("capa.zip", CSV_WITHOUT_COORDINATES, "the content is not a zip archive"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_told_so(
    tmp_path: Path, name: str, content: bytes, match: str
) -> None:
    message = write_fails(tmp_path, name, content, match)
    assert "coordinate" not in message
    assert "CSV" not in message


def test_a_misnamed_file_is_told_so_in_spanish(tmp_path: Path) -> None:
    write_fails(tmp_path, "capa.zip", CSV_WITHOUT_COORDINATES, "no es un archivo zip", lang="es")


def test_a_csv_named_json_with_coordinates_is_still_read(tmp_path: Path) -> None:
    # the content decides how a file is read; the name only which problem is reported
    path = tmp_path / "puntos.json"
    path.write_text("nombre,lat,lon\nBosa,4.61,-74.19\n", encoding="utf-8")
    upload = read_upload(path, filename="puntos.json", lang="en", settings=DEFAULTS)
    assert upload.format == "csv"
    assert len(upload.frame) == 1


@pytest.mark.parametrize("blank", ["", "NA", "N/A", "-", "null", "sin dato"])
def test_empty_coordinate_cells_drop_only_their_rows(tmp_path: Path, blank: str) -> None:
    # more empty cells than values, and the first 600 rows empty: the columns are
    # still the coordinates, the valid rows are kept and the empty ones listed by row
    rows = [f"vacía {n},{blank},{blank}" for n in range(600)]
    rows += ["Bosa,4.61,-74.19", f"Usme,{blank},-74.12", "Suba,4.74,-74.08"]
    path = tmp_path / "puntos.csv"
    path.write_text("nombre,lat,lon\n" + "\n".join(rows) + "\n", encoding="utf-8")
    upload = read_upload(path, filename="puntos.csv", lang="en", settings=DEFAULTS)
    check_frame(upload)
    assert list(upload.frame["nombre"]) == ["Bosa", "Suba"]
    assert list(upload.frame["feature_id"]) == ["601", "603"]
    assert upload.warnings[-1] == (
        "601 features with empty coordinate cells were dropped: "
        "rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 (and 591 more)."
    )


def test_a_few_empty_coordinate_cells_are_reported_by_row(tmp_path: Path) -> None:
    path = tmp_path / "puntos.csv"
    path.write_text(
        "nombre;lat;lon\nBosa;4,61;-74,19\nUsme;;\nSuba;4,74;-74,08\nKennedy;4,63;\n",
        encoding="utf-8",
    )
    upload = read_upload(path, filename="puntos.csv", lang="es", settings=DEFAULTS)
    assert list(upload.frame["nombre"]) == ["Bosa", "Suba"]
    assert "Se descartaron 2 elementos con celdas de coordenadas vacías: filas 2, 4." in (
        upload.warnings
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("4°36'35\"N", 4 + 36 / 60 + 35 / 3600),
        ("74°4'W", -(74 + 4 / 60)),
        ("74º 4' 30'' O", -(74 + 4 / 60 + 30 / 3600)),
        ("4°36′35″ N", 4 + 36 / 60 + 35 / 3600),
        ("S 12°3'4,5\"", -(12 + 3 / 60 + 4.5 / 3600)),
        ("-74°4'", -(74 + 4 / 60)),
        ("4°36.5'N", 4 + 36.5 / 60),
        ("4d36m35s", 4 + 36 / 60 + 35 / 3600),
        ("4 36 35 N", 4 + 36 / 60 + 35 / 3600),
        ("74 4 W", -(74 + 4 / 60)),
    ],
)
def test_degrees_minutes_seconds_are_read(text: str, value: float) -> None:
    assert tabular._parse_number(text)[0] == pytest.approx(value)


@pytest.mark.parametrize("text", ["4°61'N", "4°3'75\"N", "N 4°3'S", "-4°3'S", "1 000"])
def test_impossible_degrees_minutes_seconds_are_not_guessed(text: str) -> None:
    number = tabular._parse_number(text)[0]
    assert number is None or (text == "1 000" and number == 1000)


def test_a_csv_in_degrees_minutes_seconds_is_read(tmp_path: Path) -> None:
    path = tmp_path / "dms.csv"
    path.write_text(
        'nombre,lat,lon\nPlaza de Bolívar,"4°35\'53""N","74°4\'33""W"\nUsme,4°28\'N,74°7\'W\n',
        encoding="utf-8",
    )
    upload = read_upload(path, filename="dms.csv", lang="en", settings=DEFAULTS)
    check_frame(upload)
    first, second = upload.frame.geometry
    assert (first.x, first.y) == pytest.approx(
        (-(74 + 4 / 60 + 33 / 3600), 4 + 35 / 60 + 53 / 3600)
    )
    assert (second.x, second.y) == pytest.approx((-(74 + 7 / 60), 4 + 28 / 60))


@pytest.mark.parametrize(
    ("name", "data", "match"),
    [
        (
            "campos.csv",
            b"nombre,lat,lon\nBosa,4.61,-74.19,sobra\nUsme,4.5,-74.1,x,y\n",
            r"none of its 2 features can be used \(2 extra fields\); give every row as many "
            r"fields as the header",
        ),
        (
            "vacias.csv",
            b"nombre,lat,lon\nBosa,,-74.1\nUsme,NA,-74.2\nSuba,4.6,\n",
            r"none of its 3 features can be used \(3 empty coordinates\); fill in the empty "
            r"coordinates",
        ),
    ],
    ids=["rows_with_extra_fields", "all_rows_with_empty_coordinates"],
)
def test_unusable_rows_say_why_and_are_not_told_to_fix_geometries(
    tmp_path: Path, name: str, data: bytes, match: str
) -> None:
    message = write_fails(tmp_path, name, data, match)
    assert "geometr" not in message


def test_a_value_over_the_cap_is_cut_and_reported(tmp_path: Path) -> None:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-74.08, 4.6]},
                "properties": {"name": "Bosa", "note": "x" * 5000 if n == 1 else "corta"},
            }
            for n in range(3)
        ],
    }
    path = tmp_path / "upload.tmp"
    path.write_text(json.dumps(doc), encoding="utf-8")
    small = Settings(max_value_chars=100)
    upload = read_upload(path, filename="largo.geojson", lang="en", settings=small)
    assert list(upload.frame["note"].str.len()) == [5, 100, 5]
    assert upload.frame["note"].iloc[1] == "x" * 100
    assert "1 value longer than 100 characters was cut to 100 (columns: note; rows: 2)." in (
        upload.warnings
    )
    # the default cap (10,000 characters) keeps this value whole
    assert (
        read_upload(path, filename="largo.geojson", lang="en").frame["note"].str.len().max() == 5000
    )


def test_a_csv_value_over_the_cap_is_cut(tmp_path: Path) -> None:
    path = tmp_path / "upload.tmp"
    path.write_text(
        "name,lat,lon\n" + "y" * 300 + ",4.6,-74.08\nBosa,4.61,-74.19\n", encoding="utf-8"
    )
    upload = read_upload(path, filename="l.csv", lang="es", settings=Settings(max_value_chars=50))
    assert list(upload.frame["name"]) == ["y" * 50, "Bosa"]
    assert any(
        w.startswith("1 valor de más de 50 caracteres se recortó a 50") for w in upload.warnings
    )


def test_upload_size_is_checked_before_the_bytes_are_read() -> None:
    with pytest.raises(LayerError, match=r"grande\.zip: the file is 3\.0 MB, over the 2 MB"):
        ingest.check_upload_size(
            3 * 1024 * 1024, filename="grande.zip", settings=Settings(max_upload_mb=2), lang="en"
        )
    ingest.check_upload_size(2 * 1024 * 1024, filename="ok.zip", settings=Settings(max_upload_mb=2))


def test_imported_layers_have_their_long_values_cut() -> None:
    import geopandas as gpd

    frame = gpd.GeoDataFrame(
        {"name": ["a" * 30, "b"], "n": [1, 2]},
        geometry=[shapely.Point(-74.08, 4.6), shapely.Point(-74.1, 4.61)],
        crs=4326,
    )
    out, warnings = ingest.cap_text_values(
        frame, name="servicio", settings=Settings(max_value_chars=10), lang="en"
    )
    assert list(out["name"]) == ["a" * 10, "b"]
    assert list(out["n"]) == [1, 2]
    assert warnings == ["1 value longer than 10 characters was cut to 10 (columns: name; rows: 1)."]
    assert frame["name"].iloc[0] == "a" * 30  # the input is not changed
    assert ingest.cap_text_values(frame, name="servicio")[1] == []
