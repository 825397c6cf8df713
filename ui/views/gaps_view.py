"""The Gaps page.

Who is within a walk of care, who is not, and how much care each place
can count on (the page script in ``app_pages/gaps.py`` draws the frame and calls
:func:`render`).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import profiles
from geo.demand import CELL_M
from geo.gaps import GapsResult
from geo.params import GapsParams, WalkParams
from ui import frame, loaders, state
from ui.components import (
    CareMap,
    analysis_inputs,
    coverage_metric,
    download_buttons,
    map_and_panel,
    page_map,
    supply_map_layers,
)
from ui.filters import care_service_choice, group_choice
from ui.i18n import t
from ui.render import fmt, gaps_display, safe
from ui.render.map_view import BOGOTA_VIEW, areas_group, catchment_group, surface_group
from ui.view_state import GapsState
from ui.views import present_view

PAGE = "gaps"


@dataclass(frozen=True)
class _Controls:
    """What the sidebar asks for."""

    groups: list[str]
    codes: list[str]
    minutes: int
    profile: str
    measure: str
    mode: str

    @property
    def radius_m(self) -> float:
        return profiles.reach_m(self.minutes, profile=self.profile)

    def params(self) -> GapsParams:
        return GapsParams(
            service_codes=tuple(self.codes),
            walk=WalkParams(minutes=self.minutes, profile=self.profile, mode=self.mode),
            groups=tuple(self.groups),
            cell_m=CELL_M,
        )


def render(lang: str) -> None:
    """The page body, below the shared frame."""
    st.title(t("gaps_title", lang))
    st.caption(t("gaps_intro", lang))

    frames, cells = analysis_inputs(lang=lang, cell_m=CELL_M)
    # the view a copied link describes: the widgets start from it (unless already set)
    url = GapsState.from_query(state.url_params())
    with st.sidebar:
        chosen, network_error = _controls(url, lang=lang)
    if network_error:
        st.error(safe.markdown(network_error))

    gaps_params = chosen.params()
    result = loaders.gap_analysis(gaps_params)
    straight = loaders.straight_coverage(gaps_params) if chosen.mode == "network" else None
    services = loaders.supply(tuple(chosen.codes))
    _fallback_warning(result, chosen.mode, lang=lang)
    _headline(result, straight, chosen.groups, lang=lang)

    zone_names = frames["localidades"].set_index("code")["name"]
    shown_state = _map(result, services, gaps_params, chosen, frames, zone_names, lang=lang)
    _tabs(result, gaps_params, chosen, zone_names, cells, lang=lang)
    present_view.add_view_box(PAGE, shown_state, lang=lang)


def _url_select(
    label_text: str, options: list[str], *, keep: str, value: str, lang: str, format_func
):
    """A selectbox that starts from the URL's ``value`` and keeps its choice (per language)."""
    key = f"{keep}_{lang}"
    state.restore_value(key, keep=keep, url_value=value, default=options[0])
    st.selectbox(label_text, options, format_func=format_func, key=key)
    return state.keep_value(key, keep=keep)


