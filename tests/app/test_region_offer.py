"""AppTest: the Region page's offer table says what the report says, in both languages."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.app.conftest import run_app
from ui.i18n import t
from ui.render.tables import PROJECT_MARK


def _offer(at, lang: str) -> pd.DataFrame:
    return next(
        df.value for df in at.dataframe if t("col_duration", lang) in df.value.columns
    ).set_index(t("col_standard", lang))


@pytest.mark.parametrize("lang", ["es", "en"])
def test_offer_table_shows_durations_notes_and_sources(lang: str) -> None:
    at = run_app("app_pages/region.py", lang=lang)
    table = _offer(at, lang)
    assert len(table) == 35
    na = t("offer_na", lang)

    # the duration of the certification process, as Annex 1 gives it
    durations = table[t("col_duration", lang)]
    assert durations["Assistance for children"] == "Duration of the test: 30 hours"
    assert durations["Comprehensive care for older persons"] == "Duration of the test: 28 hours"
    assert durations["Hostel Monitor"].startswith("3 weeks approx.")
    assert durations["Basic care for older persons at home"].startswith("No set timeframe")
    sena = table[table[t("col_institution", lang)].str.startswith("SENA")]
    assert list(sena[t("col_duration", lang)]) == ["Approx. 4 weeks", "Approx. 4 weeks", na]
    assert durations["Household caregiver"] == na
    assert durations.astype(bool).sum() == 34  # only INFOTEP's course has none in the report

    # "n. a." entry requirements are the report's, not missing values
    requirements = table[t("col_requirements", lang)]
    assert requirements["Hostel Monitor"] == na
    assert requirements["Domestic worker"] == na

    # caveats: a marker in the Notes column, the note beside it and listed below the table
    notes = table[t("col_notes", lang)]
    ina = notes["Personal assistance for persons with disabilities"]
    sena_637102 = notes["Basic care for persons with functional dependency"]
    insaforp = notes["Early Childhood Care Assistant"]
    for cell, figures in (
        (ina, ("166", "168")),
        (sena_637102, ("3 months",)),
        (insaforp, ("24", "60", "218")),
    ):
        assert cell[0] in "¹²³⁴⁵⁶⁷⁸⁹", cell
        assert all(f in cell for f in figures), cell
    listed = "\n".join(m.value for m in at.markdown)
    marker = ina.split(" ")[0]
    assert f"- {marker} " in listed
    assert notes["Assistance for children"] == ""  # no caveat, no marker

    # who runs it and who it serves: the report's word, or marked as the project's
    operators = table[t("col_operator", lang)]
    assert operators["Nursery School Technician"] == {"es": "Fundación", "en": "Foundation"}[lang]
    assert not operators["Household caregiver"].endswith(PROJECT_MARK)  # a ministry
    assert operators["Assistance for children"].endswith(PROJECT_MARK)
    populations = table[t("col_populations", lang)]
    aged_4_to_12 = next(s for s in table.index if "aged 4 to 12" in s)
    wide = {"es": "Niñas, niños y adolescentes", "en": "Children and adolescents"}[lang]
    assert populations[aged_4_to_12] == f"{wide} {PROJECT_MARK}"
    assert not populations["Assistance for children"].endswith(PROJECT_MARK)
    assert any(PROJECT_MARK in c.value for c in at.caption)

    # nine countries, and the page says so
    assert table[t("col_country", lang)].nunique() == 9
    assert any({"es": "nueve países", "en": "nine countries"}[lang] in c.value for c in at.caption)


def test_notes_are_numbered_within_the_rows_shown() -> None:
    at = run_app("app_pages/region.py", lang="en")
    at.multiselect(key="offer_countries_en").set_value(["CR"]).run()
    assert not at.exception
    table = _offer(at, "en")
    assert len(table) == 3
    ina = table[t("col_notes", "en")]["Personal assistance for persons with disabilities"]
    assert ina.startswith("¹ Programme hours: 166 in Annex 1; Table 7")
    listed = "\n".join(m.value for m in at.markdown)
    assert "- ¹ " in listed and "- ² " not in listed
