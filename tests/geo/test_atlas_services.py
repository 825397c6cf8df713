"""geo.io.atlas.services: official SDIS / SDMujer points as care services.

Hand-made frames small enough to check by hand, then the published copy in
../shared/data/bogota (fixture ``official_dir``).
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point, box

from geo import vocab
from geo.errors import LayerError
from geo.io.atlas import sources
from geo.io.atlas.services import (
    PROPOSAL_COLUMNS,
    SERVICE_COLUMNS,
    anchor_care_blocks,
    proposals_from_official,
    services_from_official,
)
from geo.layers import ColumnType, load_layer, load_registry
from geo.nearby import NearbyIndex
from ui.i18n import LANGUAGES, VOCABULARY

PROJECT = Path(__file__).resolve().parents[2]

# Two square "localidades" side by side near Bogotá, each one UPZ.
WEST = box(-74.10, 4.60, -74.05, 4.65)
EAST = box(-74.05, 4.60, -74.00, 4.65)
LOCALIDADES = gpd.GeoDataFrame(
    {"code": ["01", "02"], "name": ["Usaquén", "Chapinero"]}, geometry=[WEST, EAST], crs=4326
)
UPZ = gpd.GeoDataFrame(
    {"code": ["UPZ1", "UPZ99"], "name": ["PASEO DE LOS LIBERTADORES", "CHAPINERO"]},
    geometry=[WEST, EAST],
    crs=4326,
)
IN_WEST = (-74.08, 4.62)
IN_EAST = (-74.02, 4.62)


def sdis(rows: list[dict], *, points: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    """A layer with the published SDIS columns (``OSS*``)."""
    base = {
        "OSSNOMBRE": None,
        "OSSDIRECCI": "KR 1 2 3",
        "OSSTELEFON": "3808330",
        "OSSHORARIO": "LUNES A VIERNES 7:00 AM - 5:00 PM",
    }
    frame = pd.DataFrame([{**base, **row} for row in rows])
    return gpd.GeoDataFrame(frame, geometry=[Point(p) for p in points], crs=4326)


def run(*files: tuple[str, gpd.GeoDataFrame]):
    return services_from_official(list(files), localidades=LOCALIDADES, upz=UPZ)


# ----------------------------------------------------------------------- mapping


def test_sdis_codes_map_to_categories_and_vocabulary() -> None:
    layer = sdis(
        [
            {"OSSNOMBRE": "LA ESCUELITA", "OSSSERVICI": "35", "OSSIDENTI": "0730048"},
            {
                "OSSNOMBRE": "LUNA LUNERA",
                "OSSSERVICI": "29",
                "OSSIDENTI": "1929111",
                "OSSHORARIO": "LUNES A VIERNES 4:00 PM - 10:00 PM",
            },
            {
                "OSSNOMBRE": "CENTRO INTEGRARTE ATENCION INTERNA GRUPO 1",
                "OSSSERVICI": "3",
                "OSSHORARIO": "LUNES A DOMINGO 24 HORAS",
            },
            {"OSSNOMBRE": "CP LA MARIA", "OSSSERVICI": "40"},
            {"OSSNOMBRE": "CENTRO AMAR SUBA", "OSSSERVICI": "80"},
            {"OSSNOMBRE": "CENTRO CRECER USAQUEN", "OSSSERVICI": "90"},
        ],
        points=[IN_WEST, (-74.07, 4.62), (-74.06, 4.62), IN_EAST, (-74.03, 4.62), (-74.04, 4.63)],
    )
    frame, report = run(("whatever", layer))
    by = frame.set_index("name_raw")
    jardin = by.loc["LA ESCUELITA"]
    assert jardin["id"] == "sdis-jardin-infantil-0730048"
    assert jardin["name"] == "Jardín infantil La Escuelita"
    assert (jardin["category"], jardin["populations"], jardin["services"]) == (
        "jardin_infantil",
        "children",
        "child_care",
    )
    assert (jardin["kind"], jardin["operator"], jardin["country"], jardin["city"]) == (
        "service",
        "public",
        "CO",
        "Bogotá",
    )
    assert (jardin["localidad"], jardin["localidad_code"]) == ("Usaquén", "01")
    assert (jardin["upz"], jardin["upz_code"]) == ("PASEO DE LOS LIBERTADORES", "UPZ1")
    assert jardin["location_precision"] == "address"
    assert jardin["source_vintage"] == "about 2020"
    assert jardin["source"].startswith("SDIS – Oferta de Servicios Sociales")
    assert "jardines infantiles" in jardin["source"]
    assert jardin["hours_known"] and not jardin["residential"]
    assert by.loc["LUNA LUNERA", "name"] == "Jardín infantil nocturno Luna Lunera"
    assert by.loc["LUNA LUNERA", "sdis_code"] == "29"
    integrarte = by.loc["CENTRO INTEGRARTE ATENCION INTERNA GRUPO 1"]
    assert (integrarte["category"], integrarte["populations"]) == (
        "disability_adults",
        "disability",
    )
    assert integrarte["residential"]
    assert by.loc["CP LA MARIA", "name"] == "Centro Proteger La Maria"
    assert by.loc["CP LA MARIA", "category"] == "centro_proteger"
    assert by.loc["CP LA MARIA", "localidad"] == "Chapinero"
    assert by.loc["CENTRO AMAR SUBA", "category"] == "centro_amar"
    crecer = by.loc["CENTRO CRECER USAQUEN"]
    assert (crecer["category"], crecer["populations"], crecer["services"]) == (
        "disability_children",
        "children;disability",
        "disability_care",
    )
    assert report.files[0].by == {"code": 6}
    assert report.usable == 6 and report.features_in == 6


def test_cdc_services_come_from_its_flags() -> None:
    layer = sdis(
        [
            {
                "OSSNOMBRE": "La Giralda",
                "OSSSERVICI": "20",
                "OSSTPropie": "1",
                "comedor": 1,
                "jardin_infantil": 1,
                "centro_dia": 1,
                "centro_crecer": 0,
                "centro_amar": 0,
                "comisaria_familia": 2,
                "biblioteca": 1,
                "sala_confeccion": "0",
                "salas_sistemas": "0\xa0 ",
            },
            {
                "OSSNOMBRE": "Samore",
                "comedor": 0,
                "jardin_infantil": 0,
                "centro_dia": 0,
                "centro_crecer": 1,
                "centro_amar": 0,
                "comisaria_familia": 0,
                "biblioteca": 0,
                "sala_confeccion": "1",
                "salas_sistemas": "0",
            },
        ],
        points=[IN_WEST, IN_EAST],
    )
    frame, report = run(("x", layer))
    by = frame.set_index("name_raw")
    assert by.loc["La Giralda", "name"] == "CDC La Giralda"
    assert by.loc["La Giralda", "populations"] == "children;older;households"
    assert by.loc["La Giralda", "services"] == "child_care;older_care;legal_aid;community_care"
    assert by.loc["La Giralda", "premises_code"] == "1"
    # no service code: the CDC flags classify it; a course room gives "training"
    assert by.loc["Samore", "category"] == "cdc"
    assert by.loc["Samore", "populations"] == "children;disability;households"
    assert by.loc["Samore", "services"] == "disability_care;training;community_care"
    assert report.files[0].by == {"code": 1, "cdc_flags": 1}


def test_casas_de_igualdad_from_their_cio_fields() -> None:
    layer = gpd.GeoDataFrame(
        {
            "OBJECTID_1": [1, 2],
            "CIONombre": ["CIO Usaquén", "Casa de tod@s"],
            "CIODirecci": ["Carrera 7F No. 155 - 71", "Calle 24 No. 19A - 36"],
            "CIOCElectr": ["ciousaquen@sdmujer.gov.co", "casadetodas@sdmujer.gov.co"],
            "CIOHorario": [
                "Lun a Vie 08:00 - 18:00 y Sab 08:00 - 12:00",
                "Lunes a Viernes de 8:00 - 4:00",
            ],
            "CIOTelefon": [3169092, 3169001],
        },
        geometry=[Point(IN_WEST), Point(IN_EAST)],
        crs=4326,
    )
    frame, report = run(("mujeres", layer))
    by = frame.set_index("name")
    cio = by.loc["CIO Usaquén"]
    assert cio["category"] == "casa_igualdad"
    assert (cio["populations"], cio["services"]) == ("carers", "training;legal_aid;psychosocial")
    assert (cio["phone"], cio["email"]) == ("3169092", "ciousaquen@sdmujer.gov.co")
    assert cio["id"].startswith("sdmujer-casa-igualdad-")
    assert cio["source"].startswith("Secretaría Distrital de la Mujer")
    assert cio["hours_known"]
    # "8:00 - 4:00" has no am/pm and ends before it starts: not guessed
    assert not by.loc["Casa de tod@s", "hours_known"]
    assert by.loc["Casa de tod@s", "hours"] == "Lunes a Viernes de 8:00 - 4:00"
    assert report.hours_parsed == 1
    assert report.hours_not_parsed == (("Casa de tod@s", "Lunes a Viernes de 8:00 - 4:00"),)


def test_name_keywords_classify_layers_without_codes() -> None:
    names = ["CENTRO DIA LA MONTAÑA DEL SABER", "CENTRO NOCHE RESTREPO 1", "COMEDOR SAN BLAS"]
    layer = sdis([{"OSSNOMBRE": n} for n in names], points=[IN_WEST, IN_EAST, (-74.01, 4.61)])
    frame, report = run(("capa_3", layer))
    by = frame.set_index("name_raw")
    assert by.loc[names[0], "category"] == "centro_dia"
    assert by.loc[names[0], "name"] == "Centro Dia La Montaña del Saber"  # accents kept
    assert (by.loc[names[0], "populations"], by.loc[names[0], "services"]) == (
        "older",
        "older_care",
    )
    assert not by.loc[names[0], "residential"]
    assert by.loc[names[1], "residential"]  # Centro Noche: overnight shelter
    assert by.loc[names[2], "category"] == "comedor"
    assert (by.loc[names[2], "populations"], by.loc[names[2], "services"]) == (
        "households",
        "community_care",
    )
    assert report.files[0].by == {"name": 3}
    assert report.warnings == ()


def test_file_name_is_the_last_resort_and_is_reported() -> None:
    layer = sdis([{"OSSNOMBRE": "APUSHI"}, {"OSSNOMBRE": "MEJICO"}], points=[IN_WEST, IN_EAST])
    frame, report = run(("creciendo_familia", layer))
    assert frame["category"].tolist() == ["creciendo_familia"] * 2
    assert set(frame["populations"]) == {"children;carers"}
    assert set(frame["services"]) == {"care_info"}
    assert report.files[0].by == {"file_name": 2}
    assert len(report.warnings) == 1 and "file name" in report.warnings[0]

    frame, report = run(("layer_7", layer))
    assert frame.empty
    assert list(frame.columns) == [*SERVICE_COLUMNS, "geometry"]
    assert [(u.name, u.reason) for u in report.unclassified] == [
        ("APUSHI", "no_clue"),
        ("MEJICO", "no_clue"),
    ]
    assert report.usable == 0 and report.features_in == 2
    assert "left out" in report.warnings[0]


def test_unknown_schema_is_reported_not_guessed() -> None:
    layer = gpd.GeoDataFrame({"foo": ["JARDIN X"], "bar": [1]}, geometry=[Point(IN_WEST)], crs=4326)
    frame, report = run(("jardin_infantil", layer))
    assert frame.empty
    assert report.files[0].schema == "unknown"
    assert report.unclassified[0].reason == "unknown_schema"


def test_exact_duplicates_are_merged_and_counted() -> None:
    x, y = IN_WEST
    one_m_deg = 1.0 / 111_320  # about a metre of latitude
    rows = [
        {"OSSNOMBRE": "CENTRO DIA ANDARES", "OSSDIRECCI": "KR 8 15 72 SUR", "OSSTELEFON": None},
        {"OSSNOMBRE": "CENTRO DIA ANDARES", "OSSDIRECCI": "KR 8 15 72 SUR"},  # identical
        # same after case, accents and spaces; 0.5 m away
        {"OSSNOMBRE": "Centro Día  Andares", "OSSDIRECCI": "kr 8 15 72 sur"},
        # same name and address, 5 m away: not the same record
        {"OSSNOMBRE": "CENTRO DIA ANDARES", "OSSDIRECCI": "KR 8 15 72 SUR"},
        # another service at the same point: kept, listed as sharing the place
        {"OSSNOMBRE": "CENTRO NOCHE ANDARES", "OSSDIRECCI": "KR 8 15 72 SUR"},
    ]
    points = [(x, y), (x, y), (x, y + 0.5 * one_m_deg), (x, y + 5 * one_m_deg), (x, y)]
    frame, report = run(("a", sdis(rows, points=points)))
    assert report.duplicates_merged == 2
    assert report.duplicate_groups == (("centro_dia", "CENTRO DIA ANDARES", 2),)
    assert report.usable == 3 and len(frame) == 3
    kept = frame[frame["duplicates"] == 2]
    assert len(kept) == 1
    assert kept["phone"].iloc[0] == "3808330"  # filled from a merged record
    assert sorted(frame["duplicates"]) == [0, 0, 2]
    assert report.same_place == (("centro_dia", ("CENTRO DIA ANDARES", "CENTRO NOCHE ANDARES")),)
    assert frame["id"].is_unique


def test_points_outside_bogota_are_reported_by_name() -> None:
    rows = [
        {"OSSNOMBRE": "CENTRO DIA DENTRO"},
        {"OSSNOMBRE": "INTEGRARTE COLONIA", "LOCNOMBRE": "CUNDINAMARCA"},  # outside both ways
        {"OSSNOMBRE": "CENTRO DIA SIBATE", "LOCNOMBRE": "CUNDINAMARCA"},  # inside a polygon
        {"OSSNOMBRE": "CENTRO DIA LEJOS", "LOCNOMBRE": "USAQUEN"},  # outside every polygon
    ]
    points = [IN_WEST, (-74.30, 4.50), IN_EAST, (-73.99, 4.62)]
    frame, report = run(("b", sdis(rows, points=points)))
    assert frame["name_raw"].tolist() == ["CENTRO DIA DENTRO"]
    outside = {p.name: p for p in report.outside}
    assert set(outside) == {"INTEGRARTE COLONIA", "CENTRO DIA SIBATE", "CENTRO DIA LEJOS"}
    assert outside["INTEGRARTE COLONIA"].reason == "locnombre_cundinamarca+outside_localidades"
    assert outside["CENTRO DIA SIBATE"].reason == "locnombre_cundinamarca"
    assert outside["CENTRO DIA SIBATE"].distance_m == 0.0
    assert outside["CENTRO DIA LEJOS"].reason == "outside_localidades"
    # 0.01 degree of longitude east of the boundary at 4.62 N: about 1.11 km
    assert outside["CENTRO DIA LEJOS"].distance_m == pytest.approx(1110, rel=0.01)
    assert report.in_by_category == {"centro_dia": 3, "disability_adults": 1}
    assert report.usable_by_category == {"centro_dia": 1}


def test_rows_match_the_declared_column_types() -> None:
    layer = sdis(
        [
            {"OSSNOMBRE": "LA ESCUELITA", "OSSSERVICI": "35", "OSSTELEFON": float("nan")},
            {"OSSNOMBRE": "CENTRO DIA X", "OSSHORARIO": None, "OSSDIRECCI": None},
        ],
        points=[IN_WEST, IN_EAST],
    )
    frame, report = run(("c", layer))
    assert list(frame.columns) == [*SERVICE_COLUMNS, "geometry"]
    assert frame.crs.to_epsg() == 4326
    doc = json.loads(frame.to_json(na="null"))
    for feature in doc["features"]:
        for column, declared in SERVICE_COLUMNS.items():
            value = feature["properties"][column]
            assert ColumnType.parse(declared).accepts(value), (column, value)
        props = feature["properties"]
        for codes, allowed in (
            (props["services"], vocab.SERVICES),
            (props["populations"], vocab.POPULATIONS),
        ):
            assert vocab.split_codes(codes) and set(vocab.split_codes(codes)) <= set(allowed)
    assert report.hours_missing == 1
    assert frame.set_index("name_raw").loc["CENTRO DIA X", "hours"] is None


def test_open_now_works_on_the_hours_column() -> None:
    layer = sdis(
        [
            {"OSSNOMBRE": "CENTRO DIA A", "OSSHORARIO": "LUNES A VIERNES 8:00 AM - 4:00 PM"},
            {"OSSNOMBRE": "CENTRO NOCHE B", "OSSHORARIO": "LUNES A DOMINGO 6:00 PM - 6:00 AM"},
        ],
        points=[IN_WEST, IN_EAST],
    )
    frame, _ = run(("d", layer))
    index = NearbyIndex(frame)
    assert index.known_hours == 2
    monday_10 = datetime(2025, 1, 6, 10)
    sunday_23 = datetime(2025, 1, 5, 23)
    open_monday = dict(zip(frame["name_raw"], index.open_at(monday_10), strict=True))
    open_sunday = dict(zip(frame["name_raw"], index.open_at(sunday_23), strict=True))
    assert open_monday == {"CENTRO DIA A": 1, "CENTRO NOCHE B": 0}
    assert open_sunday == {"CENTRO DIA A": 0, "CENTRO NOCHE B": 1}


def test_a_layer_without_crs_is_an_error() -> None:
    layer = sdis([{"OSSNOMBRE": "CENTRO DIA A"}], points=[IN_WEST]).set_crs(
        None, allow_override=True
    )
    with pytest.raises(LayerError, match="CRS"):
        run(("sin_crs", layer))


def test_proposals_are_a_separate_layer() -> None:
    proposals = gpd.GeoDataFrame(
        {"Name": ["Supercade Suba", "CDC La Victoria"]},
        geometry=[Point(IN_WEST), Point(IN_EAST)],
        crs=4326,
    )
    service = sdis([{"OSSNOMBRE": "CENTRO DIA A"}], points=[IN_WEST])
    frame, report = run(("propuesta", proposals), ("x", service))
    assert len(frame) == 1 and report.proposals_skipped == 2
    assert report.files[0].schema == "proposals" and report.features_in == 1
    sites = proposals_from_official([("capa", proposals), ("x", service)], localidades=LOCALIDADES)
    assert list(sites.columns) == [*PROPOSAL_COLUMNS, "geometry"]
    assert set(sites["kind"]) == {"proposal"}
    assert sorted(sites["name"]) == ["CDC La Victoria", "Supercade Suba"]
    assert sites.set_index("name").loc["Supercade Suba", "localidad"] == "Usaquén"
    assert all("not an official care block" in d for d in sites["description_en"])
    assert all("CEPAL" in d for d in sites["description_es"])
    assert all("CEPAL" in s for s in sites["source"])
    assert sites["id"].is_unique


def test_anchor_moves_only_the_blocks_the_official_layer_holds() -> None:
    cdc = sdis(
        [
            {"OSSNOMBRE": "La Giralda", "OSSSERVICI": "20", "OSSIDENTI": "0920009"},
            {"OSSNOMBRE": "Jose Antonio Galan", "OSSSERVICI": "20"},
        ],
        points=[IN_WEST, IN_EAST],
    )
    services, _ = run(("cdc", cdc))
    blocks = gpd.GeoDataFrame(
        {
            "id": ["mc-1", "mc-2", "mc-3", "mc-4", "mc-5"],
            "anchor": [
                "CDC La Giralda",
                "CDC José Antonio Galán",  # right name, wrong localidad
                "SuperCADE Manitas",
                "",
                "CDC Giralda Norte",
            ],
            "localidad": ["Usaquén", "Usaquén", "Usaquén", "Usaquén", "Usaquén"],
            "source": ["press"] * 5,
            "location_precision": ["neighbourhood"] * 5,
            "description_en": [
                "Care block. " + "Approximate position, placed by hand at the "
                "named area (good to 0.5-2 km)."
            ]
            * 5,
        },
        geometry=[Point(-74.09, 4.61)] * 5,
        crs=4326,
    )
    out, matches = anchor_care_blocks(blocks, services)
    assert [(m.block_id, m.matched, m.reason) for m in matches] == [
        ("mc-1", True, "matched"),
        ("mc-2", False, "not_found"),
        ("mc-3", False, "no_category"),
        ("mc-5", False, "not_found"),
    ]
    assert matches[0].service_id == "sdis-cdc-0920009"
    # (-74.09, 4.61) -> (-74.08, 4.62): about 1.56 km
    assert matches[0].moved_m == pytest.approx(1565, rel=0.01)
    moved = out.loc[0]
    assert (moved.geometry.x, moved.geometry.y) == IN_WEST
    assert moved["location_precision"] == "address"
    assert moved["source"].startswith("press; location: SDIS – Oferta de Servicios Sociales")
    assert "Approximate position" not in moved["description_en"]
    assert "the address of CDC La Giralda" in moved["description_en"]
    assert_geodataframe_equal(out.iloc[1:], blocks.iloc[1:])
    assert_geodataframe_equal(blocks, blocks)  # input not mutated
    assert blocks.loc[0, "location_precision"] == "neighbourhood"


def test_every_category_and_column_has_labels() -> None:
    for code in vocab.SERVICE_CATEGORIES:
        assert set(VOCABULARY["category"][code]) == set(LANGUAGES), code
        assert all(VOCABULARY["category"][code].values())
    shown_elsewhere = {"name", "kind", "operator", "services", "populations", "country", "source"}
    shown_elsewhere |= {"location_precision", "description_es", "description_en"}
    for column in SERVICE_COLUMNS:
        assert column in shown_elsewhere or column in VOCABULARY["columns"], column


# ------------------------------------------------------------------ official copy

# The display names the importer gives the localidades (one list, in geo.io.atlas.sources).
LOCALIDAD_NAMES = sources.LOCALIDAD_NAMES


@pytest.fixture(scope="module")
def boundaries(official_dir: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Localidades and UPZ in the normalised form of geo.io.atlas.sources."""
    loca = gpd.read_file(official_dir / "localidades" / "loca.shp").to_crs(4326)
    localidades = gpd.GeoDataFrame(
        {"code": loca["LocCodigo"], "name": loca["LocCodigo"].map(LOCALIDAD_NAMES)},
        geometry=loca.geometry,
        crs=4326,
    )
    upla = gpd.read_file(official_dir / "upz" / "UPla.shp").to_crs(4326)
    upz = gpd.GeoDataFrame(
        {"code": upla["UPlCodigo"], "name": upla["UPlNombre"]}, geometry=upla.geometry, crs=4326
    )
    return localidades, upz


