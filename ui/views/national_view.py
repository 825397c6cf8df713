"""The National runs page: finished Dask runs read back, drawn and listed; the sample run.

A national run (:func:`geo.scale.run_gaps`) is made from the command line, where it
can take hours, and leaves a folder in ``Settings.results_dir``; this page only
reads those folders (:func:`geo.scale.read_run`, cached on the path and the time
``summary.json`` was written), so nothing heavy happens on a rerun.

The bundled sample can also be run from the page: the command line
``python -m geo gaps --engine dask --demand sample ...`` runs in a process of its
own group, started from a :class:`ui.jobs.Job` (so cancelling the job ends the
command and its Dask workers, and removes what it had written). The page polls the
command's log for its progress and its Dask dashboard link.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import streamlit as st
from streamlit_folium import st_folium

from geo import profiles, scale
from geo.demand import SAMPLE_MODEL
from geo.errors import LayerError
from geo.settings import Settings, get_settings
from ui import jobs, state
from ui.components import download, kept_choice
from ui.i18n import label, t, tn
from ui.render import fmt, offline, raster, safe
from ui.render.export import csv_bytes
from ui.render.map_view import ColourBar, OnlineTiles, base_map, bounds_of

log = logging.getLogger(__name__)

PAGE = "national"
PROJECT = Path(__file__).resolve().parents[2]
SAMPLE_SERVICES = "data/care_blocks.geojson"
MAP_LIMIT = 500
TABLE_LIMIT = 1_000
RUN_PARAM = "run"
RUN_KEEP = "nat_run"
JOB_KEY = "_nat_job"
OUTCOME_KEY = "_nat_job_outcome"
# more people out of reach = darker (viridis reversed): the largest areas stand out on white
COLOURS = tuple(reversed(raster.VIRIDIS))
STAGES = ("pass 1/2", "pass 2/2", "median 2/4", "median 3/4", "median 4/4")
_PROGRESS = re.compile(r"^(?P<stage>\S.*?)\s+\[[#.]*\]\s+(?P<done>\d+)/(?P<total>\d+)\s")
_DASHBOARD = re.compile(r"^Dask dashboard: (?P<url>https?://[^\s\"'<>()\[\]]+)\s*$")
_CLI_ERROR = "python -m geo: error:"
_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b:?.*")


# ----------------------------------------------------------------------------- runs


def runs(results_dir: Path) -> list[Path]:
    """Finished run folders, newest first (none when the folder does not exist)."""
    return scale.list_runs(results_dir)


def summary_mtime(path: Path) -> float:
    """When the run's ``summary.json`` was written (0 when it is gone): the cache key."""
    try:
        return (path / "summary.json").stat().st_mtime
    except OSError:
        return 0.0


