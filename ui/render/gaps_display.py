"""What the Gaps page draws and lists, from a :class:`geo.gaps.GapsResult` (no Streamlit).

Each measure becomes one value per demand cell, drawn as a raster surface with a
colour bar that states its unit; tables get translated headers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import demand as demand_grid
from geo import profiles, vocab
from ui.i18n import label, t
from ui.render import fmt, raster, safe
from ui.render.map_view import ColourBar

MEASURES = ("coverage", "nearest", "2sfca", "e2sfca", "simultaneity")
GROUPS = vocab.DEMAND_GROUPS
# Green = both within the same walk, orange = one of the two, vermillion = neither (Okabe-Ito).
SIMULTANEITY_COLOURS = ("#D55E00", "#E69F00", "#009E73")


@dataclass(frozen=True)
class Surface:
    """One value per cell, how to colour it and how to name it."""

    values: pd.Series
    vmin: float
    vmax: float
    colours: tuple[str, ...]
    title: str
    unit: str
    low: str
    high: str
    ticks: tuple[str, ...] = ()
    """Labels of the colour bar's breaks, evenly spaced (a quantile scale); else
    ``low`` and ``high`` at its ends."""


def people(frame: pd.DataFrame, groups: Sequence[str]) -> pd.Series:
    """People of the chosen groups per cell (a person counted once per group)."""
    return frame[list(groups)].sum(axis=1)


def surface(
    cells: gpd.GeoDataFrame,
    measure: str,
    *,
    groups: Sequence[str],
    minutes: float,
    lang: str,
    e2sfca: pd.Series | None = None,
) -> Surface:
    """The surface of one measure over the result's demand cells.

    ``cells`` is ``GapsResult.demand``; ``e2sfca`` the E2SFCA accessibility per
    1,000 (only for that measure).
    """
    cell_km = _cell_label(cells)
    if measure == "coverage":
        out_of_reach = people(cells, groups).where(~cells["covered"].astype(bool))
        scaled, ticks = quantile_scale(out_of_reach.where(out_of_reach > 0), lang=lang, digits=0)
        return Surface(
            scaled,
            0.0,
            1.0,
            raster.VIRIDIS,
            t("measure_coverage_bar", lang),
            t("unit_people_per_cell", lang, cell=cell_km),
            ticks[0],
            ticks[-1],
            ticks,
        )
    if measure == "nearest":
        cap = max(60.0, 2 * minutes)
        return Surface(
            cells["nearest_minutes"].clip(upper=cap),
            0.0,
            cap,
            raster.VIRIDIS,
            t("measure_nearest_bar", lang),
            t("unit_minutes", lang),
            "0",
            f"{fmt.integer(cap, lang)}+",
        )
    if measure in ("2sfca", "e2sfca"):
        values = cells["access_per_1000"] if measure == "2sfca" else e2sfca
        if values is None:
            raise ValueError("the E2SFCA surface needs its accessibility values.")
        scaled, ticks = quantile_scale(values, lang=lang, digits=3)
        return Surface(
            scaled,
            0.0,
            1.0,
            raster.VIRIDIS,
            t(f"measure_{measure}_bar", lang),
            t("unit_places_per_1000", lang),
            ticks[0],
            ticks[-1],
            ticks,
        )
    if measure == "simultaneity":
        if "care_within" not in cells or "carer_within" not in cells:
            raise ValueError("the simultaneity surface needs care_within and carer_within.")
        level = cells["care_within"].astype(int) + cells["carer_within"].astype(int)
        return Surface(
            level.astype(float).where(cells["carers"] > 0),
            0.0,
            2.0,
            SIMULTANEITY_COLOURS,
            t("measure_simultaneity_bar", lang),
            t("unit_simultaneity", lang),
            t("simultaneity_none", lang),
            t("simultaneity_both", lang),
        )
    raise ValueError(f"unknown measure {measure!r}; use one of {', '.join(MEASURES)}.")


QUANTILES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
"""Breaks of the quantile colour scale: five classes with as many cells each."""


def quantile_scale(
    values: pd.Series, *, lang: str, digits: int
) -> tuple[pd.Series, tuple[str, ...]]:
    """Spread ``values`` over the colour scale by quintile rank.

    Each fifth of the cells (quintile)
    gets a fifth of the colours, so a few extreme cells do not flatten the rest.

    Returns the values mapped to 0-1 (piecewise linear between the quintile breaks; NaN
    stays NaN) and the breaks' labels in the reader's number format.
    """
    numbers = values.astype(float)
    finite = numbers[np.isfinite(numbers)]
    if finite.empty:
        return numbers * np.nan, ("–", "–")
    breaks = np.quantile(finite.to_numpy(), QUANTILES)
    breaks = np.maximum.accumulate(breaks + np.arange(len(breaks)) * 1e-12)  # strictly rising
    scaled = pd.Series(
        np.interp(numbers, breaks, np.linspace(0.0, 1.0, len(breaks))), index=values.index
    )
    labels = tuple(fmt.number(b, lang, digits=digits) for b in breaks)
    return scaled.where(np.isfinite(numbers)), labels


def colour_bar(shown: Surface) -> ColourBar:
    """The colour bar that explains the surface: title, unit, ends and quantile breaks."""
    return ColourBar(
        title=shown.title,
        unit=shown.unit,
        low=shown.low,
        high=shown.high,
        gradient=raster.css_gradient(shown.colours),
        ticks=shown.ticks,
    )


def overlay(cells: gpd.GeoDataFrame, shown: Surface) -> raster.Overlay:
    """The surface as an image over the map."""
    values = demand_grid.to_array(cells.assign(_shown=shown.values.astype(float)), "_shown")
    return raster.surface_overlay(
        values,
        demand_grid.grid_frame(cells),
        vmin=shown.vmin,
        vmax=shown.vmax,
        colours=shown.colours,
    )


def _cell_label(cells: gpd.GeoDataFrame) -> str:
    return f"{demand_grid.grid_frame(cells).cell_m:.0f} m"


def coverage_table(coverage: pd.DataFrame, *, groups: Sequence[str], lang: str) -> pd.DataFrame:
    """People within reach per group, translated."""
    rows = coverage.loc[[g for g in groups if g in coverage.index]]
    return pd.DataFrame(
        {
            t("col_group", lang): [label("populations", g, lang) for g in rows.index],
            t("col_population", lang): rows["population"].round(0).to_numpy(),
            t("col_within_reach", lang): rows["covered"].round(0).to_numpy(),
            t("col_unserved", lang): rows["unserved"].round(0).to_numpy(),
            t("col_pct_within", lang): rows["pct_covered"].round(1).to_numpy(),
        }
    )


def areas_table(
    areas: gpd.GeoDataFrame, zone_names: pd.Series, *, groups: Sequence[str], lang: str
) -> pd.DataFrame:
    """Ranked unserved areas (with their localidad when split by zone), translated."""
    table = pd.DataFrame({t("col_rank", lang): areas["rank"].to_numpy()})
    if "zone" in areas:
        table[t("col_zone", lang)] = areas["zone"].map(zone_names).fillna(areas["zone"]).to_numpy()
    table[t("col_area_km2", lang)] = areas["area_km2"].round(2).to_numpy()
    for group in groups:
        if group in areas:
            table[label("populations", group, lang)] = areas[group].round(0).to_numpy()
    return table


def zone_table(
    by_zone: pd.DataFrame, zone_names: pd.Series, *, groups: Sequence[str], lang: str
) -> pd.DataFrame:
    """Coverage per zone: name, then per group the % within reach and people out of reach.

    When some of a zone's figures use straight line x detour (street-layer gap), a last
    column gives the share of its people concerned.
    """
    table = pd.DataFrame(
        {t("col_zone", lang): zone_names.reindex(by_zone.index).fillna("").to_numpy()}
    )
    for group in groups:
        pct, pop, cov = f"{group}_pct", f"{group}_population", f"{group}_covered"
        if pct in by_zone:
            name = label("populations", group, lang)
            table[f"{name}: {t('col_pct_within', lang)}"] = by_zone[pct].round(1).to_numpy()
            table[f"{name}: {t('col_unserved', lang)}"] = (
                (by_zone[pop] - by_zone[cov]).round(0).to_numpy()
            )
    if "straight_pct" in by_zone and (by_zone["straight_pct"] > 0).any():
        # Where the street layer has a gap, figures use straight line x detour: say so.
        table[t("col_straight_pct", lang)] = by_zone["straight_pct"].round(0).to_numpy()
    return table


def area_tooltips(
    areas: gpd.GeoDataFrame, zone_names: pd.Series, *, groups: Sequence[str], lang: str
) -> list[str]:
    """One escaped tooltip per unserved area: rank, localidad and people per group."""
    tips = []
    for _, row in areas.iterrows():
        parts = [f"<strong>{safe.text(t('unserved_area_n', lang, rank=int(row['rank'])))}</strong>"]
        if "zone" in areas:
            parts.append(safe.text(zone_names.get(row["zone"], row["zone"])))
        parts += [
            f"{safe.text(label('populations', g, lang))}: {fmt.integer(row[g], lang)}"
            for g in groups
            if g in areas
        ]
        parts.append(f"{fmt.number(row['area_km2'], lang, digits=2)} km²")
        tips.append("<br>".join(parts))
    return tips


def how_text(result, *, minutes: float, profile: str, lang: str, cells: gpd.GeoDataFrame) -> str:
    """The "How was this computed?" text: formulas, parameters, data dates and precision."""
    walker = profiles.PROFILES[profile]
    radius = profiles.reach_m(minutes, profile=profile)
    model = cells.attrs.get("explain", {}).get(lang) or demand_grid.SAMPLE_MODEL.explain(lang)
    lines = [
        t(
            "how_reach",
            lang,
            minutes=f"{minutes:g}",
            speed=f"{walker.speed_kmh:g}",
            detour=f"{profiles.DEFAULT_DETOUR:g}",
            metres=fmt.integer(radius, lang),
        ),
        t("how_speed_source", lang, source=walker.source),
        t("how_coverage", lang),
        t("how_2sfca", lang),
        t("how_e2sfca", lang),
        t("how_simultaneity", lang),
        t("how_unserved", lang, cell=fmt.integer(demand_grid.grid_frame(cells).cell_m, lang)),
        t("how_capacity", lang),
        t("how_demand", lang),
        *model,
        t("how_precision", lang),
    ]
    return "\n\n".join(safe.markdown(line) for line in lines)
