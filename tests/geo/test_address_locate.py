"""The address locator on the atlas built from Bogotá's official layers (issue 17).

The atlas is built once per session from ``../shared/data/bogota`` (fixture
``atlas_dir``: skipped with a reason when the folder is absent, failing when
``CARE_ATLAS_REQUIRE_OFFICIAL=1``).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from geo import address
from geo.__main__ import main
from geo.errors import LayerError
from geo.io.atlas import build, sources

TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:9377", always_xy=True)


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance between two lon/lat points, in EPSG:9377 metres."""
    (x1, x2), (y1, y2) = TO_METRIC.transform([a[0], b[0]], [a[1], b[1]])
    return float(np.hypot(x1 - x2, y1 - y2))


@pytest.fixture(scope="module")
def index(atlas_dir: Path) -> address.AddressIndex:
    return address.AddressIndex.load(atlas_dir)


def test_the_importer_builds_the_index_and_reports_it(atlas_dir: Path) -> None:
    report = json.loads((atlas_dir / "report.json").read_text(encoding="utf-8"))
    counts = report["counts"]
    assert counts["addresses.plates_indexed"] > 1_000_000
    assert counts["addresses.streets"] > 5_000
    assert counts["addresses.avenue_names"] > 50
    assert counts["addresses.source"] == "placa_domiciliaria_bogota.parquet"  # the largest
    assert "addresses" in report["seconds"]
    assert "addresses" in report["vintages"]
    assert (atlas_dir / "address" / "plates_key.npy").is_file()


def test_an_official_plate_is_found_where_the_service_is(
    index: address.AddressIndex, official_dir: Path
) -> None:
    services = gpd.read_file(official_dir / "services" / "jardin_infantil.geojson")
    row = services[services["OSSDIRECCI"] == "CL 59 D SUR 85 28"].iloc[0]
    for typed in ("Calle 59D Sur # 85-28", "calle 59d sur # 85 28", "CL 59 D SUR 85 28"):
        found = address.locate(typed, index)
        assert found is not None, typed
        assert found.precision == "plate"
        assert found.matched == "CL 59D S # 85-28"
        assert found.error_m <= 15
        assert metres((found.lon, found.lat), (row.geometry.x, row.geometry.y)) < 60


def test_without_sur_the_north_comes_first_and_the_south_is_named(
    index: address.AddressIndex,
) -> None:
    north = address.locate("Carrera 21 # 63-08", index)
    assert north is not None and north.matched == "KR 21 # 63-8"
    assert north.also == "KR 21 # 63-8 S"  # said to the person, not chosen for them
    south = address.locate("Carrera 21 # 63-08 Sur", index)
    assert south is not None and south.matched == "KR 21 # 63-8 S" and not south.also
    assert south.lat < north.lat - 0.05
    # no plate of that number in the north: the one in the south is the answer
    only = address.locate("Calle 59D # 85-28", index)
    assert only is not None and only.matched == "CL 59D S # 85-28"


def test_a_missing_number_is_interpolated_between_its_neighbours(
    index: address.AddressIndex, official_dir: Path
) -> None:
    sample = pd.read_csv(
        official_dir / "addresses" / "placa_domiciliaria_sample_2000_por_localidad.csv",
        dtype=str,
    )
    sample = sample[sample["via"].str.fullmatch(r"(CL|KR) \d+[A-Z]?")]
    sample = sample[sample["placa"].str.fullmatch(r"\d+ \d\d")]
    parts = sample["placa"].str.split(" ", expand=True)
    sample = sample.assign(cross=parts[0], house=parts[1].astype(int))
    tried = 0
    for (via, cross), block in sample.groupby(["via", "cross"]):
        houses = sorted(set(block["house"]))
        if len(houses) < 2 or houses[1] - houses[0] < 6:
            continue
        middle = (houses[0] + houses[1]) // 2
        found = address.locate(f"{via} # {cross}-{middle}", index)
        if found is None or found.precision == "plate":  # the full layer may hold it
            continue
        lo = block[block["house"] == houses[0]].iloc[0]
        hi = block[block["house"] == houses[1]].iloc[0]
        a, b = (float(lo["lon"]), float(lo["lat"])), (float(hi["lon"]), float(hi["lat"]))
        gap = metres(a, b)
        if gap > 300:
            continue
        assert found.precision == "interpolated", (via, cross, middle)
        point = (found.lon, found.lat)
        assert metres(point, a) <= gap + 30 and metres(point, b) <= gap + 30
        assert found.error_m >= 15
        tried += 1
        if tried >= 20:
            break
    assert tried >= 5