def read_files(folder: Path) -> list[tuple[str, gpd.GeoDataFrame]]:
    return [(p.stem, gpd.read_file(p)) for p in sorted(folder.glob("*.geojson"))]


@pytest.fixture(scope="module")
def official(official_dir: Path, boundaries):
    localidades, upz = boundaries
    files = read_files(official_dir / "services")
    frame, report = services_from_official(files, localidades=localidades, upz=upz)
    return files, frame, report


def test_official_counts(official) -> None:
    _, frame, report = official
    assert report.features_in == 620
    assert report.proposals_skipped == 10
    assert sorted(p.name for p in report.outside) == [
        "CENTRO INTEGRARTE ATENCION INTERNA GRUPO 14",
        "CENTRO INTEGRARTE ATENCION INTERNA GRUPO 3",
        "CENTRO INTEGRARTE ATENCION INTERNA GRUPO 4",
        "CENTRO INTEGRARTE ATENCION INTERNA GRUPO 6",
        "INTEGRARTE COLONIA",
        "INTEGRARTE JJ VARGAS",
    ]
    assert all(p.distance_m > 5_000 for p in report.outside)  # Sibaté and beyond
    # No two records of this copy are the same service: what look like duplicate
    # locations are 16 pairs of distinct services sharing a building (11 day/night
    # jardines, 4 Centro Día / Centro Noche, 1 pair of jardines 0.2 m apart).
    assert report.duplicates_merged == 0
    assert len(report.same_place) == 16
    assert Counter_of(report.same_place) == {"jardin_infantil": 12, "centro_dia": 4}
    assert report.usable == len(frame) == 620 - 6 == 614
    assert report.unclassified == () and report.unlocated == ()
    assert report.usable_by_category == {
        "jardin_infantil": 346,
        "centro_dia": 33,
        "cdc": 18,
        "casa_igualdad": 22,
        "disability_children": 25,
        "disability_adults": 15,
        "comedor": 124,
        "centro_amar": 13,
        "centro_proteger": 6,
        "creciendo_familia": 12,
    }
    # only the two layers with no code and no telling name need their file names
    assert {f.file for f in report.files if f.by.get("file_name")} == {
        "comedor_comunitario",
        "creciendo_familia",
    }


