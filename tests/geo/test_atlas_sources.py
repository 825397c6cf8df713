"""The official-layer importer recognises files by schema and refuses broken ones clearly.

These tests read Bogotá's official layers from ``../shared/data/bogota`` (fixture
``official_dir``: skipped with a reason when absent, failing in CI). Folders are made of
symbolic links to those files under other names, so nothing is copied.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.io.atlas import sources
from geo.io.atlas.sources import AtlasSourceError

RENAMES = {
    "localidades/loca": "descargas/Localidad (1)",
    "upz/UPla": "descargas/upz_bogota_2016",
}


def linked_copy(official: Path, target: Path, *, skip: tuple[str, ...] = ()) -> Path:
    """Link every official file into ``target`` under other names (shapefiles renamed)."""
    for path in sorted(official.rglob("*")):
        if not path.is_file() or path.suffix in (".md", ".osm"):
            continue
        rel = path.relative_to(official)
        if any(str(rel).startswith(s) for s in skip):
            continue
        stem = str(rel.with_suffix(""))
        name = RENAMES.get(stem, f"otros/{rel.parent.name}-{rel.stem}") + path.suffix
        dest = target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.symlink_to(path)
    return target


def test_scan_recognises_every_dataset_by_schema(official_dir: Path, tmp_path: Path) -> None:
    inv = sources.scan(linked_copy(official_dir, tmp_path))
    sources.require(inv)
    counts = {key: sum(item.features for item in items) for key, items in inv.found.items()}
    assert counts["localidades"] == 20
    assert counts["upz"] == 116
    assert counts["services"] == 620
    assert counts["proposals"] == 10
    assert counts["blocks"] == 43_944
    assert counts["streets"] == 110_808
    assert counts["coverage_gap"] == 1
    assert counts["water"] == 469
    assert inv.unreadable == []
    assert inv.one("localidades").label == "Localidad (1).shp"


def test_normalised_boundaries_and_population(official_dir: Path) -> None:
    inv = sources.scan(official_dir)
    localidades = sources.read_localidades(inv)
    assert list(localidades["code"]) == [f"{i:02d}" for i in range(1, 21)]
    assert "Antonio Nariño" in set(localidades["name"])
    assert str(localidades.crs) == "EPSG:4326"
    upz = sources.read_upz(inv, localidades)
    assert (upz["kind"] == "UPZ").sum() == 112
    assert (upz["kind"] == "UPR").sum() == 4
    assert upz["localidad"].notna().all()
    pop_loc = sources.read_population_localidad(inv)
    pop_upz = sources.read_population_upz(inv)
    assert pop_loc.loc[pop_loc["year"] == 2024, "total"].sum() == 8_034_649
    assert pop_upz.loc[pop_upz["year"] == 2024, "total"].sum() == 8_002_180
    assert "0_14" not in " ".join(pop_upz.columns)
    sources.check_population(pop_upz, upz, year=2024)


def test_missing_required_layer_names_the_dataset(official_dir: Path, tmp_path: Path) -> None:
    inv = sources.scan(linked_copy(official_dir, tmp_path, skip=("services",)))
    with pytest.raises(AtlasSourceError, match="Oferta de servicios sociales"):
        sources.require(inv)


def test_shapefile_without_dbf_is_named(official_dir: Path, tmp_path: Path) -> None:
    linked_copy(official_dir, tmp_path)
    (tmp_path / "descargas" / "Localidad (1).dbf").unlink()
    inv = sources.scan(tmp_path)
    assert inv.unreadable
    name, reason = inv.unreadable[0]
    assert name == "Localidad (1).shp"
    assert ".dbf" in reason
    with pytest.raises(AtlasSourceError) as err:
        sources.require(inv)
    message = str(err.value)
    assert "Localidad. Bogotá D.C." in message
    assert "Localidad (1).shp" in message
    assert str(tmp_path) not in message


def test_population_table_missing_a_upz_is_refused(official_dir: Path, tmp_path: Path) -> None:
    linked_copy(official_dir, tmp_path, skip=("population/poblacion_upz",))
    table = pd.read_csv(official_dir / "population" / "poblacion_upz_2018_2024.csv", dtype=str)
    table = table[table["codigo_upz"] != "085"]
    table.to_csv(tmp_path / "upz_pop.csv", index=False)
    inv = sources.scan(tmp_path)
    localidades = sources.read_localidades(inv)
    upz = sources.read_upz(inv, localidades)
    with pytest.raises(AtlasSourceError, match=r"UPZ 85\b"):
        sources.check_population(sources.read_population_upz(inv), upz, year=2024)


def test_latin1_table_and_semicolons_are_read(official_dir: Path, tmp_path: Path) -> None:
    linked_copy(official_dir, tmp_path, skip=("population/poblacion_localidad",))
    text = (official_dir / "population" / "poblacion_localidad_total_2018_2024_2025.csv").read_text(
        encoding="utf-8"
    )
    (tmp_path / "localidades_pop.csv").write_bytes(text.replace(",", ";").encode("cp1252"))
    table = sources.read_population_localidad(sources.scan(tmp_path))
    assert "Usaquén" in set(table["name"])
    assert table.loc[table["year"] == 2024, "total"].sum() == 8_034_649


def test_shapefile_without_codepage_keeps_its_accents(official_dir: Path, tmp_path: Path) -> None:
    linked_copy(official_dir, tmp_path)
    (tmp_path / "descargas" / "Localidad (1).cpg").unlink()
    localidades = sources.read_localidades(sources.scan(tmp_path))
    assert "ANTONIO NARIÑO" in set(localidades["published_name"])


def test_wrong_crs_is_refused(official_dir: Path, tmp_path: Path) -> None:
    linked_copy(official_dir, tmp_path)
    prj = tmp_path / "descargas" / "Localidad (1).prj"
    prj.unlink()
    from pyproj import CRS

    prj.write_text(CRS.from_epsg(3857).to_wkt("WKT1_ESRI"), encoding="utf-8")
    inv = sources.scan(tmp_path)
    with pytest.raises(AtlasSourceError, match=r"Localidad \(1\)\.shp.*not in Bogotá.*\.prj"):
        sources.read_localidades(inv)


def test_not_a_folder() -> None:
    with pytest.raises(AtlasSourceError, match="not a folder"):
        sources.scan(Path("/nonexistent/care-atlas-official"))