@st.cache_data(max_entries=256, show_spinner=False)
def _run_cells(path: str, mtime: float) -> int | None:
    """The run's number of cells, from its headline only (``None`` when unreadable)."""
    try:
        summary = json.loads((Path(path) / "summary.json").read_text(encoding="utf-8"))
        return int(summary["headline"]["n_cells"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def run_option(path: Path, *, lang: str) -> str:
    """How a run is listed: name, date and number of cells."""
    mtime = summary_mtime(path)
    date = dt.datetime.fromtimestamp(mtime).strftime("%Y-%m-%d %H:%M") if mtime else "?"
    cells = _run_cells(str(path), mtime)
    if cells is None:
        return t("nat_run_option_damaged", lang, name=path.name, date=date)
    return t("nat_run_option", lang, name=path.name, date=date, cells=fmt.integer(cells, lang))


@st.cache_data(max_entries=8, show_spinner=False)
def _load(path: str, mtime: float) -> tuple[scale.RunSummary | None, str]:
    try:
        return scale.read_run(path), ""
    except LayerError as exc:
        return None, str(exc)


def load(path: Path) -> tuple[scale.RunSummary | None, str]:
    """The run read back, or ``None`` and the reason (a damaged folder is not a crash)."""
    return _load(str(path), summary_mtime(path))


def select_run(name: str) -> None:
    """Make ``name`` the chosen run the next time the select box is drawn."""
    st.session_state[f"_keep_{RUN_KEEP}"] = name
    for key in [k for k in st.session_state if str(k).startswith(f"{RUN_KEEP}_")]:
        del st.session_state[key]


def pick_run(found: Sequence[Path], *, lang: str) -> Path:
    """The run select box (newest first; ``?run=`` in the URL picks one)."""
    by_name = {p.name: p for p in found}
    kept = f"_keep_{RUN_KEEP}"
    if kept not in st.session_state and st.query_params.get(RUN_PARAM) in by_name:
        st.session_state[kept] = st.query_params[RUN_PARAM]
    before = st.session_state.get(kept)
    name = kept_choice(
        t("nat_pick", lang),
        list(by_name),
        keep=RUN_KEEP,
        lang=lang,
        format_func=lambda n: run_option(by_name[n], lang=lang),
    )
    if before is not None and before != name:
        # another run may be in another country: let its map fit itself
        for param in ("lat", "lon", "z"):
            if param in st.query_params:
                del st.query_params[param]
    st.query_params[RUN_PARAM] = name
    return by_name[name]


# ----------------------------------------------------------------------------- figures


def group_label(group: str, lang: str) -> str:
    """A population group as people read it."""
    return t("nat_total", lang) if group == "total" else label("populations", group, lang)


def model_text(headline: Mapping[str, Any], lang: str) -> str:
    """The modelled-demand warning in ``lang`` (Markdown, data text escaped); ``""`` without one.

    The note is recorded in English with the run; the bundled sample's note is known
    in both languages, any other is shown as recorded.
    """
    note = str(headline.get("model") or "").strip()
    if not note:
        return ""
    if note == SAMPLE_MODEL.note["en"]:
        return safe.markdown(SAMPLE_MODEL.note[lang])
    atlas_note = _data_model_note()
    if atlas_note and note == atlas_note.get("en"):
        return safe.markdown(atlas_note[lang])
    return t("nat_model_recorded", lang, note=safe.markdown(note))


def parameters_text(headline: Mapping[str, Any], lang: str) -> str:
    """One line with the run's parameters."""
    walker = profiles.PROFILES.get(str(headline.get("profile", "")))
    profile = getattr(walker, f"label_{lang}") if walker else str(headline.get("profile", "?"))
    return t(
        "nat_params",
        lang,
        minutes=f"{float(headline.get('minutes', 0)):g}",
        profile=profile,
        radius=fmt.integer(float(headline.get("radius_m", 0)), lang),
        cell=f"{float(headline.get('cell_m', 0)):g}",
        crs=headline.get("crs", "?"),
        workers=headline.get("workers", "?"),
        partitions=headline.get("n_partitions", "?"),
        seconds=fmt.number(float(headline.get("seconds", 0)), lang, digits=1),
    )


def provenance_table(summary: scale.RunSummary, *, lang: str) -> pd.DataFrame:
    """Where the demand comes from (source, licence, date, precision, model) and timings."""
    demand = summary.demand or {}
    prov = demand.get("provenance") or {}
    rows = [
        (t("source", lang), prov.get("source", "")),
        (t("licence", lang), prov.get("licence", "")),
        (t("date", lang), prov.get("date", "")),
        (t("nat_precision", lang), prov.get("precision", "")),
        (t("nat_model", lang), prov.get("model", "") or summary.headline.get("model", "")),
        (t("nat_demand_path", lang), demand.get("path", "")),
        (t("nat_engine", lang), summary.headline.get("engine", "")),
    ]
    stages = summary.headline.get("stage_seconds") or {}
    if stages:
        rows.append(
            (
                t("nat_stage_seconds", lang),
                " · ".join(
                    f"{k} {fmt.number(float(v), lang, digits=1)} s" for k, v in stages.items()
                ),
            )
        )
    return pd.DataFrame(
        [(k, str(v)) for k, v in rows if str(v)], columns=[t("field", lang), t("value", lang)]
    )


def coverage_table(coverage: pd.DataFrame, *, lang: str) -> pd.DataFrame:
    """People within reach per group, translated."""
    return pd.DataFrame(
        {
            t("col_group", lang): [group_label(g, lang) for g in coverage.index],
            t("col_population", lang): coverage["population"].round(0).to_numpy(),
            t("col_within_reach", lang): coverage["covered"].round(0).to_numpy(),
            t("col_unserved", lang): coverage["unserved"].round(0).to_numpy(),
            t("col_pct_within", lang): coverage["pct_covered"].round(1).to_numpy(),
        }
    )


def run_groups(summary: scale.RunSummary) -> list[str]:
    """The population groups of the run (the columns of its areas)."""
    return [g for g in summary.coverage.index if g in summary.areas.columns]


def zone_column(summary: scale.RunSummary) -> str | None:
    """The zone column of the areas, when the run was split by zones."""
    zone_col = (summary.demand or {}).get("zone_col")
    return zone_col if zone_col and zone_col in summary.areas.columns else None


def areas_table(
    areas: pd.DataFrame, *, groups: Sequence[str], zone_col: str | None, lang: str
) -> pd.DataFrame:
    """Ranked unserved areas, translated: rank, zone, cells, km², people per group and in all."""
    table = pd.DataFrame({t("col_rank", lang): areas["rank"].to_numpy()})
    if zone_col:
        table[t("nat_col_zone", lang)] = areas[zone_col].astype("string").fillna("").to_numpy()
    table[t("nat_col_cells", lang)] = areas["n_cells"].to_numpy()
    table[t("col_area_km2", lang)] = areas["area_km2"].round(2).to_numpy()
    for group in groups:
        table[group_label(group, lang)] = areas[group].round(0).to_numpy()
    table[t("nat_col_people", lang)] = areas[list(groups)].sum(axis=1).round(0).to_numpy()
    return table


def zone_table(by_zone: pd.DataFrame, *, groups: Sequence[str], lang: str) -> pd.DataFrame:
    """Coverage per zone: per group the % within reach and the people out of reach."""
    table = pd.DataFrame(
        {t("nat_col_zone", lang): by_zone.index.astype("string").fillna("").to_numpy()}
    )
    for group in groups:
        pct, pop, cov = f"{group}_pct", f"{group}_population", f"{group}_covered"
        if pct in by_zone:
            name = group_label(group, lang)
            table[f"{name}: {t('col_pct_within', lang)}"] = by_zone[pct].round(1).to_numpy()
            table[f"{name}: {t('col_unserved', lang)}"] = (
                (by_zone[pop] - by_zone[cov]).round(0).to_numpy()
            )
    return table


# ----------------------------------------------------------------------------- map


@dataclass(frozen=True)
class AreaLayer:
    """What the map draws: box features (GeoJSON, EPSG:4326) and the colour range."""

    geojson: dict[str, Any]
    low: float
    high: float
    fit: tuple[float, float, float, float] | None
    extent: gpd.GeoDataFrame | None


def colours_for(people: np.ndarray, low: float, high: float) -> list[str]:
    """Hex colours of ``people`` on a log scale from ``low`` to ``high``."""
    table = raster.lut(COLOURS)
    lo, hi = np.log10(max(low, 1.0)), np.log10(max(high, 1.0))
    span = hi - lo if hi > lo else 1.0
    share = np.clip((np.log10(np.maximum(people, 1.0)) - lo) / span, 0.0, 1.0)
    index = np.round(share * (len(table) - 1)).astype(int)
    return ["#{:02x}{:02x}{:02x}".format(*table[i]) for i in index]


def area_tip(row: Mapping[str, Any], *, groups: Sequence[str], zone_col: str | None, lang: str):
    """One escaped tooltip: rank, zone, cells and km², people per group and in all."""
    parts = [f"<strong>{safe.text(t('unserved_area_n', lang, rank=int(row['rank'])))}</strong>"]
    if zone_col:
        parts.append(f"{safe.text(t('nat_col_zone', lang))}: {safe.text(row[zone_col])}")
    parts.append(
        safe.text(
            tn(
                "nat_tip_cells",
                int(row["n_cells"]),
                lang,
                n=fmt.integer(int(row["n_cells"]), lang),
                km2=fmt.number(row["area_km2"], lang, digits=2),
            )
        )
    )
    parts += [
        f"{safe.text(group_label(g, lang))}: {fmt.integer(float(row[g]), lang)}" for g in groups
    ]
    people = sum(float(row[g]) for g in groups)
    parts.append(f"<b>{safe.text(t('nat_tip_people', lang, n=fmt.integer(people, lang)))}</b>")
    return "<br>".join(parts)


def grid_extent(demand: Mapping[str, Any]) -> gpd.GeoDataFrame | None:
    """The demand grid's outline (its frame), or ``None`` when the run does not record it."""
    grid = (demand or {}).get("grid") or {}
    try:
        x0, y_top, cell = float(grid["x0"]), float(grid["y_top"]), float(grid["cell_m"])
        box = shapely.box(
            x0, y_top - int(grid["n_rows"]) * cell, x0 + int(grid["n_cols"]) * cell, y_top
        )
        return gpd.GeoDataFrame(geometry=[box], crs=str(grid["crs"]))
    except (KeyError, TypeError, ValueError):
        return None


def area_layer(summary: scale.RunSummary, *, lang: str, limit: int = MAP_LIMIT) -> AreaLayer:
    """The first ``limit`` areas as boxes in EPSG:4326, coloured by people out of reach.

    Drawn from the last rank to the first, so the areas with most people are on top.
    """
    groups = run_groups(summary)
    zone_col = zone_column(summary)
    boxes = summary.area_boxes(limit)
    extent = grid_extent(summary.demand)
    if extent is not None:
        extent = extent.to_crs(4326)
    if boxes.empty:
        fit = bounds_of([extent]) if extent is not None else None
        return AreaLayer({"type": "FeatureCollection", "features": []}, 0.0, 1.0, fit, extent)
    people = boxes[groups].sum(axis=1).to_numpy(dtype=float)
    low, high = float(max(people.min(), 1.0)), float(max(people.max(), 1.0))
    colours = colours_for(people, low, high)
    shapes = json.loads(gpd.GeoSeries(boxes.geometry, crs=boxes.crs).to_crs(4326).to_json())
    features = []
    for feature, row, colour in zip(
        shapes["features"], boxes.drop(columns="geometry").to_dict("records"), colours, strict=True
    ):
        feature["properties"] = {
            "_tip": area_tip(row, groups=groups, zone_col=zone_col, lang=lang),
            "_colour": colour,
        }
        feature["id"] = f"area-{int(row['rank'])}"  # folium keys the styles on it
        features.append(feature)
    features.reverse()
    fit = bounds_of([boxes])
    return AreaLayer({"type": "FeatureCollection", "features": features}, low, high, fit, extent)


def _area_style(feature: Mapping[str, Any]) -> dict[str, Any]:
    colour = feature["properties"]["_colour"]
    return {"color": "#1f2937", "weight": 0.6, "fillColor": colour, "fillOpacity": 0.55}


def areas_group(layer: AreaLayer, *, lang: str) -> folium.FeatureGroup:
    """The boxes as one feature group, with the colour bar that explains them."""
    group = folium.FeatureGroup(name=safe.text(t("unserved_areas", lang)), show=True)
    if layer.geojson["features"]:
        folium.GeoJson(
            layer.geojson,
            style_function=_area_style,
            highlight_function=lambda _f: {"weight": 2.5, "color": "#000000"},
            tooltip=folium.GeoJsonTooltip(fields=["_tip"], labels=False, sticky=True),
        ).add_to(group)
        ColourBar(
            title=t("nat_bar_title", lang),
            unit=t("nat_bar_unit", lang),
            low=fmt.integer(layer.low, lang),
            high=fmt.integer(layer.high, lang),
            gradient=raster.css_gradient(COLOURS),
        ).add_to(group)
    for n, node in enumerate(offline.walk(group)):  # stable ids: no redraw on a rerun
        node._id = f"national{n}"
    return group


def build_map(layer: AreaLayer, *, lang: str, settings: Settings, view) -> folium.Map:
    """The base map: the grid's extent as background, its legend, fitted to the boxes."""
    return base_map(
        view=view,
        lang=lang,
        boundaries=[layer.extent] if layer.extent is not None else [],
        legend_kinds=[],
        boundary_label="nat_legend_extent",
        fit=layer.fit,
        basemap=OnlineTiles.background(settings),
    )


@st.cache_data(max_entries=16, show_spinner=False)
def _area_layer(path: str, mtime: float, lang: str, limit: int) -> AreaLayer:
    summary, error = _load(path, mtime)
    if summary is None:
        raise LayerError(error)
    return area_layer(summary, lang=lang, limit=limit)


def draw_map(summary: scale.RunSummary, *, lang: str, limit: int = MAP_LIMIT) -> None:
    """The map of the first ``limit`` areas; panning and zooming never rerun the page."""
    settings = get_settings()
    layer = _area_layer(str(summary.path), summary_mtime(summary.path), lang, limit)
    shown = min(limit, len(summary.areas))
    st.subheader(tn("nat_map_title", shown, lang, n=fmt.integer(shown, lang)))
    st.caption(t("nat_map_note", lang))
    if not shown:
        st.info(t("nat_no_areas", lang))
    run_id = hashlib.sha1(str(summary.path).encode("utf-8")).hexdigest()[:10]  # noqa: S324
    view = state.initial_view(f"{PAGE}_{run_id}_{lang}", None)
    base = build_map(layer, lang=lang, settings=settings, view=view)
    group = areas_group(layer, lang=lang)
    for element in (base, group):
        offline.localize(element, static_url=settings.static_url)
    st_folium(
        base,
        key=f"{PAGE}_map_{run_id}_{lang}",
        height=560,
        use_container_width=True,
        returned_objects=[],
        feature_group_to_add=[group],
    )


# ----------------------------------------------------------------------------- page parts


def no_runs(*, lang: str) -> None:
    """No run yet: what a run is and the exact commands that make one."""
    st.info(t("nat_none", lang))
    st.code(commands(lang=lang), language="bash")


RESULTS_DIR_SHELL = '"${CARE_ATLAS_RESULTS_DIR:-var/runs}"'
"""The results folder in the commands shown: the variable, never the server's path."""


def commands(*, lang: str) -> str:
    """The commands that make a run in the results folder (the sample, then a synthetic country).

    The folder is written as ``$CARE_ATLAS_RESULTS_DIR`` (default ``var/runs`` in the
    project): every visitor reads these commands, and the server's paths are not theirs.
    """
    out = RESULTS_DIR_SHELL
    return "\n".join(
        [
            t("nat_cmd_sample", lang),
            f"mkdir -p {out}",
            "python -m geo gaps --engine dask --demand sample \\",
            f"    --services {SAMPLE_SERVICES} --minutes 15 --out {out}/sample",
            "",
            t("nat_cmd_country", lang),
            "python -m geo grid --synthetic 10000000 --out var/grids/country \\",
            "    --services-out var/grids/country-services.gpkg",
            "python -m geo gaps --engine dask --demand var/grids/country \\",
            "    --services var/grids/country-services.gpkg --minutes 15 \\",
            f"    --out {out}/country",
        ]
    )


def headline(summary: scale.RunSummary, *, lang: str) -> None:
    """The run's figures, its modelled-demand warning and its parameters."""
    h = summary.headline
    note = model_text(h, lang)
    if note:
        st.warning(note, icon="⚠️")
    cols = st.columns(4)
    cols[0].metric(
        t("nat_m_cells", lang),
        fmt.integer(int(h.get("n_cells", 0)), lang),
        help=t(
            "nat_m_cells_help",
            lang,
            cell=f"{float(h.get('cell_m', 0)):g}",
            parts=fmt.integer(int(h.get("n_partitions", 0)), lang),
        ),
    )
    cols[1].metric(t("nat_m_services", lang), fmt.integer(int(h.get("n_services", 0)), lang))
    cols[2].metric(
        t("unserved_areas", lang),
        fmt.integer(int(h.get("n_unserved_areas", 0)), lang),
        help=t("nat_m_areas_help", lang),
    )
    cols[3].metric(
        t("nat_m_largest", lang),
        fmt.number(float(h.get("largest_unserved_km2", 0.0)), lang, digits=1),
        help=t(
            "nat_m_largest_help",
            lang,
            people=fmt.integer(float(h.get("largest_unserved_people", 0.0)), lang),
        ),
    )
    groups = h.get("groups") or {}
    if groups:
        st.markdown(f"**{t('nat_m_groups', lang)}**")
        group_cols = st.columns(max(len(groups), 4))
        for col, (group, figures) in zip(group_cols, groups.items(), strict=False):
            col.metric(
                group_label(group, lang),
                fmt.integer(float(figures["unserved"]), lang),
                help=t(
                    "nat_m_group_help",
                    lang,
                    pct=fmt.number(float(figures["pct_covered"]), lang, digits=1),
                    population=fmt.integer(float(figures["population"]), lang),
                ),
            )
    if "simultaneity_share" in h:
        st.caption(
            t(
                "simultaneity_line",
                lang,
                pct=fmt.integer(100 * float(h["simultaneity_share"]), lang),
            )
        )
    st.caption(parameters_text(h, lang))
    with st.expander(t("nat_provenance", lang)):
        st.dataframe(provenance_table(summary, lang=lang), hide_index=True, width="stretch")


def tables(summary: scale.RunSummary, *, lang: str) -> None:
    """Coverage per group, the ranked areas and the zones, each with its CSV."""
    groups = run_groups(summary)
    zone_col = zone_column(summary)
    tab_groups, tab_areas, tab_zones = st.tabs(
        [t("tab_groups", lang), t("unserved_areas", lang), t("nat_tab_zones", lang)]
    )
    with tab_groups:
        table = coverage_table(summary.coverage, lang=lang)
        st.dataframe(table, hide_index=True, width="stretch")
        _csv_button(lambda: csv_bytes(table), name=f"{summary.name}-coverage", lang=lang)
    with tab_areas:
        areas = summary.areas
        if len(areas) > TABLE_LIMIT:
            st.caption(
                t(
                    "nat_areas_shown",
                    lang,
                    shown=fmt.integer(TABLE_LIMIT, lang),
                    total=fmt.integer(len(areas), lang),
                )
            )
        shown = areas_table(areas.head(TABLE_LIMIT), groups=groups, zone_col=zone_col, lang=lang)
        st.dataframe(shown, hide_index=True, width="stretch")
        _csv_button(
            lambda: csv_bytes(areas_table(areas, groups=groups, zone_col=zone_col, lang=lang)),
            name=f"{summary.name}-unserved-areas",
            lang=lang,
        )
    with tab_zones:
        if summary.by_zone is None:
            st.caption(t("nat_no_zones", lang))
        else:
            table_z = zone_table(summary.by_zone, groups=groups, lang=lang)
            st.dataframe(table_z, hide_index=True, width="stretch")
            _csv_button(lambda: csv_bytes(table_z), name=f"{summary.name}-by-zone", lang=lang)


def _csv_button(data, *, name: str, lang: str) -> None:
    safe_name = re.sub(r"[^\w.-]+", "_", name)
    download(st, t("download_csv", lang), data, f"{safe_name}.csv", key=f"{PAGE}_csv_{safe_name}")


# ----------------------------------------------------------------------------- sample run


@dataclass(frozen=True)
class Progress:
    """What the command's log says so far."""

    stage: str
    done: int
    total: int
    share: float
    dashboard: str


def read_progress(log_text: str) -> Progress:
    """The last progress line and the dashboard link in the command's log."""
    stage, done, total, dashboard = "", 0, 0, ""
    for line in log_text.splitlines():
        if found := _PROGRESS.match(line):
            stage, done, total = found["stage"], int(found["done"]), int(found["total"])
        elif found := _DASHBOARD.match(line):
            dashboard = found["url"]
    share = 0.0
    if stage in STAGES and total:
        share = (STAGES.index(stage) + done / total) / len(STAGES)
    return Progress(stage, done, total, min(share, 1.0), dashboard)


def stage_label(stage: str, lang: str) -> str:
    """A progress stage of :mod:`geo.scale` in ``lang``."""
    if stage == "pass 1/2":
        return t("nat_stage_pass1", lang)
    if stage == "pass 2/2":
        return t("nat_stage_pass2", lang)
    if stage.startswith("median"):
        return f"{t('nat_stage_median', lang)} {stage.split()[-1]}"
    if stage == "grid":
        return t("nat_stage_grid", lang)
    return stage


def without_results_dir(message: str, results_dir: Path) -> str:
    """Hide the results folder's path in ``message``.

    The path is written as ``$CARE_ATLAS_RESULTS_DIR``: every visitor may read the
    message, and the server's paths are the operator's.
    """
    return message.replace(str(results_dir), "$CARE_ATLAS_RESULTS_DIR")


def error_line(log_text: str, returncode: int) -> str:
    """The one line that says why the command failed (never a traceback)."""
    lines = [line.strip() for line in log_text.splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith(_CLI_ERROR):
            return line[len(_CLI_ERROR) :].strip()
    for line in reversed(lines):
        if _EXCEPTION.match(line) and not line.startswith(("INFO", "WARNING")):
            return line
    return f"python -m geo ended with exit code {returncode}"


def _data_model_note() -> dict[str, str] | None:
    """The es/en note of the configured data folder's demand model (an atlas), if any."""
    from ui import loaders

    try:
        registry = loaders.registry()
    except LayerError:
        return None
    ids = registry.ids(kind="demand")
    model = registry[ids[0]].model if ids else None
    if not model:
        return None
    return dict(model.get("note") or {}) or None


def sample_services() -> Path:
    """The services file of the configured data: the atlas's services, else the care blocks."""
    from ui import loaders

    settings_dir = loaders.registry().data_dir
    registry = loaders.registry()
    for kind in ("service", "care_block"):
        ids = registry.ids(kind=kind, region="bogota")
        if ids:
            return settings_dir / registry[ids[0]].file
    return PROJECT / SAMPLE_SERVICES


def sample_argv(*, minutes: float, out: Path) -> list[str]:
    """The ``python -m geo`` arguments that run the data folder's demand on Dask into ``out``.

    ``--demand sample`` is the demand of the configured data folder: the bundled sample's
    modelled grid, or an atlas's dasymetric grid (:func:`geo.gaps.demand_grid`).
    """
    return [
        "gaps",
        "--engine",
        "dask",
        "--demand",
        "sample",
        "--services",
        str(sample_services()),
        "--minutes",
        f"{minutes:g}",
        "--out",
        str(out),
    ]


def _remove_partial(out: Path, before: set[str]) -> None:
    """Remove what a stopped or failed run left: its folder, the demand grid it was writing."""
    if out.is_dir() and not (out / "summary.json").is_file():
        shutil.rmtree(out, ignore_errors=True)
    parent = out.parent
    with contextlib.suppress(OSError):
        for folder in parent.iterdir():
            # the CLI partitions the sample into a TemporaryDirectory beside --out
            if (
                folder.name not in before
                and folder.name.startswith("tmp")
                and folder.is_dir()
                and (not any(folder.iterdir()) or (folder / "demand").is_dir())
            ):
                shutil.rmtree(folder, ignore_errors=True)


def run_cli(argv: Sequence[str], *, out: str, log: str) -> dict[str, Any]:
    """In the job's own process: run ``python -m geo *argv``, its output into ``log``.

    The command runs in a new process group with its Dask workers; when the job is
    stopped (SIGTERM, :meth:`ui.jobs.Job.cancel`) the whole group is killed and the
    partial output removed. Returns ``{"ok": True, "out", "seconds"}`` or
    ``{"ok": False, "error"}`` with the one line that says why.
    """
    target = Path(out)
    before = {p.name for p in target.parent.iterdir()} if target.parent.is_dir() else set()
    started = time.monotonic()
    process: subprocess.Popen | None = None
    stopping = False

    def end_now() -> None:
        if process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)  # the command and its Dask workers
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=2)
        _remove_partial(target, before)
        raise SystemExit(128 + signal.SIGTERM)

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        if process is not None:
            end_now()

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, stop) if main else None  # handlers: main thread only
    try:
        with open(log, "w", encoding="utf-8") as handle:
            process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
                [sys.executable, "-m", "geo", *argv],
                cwd=PROJECT,
                stdout=handle,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        if stopping:  # stopped while the command was starting
            end_now()
        code = process.wait()
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
    if code != 0 or not (target / "summary.json").is_file():
        _remove_partial(target, before)
        text = Path(log).read_text(encoding="utf-8", errors="replace")
        return {"ok": False, "error": error_line(text, code)}
    return {"ok": True, "out": str(target), "seconds": time.monotonic() - started}


