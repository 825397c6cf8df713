"""The training_offer layer against the report it comes from (seed 002, Annex 1 row by row).

The seed is a project source document (ILO/CINTERFOR guide, CC BY 4.0) kept next to
the repository in ``../shared/seeds/``. Without it these tests skip, and they fail
instead when ``CARE_ATLAS_REQUIRE_OFFICIAL=1``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import geopandas as gpd
import pytest

from tests.geo._helpers import SHARED, read_shared, sample_layer

SEED = SHARED / "seeds/002_bd77f5086471c8fb.txt"
COUNTRIES = {
    "Argentina": "AR",
    "Bolivia": "BO",
    "Chile": "CL",
    "Colombia": "CO",
    "Costa Rica": "CR",
    "El Salvador": "SV",
    "Mexico": "MX",
    "Uruguay": "UY",
}
NOT_APPLICABLE = {"n. a.", "n.a.", "n.a", "n. d."}
CODE = re.compile(r"\b(?:NSCL \d{9}|EC\d{4}|\d{4}-\d{2}-\d{2}-\d(?:-\d{2})?|\d{6})\b")


@pytest.fixture(scope="module")
def seed_text() -> str:
    return read_shared(SEED, "seed 002")


@pytest.fixture(scope="module")
def offer() -> gpd.GeoDataFrame:
    return sample_layer("training_offer")


def _clean(cell: str) -> str:
    text = re.sub(r"<[^>]+>", " ", cell).replace("►", " ")
    return re.sub(r"\s+", " ", text).strip().rstrip("*").strip()


@dataclass(frozen=True)
class AnnexRow:
    country: str
    institution: str
    name: str
    materials: str
    service_type: str
    entry: str
    duration: str
    programme_hours: str
    work_hours: str


def annex1_rows(text: str) -> list[AnnexRow]:
    """Parse Annex 1's tables; a blank type, entry or duration cell continues the one above
    within the same institution (the report's merged cells)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("► Annex 1"))
    end = next(i for i, line in enumerate(lines) if i > start and line.startswith("► Annex 2"))
    rows: list[AnnexRow] = []
    country = institution = ""
    merged = {"service_type": "", "entry": "", "duration": ""}
    for line in lines[start:end]:
        if line.strip() in COUNTRIES:
            country = COUNTRIES[line.strip()]
            continue
        cells = line.split("\t")
        if len(cells) != 9 or cells[0] == "Institution":
            continue
        cells = [_clean(c) for c in cells]
        if cells[0]:
            institution = cells[0]
            merged = dict.fromkeys(merged, "")
        for key, cell in zip(merged, (cells[3], cells[4], cells[5]), strict=True):
            merged[key] = cell or merged[key]
        rows.append(
            AnnexRow(
                country=country,
                institution=institution,
                name=cells[1],
                materials=cells[2],
                service_type=merged["service_type"],
                entry=merged["entry"],
                duration=merged["duration"],
                programme_hours=cells[6],
                work_hours=cells[7],
            )
        )
    return rows


def _words(text: str, n: int = 4) -> list[str]:
    text = re.sub(r"Code: EC\d{4}", " ", text)
    return re.findall(r"[a-z0-9]+", text.lower())[:n]


def _hours(cell: str) -> float | None:
    """A figure of Annex 1 ('3 600' -> 3600.0); None for n. a., n. d., blank or words."""
    if re.fullmatch(r"\d[\d ]*", cell):
        return float(cell.replace(" ", ""))
    return None


def _service_type(cell: str) -> str:
    cell = cell.lower()
    if cell.startswith("training and certification"):
        return "training;certification"
    if "training" in cell:
        return "training"
    assert cell.startswith("certific"), cell
    return "certification"


def _value(value: object) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+", text))


def test_annex1_parses_to_the_34_rows_of_eight_countries(seed_text: str) -> None:
    rows = annex1_rows(seed_text)
    assert len(rows) == 34
    assert {r.country for r in rows} == set(COUNTRIES.values())


def test_every_annex1_row_matches_the_layer_figure_by_figure(seed_text, offer) -> None:
    rows = annex1_rows(seed_text)
    layer = offer[offer["source"].str.contains("Annex 1")]
    assert len(layer) == len(rows) == 34
    checked = 0
    for row, (fid, feat) in zip(rows, layer.iterrows(), strict=True):
        where = f"{fid} ({row.name[:40]})"
        assert _words(feat["standard"]) == _words(row.name), where
        assert feat["country"] == row.country, where
        assert feat["service_type"] == _service_type(row.service_type), where
        assert feat["services"] == feat["service_type"], where
        # standard and certification codes: the same set on both sides
        seed_codes = set(CODE.findall(f"{row.name} {row.materials}"))
        assert set(CODE.findall(feat["code"])) == seed_codes, where
        # hours: the figure, or empty where the report has none; words go to the notes
        for cell, column in (
            (row.programme_hours, "programme_hours"),
            (row.work_hours, "work_experience_hours"),
        ):
            assert _value(feat[column]) == _hours(cell), f"{where}: {column}"
            if cell and _hours(cell) is None and cell not in NOT_APPLICABLE:
                assert f"'{cell}'" in feat["caveats_en"], f"{where}: {column} '{cell}' not noted"
        # entry requirements and certification duration: 'n. a.' as the report prints it,
        # otherwise the text with every figure of the report's cell
        for cell, column in (
            (row.entry, "entry_requirements"),
            (row.duration, "certification_duration"),
        ):
            if cell in NOT_APPLICABLE:
                assert feat[column] == "n. a.", f"{where}: {column}"
            else:
                assert feat[column] not in ("", "n. a."), f"{where}: {column}"
                assert _numbers(cell) <= _numbers(feat[column]), f"{where}: {column}"
        if "no set timeframe" in row.duration.lower():
            assert "no set timeframe" in feat["certification_duration"].lower(), where
        checked += 1
    assert checked == 34


def test_durations_the_report_gives_are_in_the_layer(seed_text, offer) -> None:
    durations = {
        r.institution.split("(")[-1].rstrip(")"): r.duration
        for r in annex1_rows(seed_text)
        if r.duration not in NOT_APPLICABLE
    }
    assert set(durations) == {"ChileValora", "SENA", "INA", "CONOCER"}
    by_inst = offer.groupby(offer["institution"].str.split(" ").str[0])
    assert (
        by_inst.get_group("ChileValora")["certification_duration"].str.startswith("3 weeks")
    ).all()
    assert set(by_inst.get_group("SENA")["certification_duration"]) == {
        "Approx. 4 weeks",
        "n. a.",
    }
    assert set(by_inst.get_group("INA")["certification_duration"]) == {
        "Duration of the test: 28 hours",
        "Duration of the test: 30 hours",
        "n. a.",
    }


def test_where_the_report_disagrees_with_itself_both_figures_are_noted(seed_text, offer) -> None:
    table7 = re.search(
        r"Personal Assistance for Persons with Disabilities Duration: (\d+)", seed_text
    )
    box15 = re.search(r"course of (\d+) hours of training, of which (\d+) hours", seed_text)
    assert table7 and box15
    ina = offer[offer["standard"] == "Personal assistance for persons with disabilities"].iloc[0]
    assert ina["programme_hours"] == 166
    assert {"166", table7.group(1)} <= _numbers(ina["caveats_en"]) & _numbers(ina["caveats_es"])
    insaforp = offer[offer["standard"] == "Early Childhood Care Assistant"].iloc[0]
    assert insaforp["programme_hours"] == int(box15.group(1))
    assert insaforp["work_experience_hours"] == 24
    expected = {"24", box15.group(1), box15.group(2)}
    assert expected <= _numbers(insaforp["caveats_en"]) & _numbers(insaforp["caveats_es"])


def test_nine_countries_the_ninth_from_annex2_and_box9(seed_text, offer) -> None:
    assert offer["country"].nunique() == 9
    extra = offer[~offer["source"].str.contains("Annex 1")]
    assert list(extra["country"]) == ["DO"]
    assert extra.iloc[0]["standard"] in seed_text.split("► Annex 2")[1]
    assert "Box 9" in extra.iloc[0]["source"] and extra.iloc[0]["caveats_en"]


def test_operator_is_the_report_s_or_says_it_is_the_project_s(seed_text, offer) -> None:
    assert "INFOCAL Foundation" in seed_text
    assert "mainly with public institutions" in seed_text
    infocal = offer[offer["institution"].str.startswith("INFOCAL")]
    assert set(infocal["operator"]) == {"foundation"}
    assert (infocal["operator_source"] != "").all()
    # a classification without a source in the report says so in the description
    own = offer[offer["operator_source"] == ""]
    assert len(own) > 0
    assert own["description_en"].str.contains("Care Atlas's classification").all()
    assert own["description_es"].str.contains("clasificación del Atlas del Cuidado").all()
    unsourced = offer[(offer["populations"] != "") & (offer["populations_source"] == "")]
    assert "EC0886" in set(unsourced["code"])  # girls and boys aged 4 to 12: named, not classified
    assert unsourced["description_en"].str.contains("not the report's").all()
