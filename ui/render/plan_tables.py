"""The Plan page's figures, tables and exports, without Streamlit.

Before/after figures of a scenario, the suggested sites as a table and as sites,
the coverage curve, and the downloads (sites GeoJSON, figures CSV with the
parameters). The page pieces that show them are in :mod:`ui.views.plan_tabs`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import gaps
from geo.errors import LayerError
from geo.scenarios import Scenario, Site, sites_frame
from ui.i18n import label, t
from ui.render import fmt
from ui.render.export import csv_bytes

QUANTILES = (0.1, 0.5, 0.9)


class SavedParams(Protocol):
    """What :func:`figures_csv` reads of the page's parameters (``PlanState``)."""

    def to_dict(self) -> dict[str, Any]:
        """Return the parameters as a plain mapping."""
        ...


def before_after(
    before: gaps.GapsResult, after: gaps.GapsResult, *, groups: Sequence[str], lang: str
) -> pd.DataFrame:
    """The figures of the current services and of the scenario, side by side.

    Rows: people within reach per group, unserved people (a person counted once per
    group), unserved areas, the 2SFCA distribution (care places per 1,000 people for
    the 10th, 50th and 90th percentile person) and simultaneity.
    """
    rows: list[tuple[str, float, float, str]] = []
    for group in groups:
        if group not in before.coverage.index:
            continue
        b, a = before.coverage.loc[group], after.coverage.loc[group]
        rows.append(
            (
                t("plan_fig_within", lang, group=label("populations", group, lang)),
                float(b["covered"]),
                float(a["covered"]),
                "people",
            )
        )
        rows.append(
            (
                t("plan_fig_pct", lang, group=label("populations", group, lang)),
                float(b["pct_covered"]),
                float(a["pct_covered"]),
                "%",
            )
        )
    present = [g for g in groups if g in before.coverage.index]
    rows.append(
        (
            t("metric_unserved", lang),
            float(before.coverage.loc[present, "unserved"].sum()),
            float(after.coverage.loc[present, "unserved"].sum()),
            "people",
        )
    )
    rows.append(
        (
            t("plan_fig_largest", lang),
            float(before.headline["largest_unserved_people"]),
            float(after.headline["largest_unserved_people"]),
            "people",
        )
    )
    for q in QUANTILES:
        rows.append(
            (
                t("plan_fig_2sfca", lang, pct=fmt.integer(q * 100, lang)),
                _access_quantile(before, q),
                _access_quantile(after, q),
                "per 1,000",
            )
        )
    if "simultaneity_share" in before.headline and "simultaneity_share" in after.headline:
        rows.append(
            (
                t("plan_fig_simultaneity", lang),
                100 * float(before.headline["simultaneity_share"]),
                100 * float(after.headline["simultaneity_share"]),
                "%",
            )
        )
    table = pd.DataFrame(rows, columns=["figure", "before", "after", "unit"])
    table["change"] = table["after"] - table["before"]
    return table


def _access_quantile(result: gaps.GapsResult, q: float) -> float:
    cells = result.demand
    return gaps.weighted_quantile(
        cells["access_per_1000"].to_numpy(), cells[result.headline["access_col"]].to_numpy(), q
    )


def shown_before_after(table: pd.DataFrame, *, lang: str) -> pd.DataFrame:
    """The before/after table with translated headers and numbers as a person reads them."""

    def shown(value: float, unit: str) -> str:
        if unit == "%":
            return f"{fmt.number(value, lang, digits=1)} %"
        if unit == "per 1,000":
            return f"{value:.3g}" if lang == "en" else f"{value:.3g}".replace(".", ",")
        return fmt.integer(value, lang)

    def change(value: float, unit: str) -> str:
        if abs(value) < 1e-9:
            return "="
        sign = "+" if value > 0 else "−"
        return sign + shown(abs(value), unit).replace(" %", " pts")

    return pd.DataFrame(
        {
            t("plan_col_figure", lang): table["figure"],
            t("plan_col_before", lang): [
                shown(v, u) for v, u in zip(table["before"], table["unit"], strict=True)
            ],
            t("plan_col_after", lang): [
                shown(v, u) for v, u in zip(table["after"], table["unit"], strict=True)
            ],
            t("plan_col_change", lang): [
                change(v, u) for v, u in zip(table["change"], table["unit"], strict=True)
            ],
        }
    )