def _controls(url: GapsState, *, lang: str) -> tuple[_Controls, str | None]:
    """The sidebar: groups, services, minutes, profile, measure, distance."""
    st.header(t("gaps_controls", lang))
    groups = group_choice(keep="gaps_groups", lang=lang, param="grp")
    codes = care_service_choice(
        loaders.offered_services(), keep="gaps_services", lang=lang, param="svc"
    )
    state.restore_value("gaps_minutes", keep="gaps_minutes", url_value=url.minutes, default=15)
    st.slider(t("walk_minutes", lang), 5, 60, step=5, key="gaps_minutes")
    minutes = int(state.keep_value("gaps_minutes", keep="gaps_minutes"))
    profile = _url_select(
        t("walk_profile", lang),
        list(profiles.PROFILES),
        keep="gaps_profile",
        value=url.profile,
        lang=lang,
        format_func=lambda p: getattr(profiles.PROFILES[p], f"label_{lang}"),
    )
    measure = _url_select(
        t("gaps_measure", lang),
        list(gaps_display.MEASURES),
        keep="gaps_measure",
        value=url.measure,
        lang=lang,
        format_func=lambda m: t(f"measure_{m}", lang),
    )
    radius = profiles.reach_m(minutes, profile=profile)
    st.caption(t("walk_radius", lang, metres=fmt.integer(radius, lang)))
    network, network_error = loaders.street_network()
    state.restore_value(
        f"gaps_distance_{lang}", keep="gaps_distance", url_value=url.distance, default="straight"
    )
    mode = st.radio(
        t("gaps_distance", lang),
        ["straight", "network"],
        format_func=lambda m: t(f"gaps_distance_{m}", lang),
        key=f"gaps_distance_{lang}",
        disabled=network is None,
    )
    state.keep_value(f"gaps_distance_{lang}", keep="gaps_distance")
    if network is None:
        st.caption(t("gaps_no_network", lang))
        mode = "straight"
    else:
        st.caption(
            t(
                "gaps_network_loaded",
                lang,
                nodes=fmt.integer(network.n_nodes, lang),
                source=network.source,
            )
        )
    if mode == "network":
        st.caption(
            t("walk_streets", lang, metres=fmt.integer(loaders.walk_m(minutes, profile), lang))
        )
    chosen = _Controls(groups, codes, minutes, profile, measure, mode)
    return chosen, network_error


def _fallback_warning(result: GapsResult, mode: str, *, lang: str) -> None:
    """Say how many people were counted in a straight line where the streets did not reach."""
    fallback_cells = int(result.headline.get("n_cells_straight", 0) or 0)
    if mode == "network" and fallback_cells:
        st.warning(
            t(
                "gaps_straight_fallback",
                lang,
                pct=f"{100 * float(result.headline.get('people_straight_share', 0.0)):.0f}",
                people=f"{float(result.headline.get('people_straight', 0.0)):,.0f}",
                cells=fmt.integer(fallback_cells, lang),
            )
        )


def _headline(
    result: GapsResult, straight: pd.DataFrame | None, groups: list[str], *, lang: str
) -> None:
    """Headline figures: each group within reach, the people out of reach, places per person."""
    totals = result.coverage.loc[[g for g in groups if g in result.coverage.index]]
    cols = st.columns(len(totals) + 1)
    for col, (group, row) in zip(cols, totals.iterrows(), strict=False):
        coverage_metric(
            col,
            group,
            row,
            shown=f"{fmt.integer(row['pct_covered'], lang)} %",
            delta=(
                t(
                    "gaps_vs_straight",
                    lang,
                    points=f"{row['pct_covered'] - straight.loc[group, 'pct_covered']:+.0f}",
                )
                if straight is not None
                else None
            ),
            delta_color="off",
            lang=lang,
        )
    cols[-1].metric(
        t("metric_unserved_short", lang),
        fmt.integer(totals["unserved"].sum(), lang),
        help=t("metric_unserved_help", lang),
    )
    # the 2SFCA figure in words, beside the simultaneity line (a metric would cut it)
    lines = []
    per_1000 = float(result.headline.get("access_median_covered_per_1000", 0.0))
    if per_1000 > 0:
        lines.append(
            t(
                "gaps_people_per_place",
                lang,
                n=fmt.integer(1000 / per_1000, lang),
                per_1000=fmt.number(per_1000, lang, digits=3),
            )
        )
    if "simultaneity_share" in result.headline:
        lines.append(
            t(
                "simultaneity_line",
                lang,
                pct=fmt.integer(100 * result.headline["simultaneity_share"], lang),
            )
        )
    if lines:
        st.caption(
            " · ".join(lines),
            help=t("metric_places_help", lang, per_1000=fmt.number(per_1000, lang, digits=3)),
        )