@pytest.mark.parametrize(
    ("text", "lon", "lat"),
    [
        ("Calle 26 con Carrera 7", -74.0700, 4.6130),  # Centro Internacional
        ("cll 26 y kr 7", -74.0700, 4.6130),
        ("Av. Boyacá con Calle 26", -74.1115, 4.6665),  # AK 72 x AC 26
        ("Avenida Caracas con Calle 1", -74.0870, 4.5920),  # AK 14 x CL 1
    ],
)
def test_two_streets_meet_at_their_corner(
    index: address.AddressIndex, text: str, lon: float, lat: float
) -> None:
    found = address.locate(text, index)
    assert found is not None, text
    assert found.precision == "intersection"
    assert metres((found.lon, found.lat), (lon, lat)) < 400


def test_a_street_alone_says_how_far_off_it_may_be(index: address.AddressIndex) -> None:
    found = address.locate("Carrera 7", index)
    assert found is not None
    assert found.precision == "street"
    assert found.error_m > 1_000  # a long street: its middle, honestly uncertain


@pytest.mark.parametrize(
    "text",
    ["hola", "Calle 399 # 1-1", "Av. Inexistente con Calle 26", "x" * 5000, "🙂", ""],
)
def test_no_answer_rather_than_a_point_somewhere_unrelated(
    index: address.AddressIndex, text: str
) -> None:
    assert address.locate(text, index) is None


def test_targets_on_the_services_published_addresses(
    index: address.AddressIndex, atlas_dir: Path
) -> None:
    services = gpd.read_file(atlas_dir / "services.geojson")
    services = services[services["address"].notna()]
    assert len(services) > 500
    errors = []
    for text, point in zip(services["address"], services.geometry, strict=True):
        found = address.locate(text, index)
        if found is not None:
            errors.append(metres((found.lon, found.lat), (point.x, point.y)))
    located = len(errors) / len(services)
    assert located >= 0.95, located
    assert np.median(errors) <= 50
    assert np.quantile(errors, 0.9) <= 300


def test_locate_command_reads_and_writes_csv(atlas_dir: Path, tmp_path: Path, capsys) -> None:
    queries = tmp_path / "queries.csv"
    queries.write_text("query\nCalle 59D Sur # 85-28\nhola\ncalle 26 con 7\n", encoding="utf-8")
    out = tmp_path / "located.csv"
    code = main(
        ["locate", "--atlas", str(atlas_dir), "--input", str(queries), "--output", str(out)]
    )
    assert code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["query"] for r in rows] == ["Calle 59D Sur # 85-28", "hola", "calle 26 con 7"]
    assert list(rows[0])[:5] == ["query", "lon", "lat", "precision", "matched"]
    assert rows[0]["precision"] == "plate" and float(rows[0]["lat"]) == pytest.approx(4.62, 0.01)
    assert rows[1]["lon"] == "" and rows[1]["precision"] == ""
    assert rows[2]["precision"] == "intersection"
    assert "2 of 3 addresses located" in capsys.readouterr().err
    assert main(["locate", "--atlas", str(atlas_dir), "kr 7 # 32-16"]) == 0
    assert "KR 7 # 32-16" in capsys.readouterr().out


def test_locate_command_without_an_index_says_what_to_download(tmp_path: Path, capsys) -> None:
    assert main(["locate", "--atlas", str(tmp_path), "kr 7 # 32-16"]) == 2
    assert "Placa domiciliaria" in capsys.readouterr().err
    with pytest.raises(LayerError, match="Placa domiciliaria"):
        address.AddressIndex.load(tmp_path)


def test_without_house_numbers_the_atlas_has_no_address_search(tmp_path: Path) -> None:
    report = build.AtlasReport(source="x", fingerprint="y")
    build._address_index(tmp_path, report, sources.Inventory(source=tmp_path))
    assert not (tmp_path / "address").exists()
    assert any("no address search" in w for w in report.warnings)