def Counter_of(same_place) -> dict[str, int]:  # noqa: N802
    counts: dict[str, int] = {}
    for category, _ in same_place:
        counts[category] = counts.get(category, 0) + 1
    return counts


def test_official_points_are_complete(official) -> None:
    _, frame, _ = official
    assert frame["id"].is_unique
    assert list(frame.columns) == [*SERVICE_COLUMNS, "geometry"]
    for column, allowed in (("services", vocab.SERVICES), ("populations", vocab.POPULATIONS)):
        codes = frame[column].map(vocab.split_codes)
        assert codes.map(len).gt(0).all(), column
        assert set().union(*codes) <= set(allowed), column
    assert set(frame["category"]) == set(vocab.SERVICE_CATEGORIES)
    assert frame["localidad"].notna().all() and frame["localidad_code"].notna().all()
    assert set(frame["localidad"]) <= set(LOCALIDAD_NAMES.values())
    assert frame["upz"].notna().all() and frame["upz_code"].notna().all()
    assert frame["name"].str.len().gt(0).all() and frame["address"].notna().all()
    assert set(frame["source_vintage"]) == {"about 2020"}


def test_official_hours_are_parsed(official) -> None:
    _, frame, report = official
    # 611 of 614 (99.5%); the three left are ambiguous as published
    assert report.hours_parsed == frame["hours_known"].sum() == 611
    assert sorted(h for _, h in report.hours_not_parsed) == [
        "LUNES A VIERNES  4:00 PM - 1:00 PM",
        "Lunes a Viernes de 8:00 - 4:00",
        "Lunes a Viernes de 8:00 - 4:30",
    ]
    assert report.hours_missing == 0