def _map(
    result: GapsResult,
    services: gpd.GeoDataFrame,
    gaps_params: GapsParams,
    chosen: _Controls,
    frames: dict[str, gpd.GeoDataFrame],
    zone_names: pd.Series,
    *,
    lang: str,
) -> GapsState:
    """Map: surface, catchments, unserved areas, services on top; returns the view shown."""
    shown = gaps_display.surface(
        result.demand,
        chosen.measure,
        groups=chosen.groups,
        minutes=chosen.minutes,
        lang=lang,
        e2sfca=loaders.e2sfca(gaps_params) if chosen.measure == "e2sfca" else None,
    )
    image = gaps_display.overlay(result.demand, shown)
    bar = gaps_display.colour_bar(shown)
    areas = result.unserved_areas.head(25)
    under = [
        surface_group(image, name=t(f"measure_{chosen.measure}", lang), colour_bar=bar),
        catchment_group(
            loaders.network_catchments(
                loaders.points_key(services), loaders.walk_m(chosen.minutes, chosen.profile)
            )
            if chosen.mode == "network"
            else loaders.supply_catchments(tuple(chosen.codes), chosen.radius_m),
            name=t("catchments", lang),
        ),
        areas_group(
            areas,
            name=t("unserved_areas", lang),
            tooltips=gaps_display.area_tooltips(areas, zone_names, groups=chosen.groups, lang=lang),
        ),
    ]
    layers = supply_map_layers(services)
    view = state.initial_view(f"{PAGE}_{lang}", BOGOTA_VIEW)
    # One view state for the URL and "Add this view to a story" (which reads the slides)
    shown_state = GapsState(
        groups=tuple(chosen.groups),
        services=tuple(chosen.codes),
        minutes=int(chosen.minutes),
        profile=chosen.profile,
        measure=chosen.measure,
        distance=chosen.mode,
        view=view,
        selected=state.selection(PAGE),
    )
    state.mirror_params(shown_state.to_query(), owned=GapsState.QUERY_KEYS)
    base = page_map(
        view=view,
        lang=lang,
        boundary_label=frame.boundary_label(),
        boundaries=[frames["localidades"]],
        legend_kinds=[layer.spec.kind for layer in layers],
    )
    map_and_panel(CareMap(PAGE, base, layers, under=under), lang=lang)
    return shown_state


def _tabs(
    result: GapsResult,
    gaps_params: GapsParams,
    chosen: _Controls,
    zone_names: pd.Series,
    cells: gpd.GeoDataFrame,
    *,
    lang: str,
) -> None:
    """The tables (groups, unserved areas, localidades, UPZ) and how it is computed."""
    groups = chosen.groups
    by_upz = loaders.upz_coverage(gaps_params)
    tab_names = [t("tab_groups", lang), t("unserved_areas", lang), t("tab_zones", lang)]
    tab_names += [t("tab_upz", lang)] if by_upz is not None else []
    tab_groups, tab_areas, tab_zones, *tab_upz, tab_how = st.tabs(
        [*tab_names, t("how_title", lang)]
    )
    with tab_groups:
        table = gaps_display.coverage_table(result.coverage, groups=groups, lang=lang)
        st.dataframe(table, hide_index=True, width="stretch")
    with tab_areas:
        table = gaps_display.areas_table(
            result.unserved_areas, zone_names, groups=groups, lang=lang
        )
        st.dataframe(table, hide_index=True, width="stretch")
        download_buttons(
            table, result.unserved_areas, name="unserved_areas", lang=lang, key="areas"
        )
    with tab_zones:
        table = gaps_display.zone_table(result.by_zone, zone_names, groups=groups, lang=lang)
        st.dataframe(table, hide_index=True, width="stretch")
        download_buttons(table, None, name="coverage_by_localidad", lang=lang, key="zones")
    for tab in tab_upz:
        with tab:
            table = gaps_display.zone_table(by_upz, loaders.upz_names(), groups=groups, lang=lang)
            st.dataframe(table, hide_index=True, width="stretch")
            download_buttons(table, None, name="coverage_by_upz", lang=lang, key="upz")
    with tab_how:
        st.markdown(
            gaps_display.how_text(
                result, minutes=chosen.minutes, profile=chosen.profile, lang=lang, cells=cells
            )
        )
