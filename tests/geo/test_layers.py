"""geo.layers: the registry and its layers load and validate; bad files say what is wrong."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from geo import vocab
from geo.errors import LayerError, RegistryError
from geo.layers import load_layer, load_registry
from geo.settings import PROJECT_DIR
from tests.conftest import tiny_features, write_layer

DATA = PROJECT_DIR / "data"
BUNDLED = load_registry(DATA)


@pytest.mark.parametrize("layer_id", list(BUNDLED.layers))
def test_every_bundled_layer_loads_and_validates(layer_id: str) -> None:
    spec = BUNDLED[layer_id]
    gdf = load_layer(spec, data_dir=DATA)
    assert len(gdf) > 0
    assert gdf.crs.to_epsg() == 4326
    assert gdf.index.is_unique
    assert set(spec.columns) <= set(gdf.columns)
    assert gdf.geometry.is_valid.all()
    if spec.geometry == "Point":
        # every point says where it comes from and how far to trust it
        assert gdf["source"].str.strip().astype(bool).all()
        assert gdf["location_precision"].isin(vocab.PRECISIONS).all()


def test_bundled_registry_entries_carry_provenance() -> None:
    for spec in BUNDLED.layers.values():
        for field in (spec.source, spec.licence, spec.date, spec.precision):
            assert field.strip(), f"{spec.id} lacks provenance"
        assert spec.title["es"] and spec.title["en"]
        assert (DATA / spec.file).exists()


def test_bundled_sample_matches_the_facts() -> None:
    # facts/README.md lists 19 care blocks and 20 localidades
    blocks = load_layer(BUNDLED["care_blocks"], data_dir=DATA)
    assert len(blocks) == 19
    assert set(blocks["localidad"]) >= {"Ciudad Bolívar", "Bosa", "Usme", "Suba", "Fontibón"}
    localidades = load_layer(BUNDLED["localidades"], data_dir=DATA)
    assert len(localidades) == 20
    assert localidades["population_2024"].sum() == pytest.approx(7_902_000, rel=0.01)


def test_tiny_layer_loads_with_declared_types(tiny_dir: Path) -> None:
    reg = load_registry(tiny_dir)
    gdf = load_layer(reg["places"], data_dir=tiny_dir)
    assert list(gdf.index) == ["a", "b", "c"]
    assert str(gdf["capacity"].dtype) == "Int64"
    assert gdf.loc["b", "name"] == "Beta"
    assert gdf.loc["c"].geometry.x == pytest.approx(-74.08)


def _broken(tiny_dir: Path, mutate) -> str:
    features = copy.deepcopy(tiny_features())
    mutate(features)
    write_layer(tiny_dir, features)
    reg = load_registry(tiny_dir)
    with pytest.raises(LayerError) as info:
        load_layer(reg["places"], data_dir=tiny_dir)
    return str(info.value)


def _set(index: int, field: str, value):
    def mutate(features):
        features[index]["properties"][field] = value

    return mutate


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            _set(1, "capacity", "ten"),
            r"feature 2 \(id='b'\): field 'capacity' should be int or null",
        ),
        (_set(0, "name", None), r"feature 1 \(id='a'\): field 'name' should be str"),
        (_set(2, "id", "a"), r"feature 3 \(id='a'\): id repeats feature 1"),
        (_set(0, "services", "child_care;teleport"), r"unknown code\(s\) teleport"),
        (_set(1, "operator", "private"), r"field 'operator' = 'private' is not one of"),
        (_set(0, "source", "  "), r"feature 1 .*'source' is empty"),
        (_set(0, "colour", "red"), r"field\(s\) 'colour' not declared"),
        (lambda f: f[1]["properties"].pop("city"), r"feature 2 .*required field 'city' is missing"),
        (lambda f: f[0].update(geometry=None), r"feature 1 .*geometry is null"),
        (
            lambda f: f[2].update(geometry={"type": "Point", "coordinates": [4.6, -174.08]}),
            r"outside longitude/latitude range; .*swap or reproject",
        ),
        (
            lambda f: f[0].update(geometry={"type": "LineString", "coordinates": [[0, 0], [1, 1]]}),
            r"geometry is LineString, the registry expects Point",
        ),
    ],
)
def test_broken_feature_names_file_feature_and_field(tiny_dir: Path, mutate, expected) -> None:
    message = _broken(tiny_dir, mutate)
    assert message.startswith("places.geojson: ")
    assert re.search(expected, message), message


def test_invalid_json_names_line_and_column(tiny_dir: Path) -> None:
    (tiny_dir / "places.geojson").write_text(
        '{"type": "FeatureCollection",\n "features": [}', "utf-8"
    )
    reg = load_registry(tiny_dir)
    with pytest.raises(LayerError, match=r"places.geojson: not valid JSON at line 2, column"):
        load_layer(reg["places"], data_dir=tiny_dir)


def test_not_a_feature_collection(tiny_dir: Path) -> None:
    (tiny_dir / "places.geojson").write_text('{"type": "Topology"}', "utf-8")
    reg = load_registry(tiny_dir)
    with pytest.raises(LayerError, match="expected a GeoJSON FeatureCollection"):
        load_layer(reg["places"], data_dir=tiny_dir)


def test_missing_file_says_what_to_do(tiny_dir: Path) -> None:
    (tiny_dir / "places.geojson").unlink()
    reg = load_registry(tiny_dir)
    with pytest.raises(LayerError, match=r"places.geojson: file not found for layer 'places'"):
        load_layer(reg["places"], data_dir=tiny_dir)


def test_not_utf8(tiny_dir: Path) -> None:
    (tiny_dir / "places.geojson").write_bytes('{"name": "Bolívar"}'.encode("latin-1"))
    reg = load_registry(tiny_dir)
    with pytest.raises(LayerError, match="not UTF-8"):
        load_layer(reg["places"], data_dir=tiny_dir)


def test_self_intersecting_polygon_is_reported(tmp_path: Path) -> None:
    toml = (
        "[layers.zones]\nfile='z.geojson'\ntitle={es='Z',en='Z'}\ndescription={es='d',en='d'}\n"
        "kind='boundary'\ngeometry='Polygon'\ncrs='EPSG:4326'\nid_field='code'\nsource='t'\n"
        "licence='CC0'\ndate='2025'\nprecision='approx'\nregion='bogota'\n"
        "[layers.zones.columns]\ncode='str'\n"
    )
    (tmp_path / "layers.toml").write_text(toml, "utf-8")
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    doc = '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"01"},"geometry":%s}]}'
    (tmp_path / "z.geojson").write_text(doc % json.dumps(bowtie), "utf-8")
    reg = load_registry(tmp_path)
    with pytest.raises(
        LayerError, match=r"feature 1 \(code='01'\): invalid geometry \(Self-intersection"
    ):
        load_layer(reg["zones"], data_dir=tmp_path)


def test_registry_errors(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="layer registry not found"):
        load_registry(tmp_path)
    (tmp_path / "layers.toml").write_text("[layers.x]\nfile = 'x.geojson'\n", "utf-8")
    with pytest.raises(RegistryError, match=r"\[layers.x\] lacks title, kind"):
        load_registry(tmp_path)
    (tmp_path / "layers.toml").write_text("[layers\n", "utf-8")
    with pytest.raises(RegistryError, match="not valid TOML"):
        load_registry(tmp_path)


def test_unknown_layer_lists_known_ones(tiny_dir: Path) -> None:
    reg = load_registry(tiny_dir)
    with pytest.raises(RegistryError, match="no layer 'nope'; known layers: places"):
        reg["nope"]


def test_layer_error_is_a_value_error() -> None:
    assert issubclass(LayerError, ValueError)
    assert issubclass(RegistryError, LayerError)
