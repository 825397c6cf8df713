"""ui.plan_state and ui.render.plan_tables: parameters saved with a scenario, exports, figure formatting."""

from __future__ import annotations

import io
import json

import pandas as pd

from geo.scenarios import Scenario, Site
from ui.plan_state import PlanState
from ui.render.plan_tables import figures_csv, shown_before_after, sites_geojson


def test_params_round_trip_and_unknown_values_dropped() -> None:
    params = PlanState(groups=("children", "carers"), weights=(2.0, 1.0), codes=("child_care",))
    assert PlanState.from_dict(params.to_dict(), codes=["child_care", "respite"]) == params
    hostile = {
        "groups": ["children", "aliens"],
        "weights": [1],
        "codes": ["nope"],
        "minutes": 17,
        "profile": "rocket",
        "k": 500,
        "capacity": -3,
        "mode": "teleport",
    }
    read = PlanState.from_dict(hostile, codes=["child_care"])
    assert read == PlanState(codes=("child_care",))


def test_figures_csv_is_formula_safe_and_keeps_parameters() -> None:
    table = pd.DataFrame(
        {
            "figure": ['=HYPERLINK("http://x")', "Unserved"],
            "before": [1.0, 2.0],
            "after": [1.0, 1.0],
            "unit": ["people", "people"],
            "change": [0.0, -1.0],
        }
    )
    text = figures_csv(table, PlanState(codes=("child_care",))).decode("utf-8-sig")
    frame = pd.read_csv(io.StringIO(text))
    assert frame.loc[0, "figure"].startswith("'=")
    params = frame[frame["section"] == "parameter"].set_index("figure")["after"]
    assert params["minutes"] == "15"
    assert json.loads(params["codes"]) == ["child_care"]


def test_sites_geojson_has_added_and_removed() -> None:
    scenario = (
        Scenario().add(Site(name="<b>Nuevo</b>", lon=-74.1, lat=4.6)).remove_existing("mc-02")
    )
    data = json.loads(sites_geojson(scenario))
    added, removed = data["features"]
    assert added["properties"]["name"] == "<b>Nuevo</b>"
    assert added["geometry"]["coordinates"] == [-74.1, 4.6]
    assert removed["properties"] == {"id": "mc-02", "change": "removed"}
    assert Scenario.from_dict(data["scenario"]) == scenario


def test_before_after_formatting() -> None:
    table = pd.DataFrame(
        {
            "figure": ["a", "b", "c"],
            "before": [10.0, 50.0, 1.0],
            "after": [12.0, 50.0, 1.5],
            "unit": ["people", "%", "per 1,000"],
            "change": [2.0, 0.0, 0.5],
        }
    )
    shown = shown_before_after(table, lang="en")
    assert list(shown["Change"]) == ["+2", "=", "+0.5"]
    assert list(shown["Today"]) == ["10", "50.0 %", "1"]