def start_sample(settings: Settings, *, minutes: float) -> None:
    """Start the sample run in the background (one per session)."""
    results = settings.results_dir
    results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out, n = results / f"sample-{stamp}", 1
    while out.exists():
        n += 1
        out = results / f"sample-{stamp}-{n}"
    handle, log = tempfile.mkstemp(prefix="care-atlas-national-", suffix=".log")
    os.close(handle)
    job = jobs.Job(run_cli, sample_argv(minutes=minutes, out=out), out=str(out), log=log)
    st.session_state.pop(OUTCOME_KEY, None)
    st.session_state[JOB_KEY] = {"job": job, "log": log, "out": str(out)}


def _read_log(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 65_536))
            return handle.read()
    except OSError:
        return ""


def _finish(running: Mapping[str, Any], outcome: Any) -> None:
    """Keep what the sample run ended with (a failure: its last line) and drop its log."""
    if isinstance(outcome, jobs.JobFailedError):
        outcome = {"ok": False, "error": (str(outcome).strip().splitlines() or ["?"])[-1]}
    st.session_state.pop(JOB_KEY, None)
    with contextlib.suppress(OSError):
        os.remove(running["log"])
    st.session_state[OUTCOME_KEY] = outcome
    if outcome.get("ok"):
        select_run(Path(outcome["out"]).name)