def test_official_anchors(official) -> None:
    _, frame, _ = official
    registry = load_registry(PROJECT / "data")
    blocks = load_layer(registry["care_blocks"], data_dir=PROJECT / "data")
    out, matches = anchor_care_blocks(blocks, frame)
    matched = {m.anchor: m for m in matches if m.matched}
    assert set(matched) == {"CDC La Giralda", "CDC José Antonio Galán"}
    assert matched["CDC La Giralda"].service_name == "CDC La Giralda"
    assert matched["CDC José Antonio Galán"].service_name == "CDC Jose Antonio Galan"
    moved = out["location_precision"] == "address"
    assert moved.sum() == 2
    assert_geodataframe_equal(out[~moved], blocks[~moved])


def test_official_proposals(official) -> None:
    files, _, _ = official
    sites = proposals_from_official(files)
    assert len(sites) == 10 and set(sites["kind"]) == {"proposal"}


def test_renamed_files_are_classified_the_same(
    official, boundaries, official_dir: Path, tmp_path: Path
) -> None:
    files, frame, report = official
    localidades, upz = boundaries
    for position, (stem, _) in enumerate(files):
        # names that say nothing, except for the two layers that have no other clue
        new = f"capa_{position:02d}"
        if stem in ("comedor_comunitario", "creciendo_familia"):
            new = f"{position:02d} {stem.replace('_', ' ').title()} 2020"
        shutil.copy(official_dir / "services" / f"{stem}.geojson", tmp_path / f"{new}.geojson")
    renamed, renamed_report = services_from_official(
        read_files(tmp_path), localidades=localidades, upz=upz
    )
    assert_geodataframe_equal(renamed, frame)
    assert renamed_report.usable_by_category == report.usable_by_category
    assert [(p.name, p.reason, p.distance_m) for p in renamed_report.outside] == [
        (p.name, p.reason, p.distance_m) for p in report.outside
    ]
    # under names that say nothing, those two layers are reported, not guessed
    for number, path in enumerate(sorted(tmp_path.glob("* 2020.geojson"))):
        path.rename(tmp_path / f"z{number}.geojson")
    anonymous, anonymous_report = services_from_official(
        read_files(tmp_path), localidades=localidades, upz=upz
    )
    assert len(anonymous) == 614 - 124 - 12
    assert len(anonymous_report.unclassified) == 136
    assert {u.reason for u in anonymous_report.unclassified} == {"no_clue"}
    assert {u.file for u in anonymous_report.unclassified} == {"z0", "z1"}