def suggestion_table(
    sites: gpd.GeoDataFrame,
    report: pd.DataFrame,
    *,
    groups: Sequence[str],
    area_names: Mapping[Any, str],
    lang: str,
) -> pd.DataFrame:
    """One row per suggested site: order, name, who it brings within reach, the area it answers."""
    table = pd.DataFrame(
        {
            t("plan_col_order", lang): sites["order"].to_numpy(),
            t("plan_col_name", lang): [suggested_name(sites, i, lang) for i in range(len(sites))],
        }
    )
    for group in groups:
        if group in report.columns:
            table[t("plan_col_new", lang, group=label("populations", group, lang))] = (
                report[group].round(0).to_numpy()
            )
    table[t("plan_col_area", lang)] = [
        area_names.get(a, "") if a is not None and not pd.isna(a) else "—"
        for a in report.get("area", pd.Series([None] * len(report)))
    ]
    points = sites.to_crs(4326).geometry
    table[t("plan_col_lat", lang)] = points.y.round(5).to_numpy()
    table[t("plan_col_lon", lang)] = points.x.round(5).to_numpy()
    return table


def suggested_name(sites: gpd.GeoDataFrame, position: int, lang: str) -> str:
    """Return a suggested site's name: its order and, when known, the candidate's place.

    For example "Suggested site 2 · Bosa".
    """
    base = t("plan_suggested_name", lang, n=int(sites["order"].iloc[position]))
    name = str(sites["name"].iloc[position]) if "name" in sites.columns else ""
    return f"{base} · {name}" if name and name != "nan" else base


def suggested_sites(sites: gpd.GeoDataFrame, *, lang: str) -> list[Site]:
    """The suggestion as scenario sites (what "accept" adds)."""
    points = sites.to_crs(4326).geometry
    return [
        Site(name=suggested_name(sites, i, lang), lon=p.x, lat=p.y, origin="suggested")
        for i, p in enumerate(points)
    ]


def area_labels(areas: gpd.GeoDataFrame, zone_names: Mapping[Any, str], *, lang: str) -> dict:
    """Unserved area index -> "Area 3 (Bosa)" as the Gaps page names them."""
    out = {}
    for rank, (index, row) in enumerate(areas.iterrows(), start=1):
        zone = zone_names.get(row.get("zone"), "") if "zone" in areas.columns else ""
        out[index] = t("plan_area_label", lang, n=rank) + (f" ({zone})" if zone else "")
    return out


def curve_frame(curve: pd.DataFrame, *, lang: str) -> pd.DataFrame:
    """Coverage against the number of new sites, as the chart plots it (share in %)."""
    return pd.DataFrame(
        {
            t("plan_curve_k", lang): curve["k"].to_numpy(),
            t("plan_curve_share", lang): (100 * curve["share"]).round(2).to_numpy(),
        }
    ).set_index(t("plan_curve_k", lang))


# --------------------------------------------------------------------- exports


def sites_geojson(value: Scenario) -> bytes:
    """GeoJSON of the scenario's sites (added and removed), EPSG:4326.

    Text stays data (JSON-escaped by the writer); whoever shows it must escape it.
    """
    added = sites_frame(value).assign(change="added")
    removed_ids = set(value.removed)
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                *json.loads(added.to_json(drop_id=True))["features"],
                *(
                    {
                        "type": "Feature",
                        "properties": {"id": rid, "change": "removed"},
                        "geometry": None,
                    }
                    for rid in sorted(removed_ids)
                ),
            ],
            "scenario": value.to_dict(),
        },
        ensure_ascii=False,
    ).encode("utf-8")


def figures_csv(table: pd.DataFrame, params: SavedParams) -> bytes:
    """The before/after figures and the parameters, as CSV (formula-safe)."""
    figures = table.assign(section="figure")
    settings = pd.DataFrame(
        [
            {"section": "parameter", "figure": key, "before": np.nan, "after": np.nan, "unit": ""}
            | {"after": json.dumps(value) if isinstance(value, list) else value}
            for key, value in params.to_dict().items()
        ]
    )
    return csv_bytes(pd.concat([figures, settings], ignore_index=True))


def check_scenario(payload: Mapping[str, Any]) -> Scenario:
    """A stored payload as a Scenario (LayerError names what is wrong)."""
    try:
        return Scenario.from_dict(payload)
    except LayerError:
        raise
    except (TypeError, ValueError) as exc:
        raise LayerError(f"the saved scenario cannot be read ({exc}).") from None