@st.fragment(run_every=1.0)
def _poll(lang: str) -> None:
    """Progress of the sample run, its dashboard link and a cancel button."""
    job = jobs.poll(JOB_KEY, finish=_finish)
    if job is None:
        return
    running = st.session_state[JOB_KEY]
    progress = read_progress(_read_log(running["log"]))
    seconds = fmt.integer(job.elapsed, lang)
    text = (
        t(
            "nat_job_running",
            lang,
            stage=stage_label(progress.stage, lang),
            done=progress.done,
            total=progress.total,
            seconds=seconds,
        )
        if progress.stage
        else t("nat_job_starting", lang, seconds=seconds)
    )
    st.progress(progress.share, text=text)
    if progress.dashboard:
        st.link_button(
            t("nat_dashboard", lang),
            progress.dashboard,
            help=t("nat_dashboard_help", lang, url=progress.dashboard),
        )
    jobs.cancel_button(
        JOB_KEY,
        t("nat_job_cancel", lang),
        button_key=f"{PAGE}_cancel",
        finish=lambda running: _finish(running, {"ok": False, "cancelled": True}),
    )


def sample_runner(settings: Settings, *, lang: str) -> None:
    """Sidebar: run the bundled sample on Dask, with progress, dashboard link and cancel."""
    with st.sidebar:
        st.header(t("nat_sample_header", lang))
        st.caption(t("nat_sample_help", lang))
        minutes = st.slider(t("walk_minutes", lang), 5, 60, 15, step=5, key=f"{PAGE}_minutes")
        if st.session_state.get(JOB_KEY) is not None:
            _poll(lang)
        elif st.button(t("nat_sample_run", lang), key=f"{PAGE}_sample", type="primary"):
            start_sample(settings, minutes=minutes)
            st.rerun()
        outcome = st.session_state.get(OUTCOME_KEY)
        if outcome is None:
            return
        if outcome.get("ok"):
            st.success(
                t(
                    "nat_job_done",
                    lang,
                    name=safe.markdown(Path(outcome["out"]).name),
                    seconds=fmt.integer(outcome["seconds"], lang),
                )
            )
        elif outcome.get("cancelled"):
            st.info(t("nat_job_cancelled", lang))
        else:
            shown = without_results_dir(outcome["error"], settings.results_dir)
            st.error(t("nat_job_failed", lang, error=safe.markdown(shown)))


# ----------------------------------------------------------------------------- the page


def render(lang: str) -> None:
    """The National runs page's body, below the shared frame (``app_pages/national.py``)."""
    settings = get_settings()
    st.title(t("nat_title", lang))
    st.caption(t("nat_intro", lang))
    sample_runner(settings, lang=lang)

    found = runs(settings.results_dir)
    st.caption(t("nat_runs_dir", lang))  # the folder's path is the operator's, not the visitor's
    if not found:
        no_runs(lang=lang)
        st.stop()

    chosen = pick_run(found, lang=lang)
    summary, error = load(chosen)
    if summary is None:
        log.error("run %s cannot be read: %s", chosen, error)
        st.error(t("nat_damaged", lang, name=safe.markdown(chosen.name)), icon="⚠️")
        st.stop()

    headline(summary, lang=lang)
    draw_map(summary, lang=lang)
    tables(summary, lang=lang)
