"""What the Plan page shows: the sidebar, the headline, the map and its panel, the tabs.

Its settings are :class:`ui.plan_state.PlanState`; the scenario in the session and map
clicks are in :mod:`ui.views.plan_scenario`; the tabs below the map in
:mod:`ui.views.plan_tabs`. Everything computed goes through the cached loaders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import gaps, planning, profiles
from geo import params as geo_params
from geo.catchments import catchments as buffer_catchments
from geo.demand import CELL_M
from geo.scenarios import PROPOSED_LAYER
from ui import frame, loaders, state
from ui.components import (
    CareMap,
    MapLayer,
    analysis_inputs,
    coverage_metric,
    kept_choice,
    page_map,
    selecting_map,
    side_panel,
    supply_map_layers,
)
from ui.filters import care_service_choice, group_choice
from ui.i18n import label, t, tn
from ui.plan_state import SPACINGS, PlanState
from ui.render import fmt, gaps_display, plan_tables, safe
from ui.render.map_view import BOGOTA_VIEW, areas_group, catchment_group
from ui.render.plan_tables import suggested_name
from ui.views import address_search, present_view
from ui.views.plan_scenario import (
    PAGE,
    SUGGESTION_KEY,
    candidate_label,
    candidate_options,
    candidates_key,
    click_mode,
    current_suggestion,
    handle_click,
    new_click,
    open_shared,
    open_url_settings,
    scenario,
    site_actions,
)
from ui.views.plan_tabs import check_tab, curve_tab, scenario_tab, suggestion_tab

K_MAX_CURVE = 15


def headline(
    before: gaps.GapsResult,
    after: gaps.GapsResult,
    *,
    groups: Sequence[str],
    lang: str,
    changed: bool,
) -> None:
    """Share of each group within reach with the scenario, and the change from today."""
    present = [g for g in groups if g in after.coverage.index]
    cols = st.columns(len(present) + 1)
    for col, group in zip(cols, present, strict=False):
        now, then = after.coverage.loc[group], before.coverage.loc[group]
        coverage_metric(
            col,
            group,
            now,
            shown=f"{fmt.number(now['pct_covered'], lang, digits=1)} %",
            delta=(
                t(
                    "plan_delta_points",
                    lang,
                    points=f"{now['pct_covered'] - then['pct_covered']:+.1f}",
                )
                if changed
                else None
            ),
            lang=lang,
        )
    unserved_now = float(after.coverage.loc[present, "unserved"].sum())
    unserved_then = float(before.coverage.loc[present, "unserved"].sum())
    cols[-1].metric(
        t("metric_unserved", lang),
        fmt.integer(unserved_now, lang),
        delta=f"{unserved_now - unserved_then:+,.0f}" if changed else None,
        delta_color="inverse",
        help=t("metric_unserved_help", lang),
    )
    st.caption(t("plan_scenario_state" if changed else "plan_no_changes", lang))


def suggestion_summary(suggestion: Mapping[str, Any], where: Any, *, lang: str) -> None:
    """One line: how many sites, how many people newly within reach, how it was solved."""
    sites = suggestion["sites"]
    info = sites.attrs.get("siting", {})
    if sites.empty:
        where.warning(t("plan_nothing_to_gain", lang))
        return
    where.success(
        tn(
            "plan_suggested_line",
            suggestion["params"].k,
            lang,
            found=len(sites),
            gain=fmt.integer(info.get("objective", 0.0), lang),
            seconds=fmt.number(info.get("seconds", 0.0), lang, digits=2),
        )
    )


PLANNER_LAYERS: Mapping[str, tuple[str, Mapping[str, str], str]] = {
    # kind: (layer id, title, source)
    "proposed": (
        PROPOSED_LAYER,
        {"es": "Sitios nuevos del escenario", "en": "New sites in the scenario"},
        "scenario (planning), not an existing service",
    ),
    "suggested": (
        "suggested",
        {"es": "Sitios sugeridos", "en": "Suggested sites"},
        "maximal covering location (greedy + swap), not an existing service",
    ),
    "candidate": (
        "candidates",
        {"es": "Puntos candidatos", "en": "Candidate points"},
        "clicked on the map by the planner",
    ),
}
"""The layers the planner adds to the map: the scenario's new sites, the suggestion not
yet accepted, the candidate points clicked on the map."""


def planner_spec(kind: str) -> Any:
    """Registry-like entry for one of :data:`PLANNER_LAYERS`."""
    layer_id, title, source = PLANNER_LAYERS[kind]
    return loaders.synthetic_spec(layer_id, title=dict(title), kind=kind, source=source)


def proposed_spec() -> Any:
    """Registry-like entry for the scenario's new sites."""
    return planner_spec("proposed")


def suggested_layer(suggestion: Mapping[str, Any], lang: str) -> gpd.GeoDataFrame:
    """The suggested sites as a map layer (ids ``s-1``...)."""
    sites = suggestion["sites"].to_crs(4326)
    names = [suggested_name(sites, i, lang) for i in range(len(sites))]
    return gpd.GeoDataFrame(
        {"id": [f"s-{n}" for n in sites["order"]], "name": names},
        geometry=sites.geometry.to_numpy(),
        index=pd.Index([f"s-{n}" for n in sites["order"]]),
        crs=4326,
    )


def candidate_layer(points: Sequence[tuple[float, float, str]]) -> gpd.GeoDataFrame:
    """Candidate points (marked on the map, or of a layer) as a map layer (ids ``c-1``...)."""
    ids = [f"c-{i}" for i in range(1, len(points) + 1)]
    return gpd.GeoDataFrame(
        {"id": ids, "name": [p[2] for p in points]},
        geometry=gpd.points_from_xy([p[0] for p in points], [p[1] for p in points]),
        index=pd.Index(ids),
        crs=4326,
    )


def new_site_zones(
    layers: Sequence[Any], *, radius_m: float, minutes: float, profile: str
) -> gpd.GeoDataFrame:
    """Walking zones of the new and suggested sites (streets when a network is loaded).

    Along the streets each layer's zones are cached on their own: suggesting sites
    walks from the suggested sites only, not again from the scenario's new ones.
    """
    shown = [
        layer.features[["geometry"]].to_crs(4326) for layer in layers if not layer.features.empty
    ]
    if not shown:
        return gpd.GeoDataFrame(geometry=[], crs=4326)
    if loaders.street_network()[0] is not None:
        walk_metres = loaders.walk_m(minutes, profile)
        zones = [loaders.network_catchments(loaders.points_key(p), walk_metres) for p in shown]
        return pd.concat(zones, ignore_index=True)
    return buffer_catchments(pd.concat(shown), radius_m=radius_m)


# ----------------------------------------------------------------------------- the page


def render(lang: str) -> None:
    """The Plan page's body, below the shared frame (``app_pages/plan.py``)."""
    st.title(t("plan_title", lang))
    st.caption(t("plan_intro", lang))

    frames, _cells = analysis_inputs(lang=lang, cell_m=CELL_M)
    offered = loaders.offered_services()
    open_shared(lang=lang, offered=offered)
    open_url_settings(offered=offered)  # a copied link's settings
    with st.sidebar:
        params, network_error = _controls(offered, lang=lang)
    if network_error:
        st.error(safe.markdown(network_error))

    state.mirror_params(params.to_query(), owned=PlanState.QUERY_KEYS)
    edited = scenario()
    key = planning.scenario_key(edited)
    candidate_key = candidates_key(params)
    gaps_params = params.gaps_params(cell_m=CELL_M)
    # the covering problem's parameters, shared by the suggestion and the coverage curve
    plan_params = params.plan_params(scenario=key, candidates=candidate_key, cell_m=CELL_M)
    before = loaders.gap_analysis(gaps_params)
    after = before if edited.is_empty else loaders.scenario_gaps(gaps_params, key)

    # headline: before -> after
    groups = list(params.groups)
    figures = plan_tables.before_after(before, after, groups=groups, lang=lang)
    headline(before, after, groups=groups, lang=lang, changed=not edited.is_empty)
    suggestion = _suggest(params, plan_params, key, candidate_key, lang=lang)
    zone_names = frames["localidades"].set_index("code")["name"]
    _map_and_panel(params, plan_params, key, candidate_key, suggestion, frames, after, lang=lang)

    # details
    tab_figures, tab_suggested, tab_curve, tab_scenario, tab_check = st.tabs(
        [
            t("plan_tab_figures", lang),
            t("plan_tab_suggested", lang),
            t("plan_tab_curve", lang),
            t("plan_tab_scenario", lang),
            t("plan_tab_check", lang),
        ]
    )
    with tab_figures:
        st.dataframe(
            plan_tables.shown_before_after(figures, lang=lang), hide_index=True, width="stretch"
        )
        st.caption(t("plan_figures_note", lang))
    with tab_suggested:
        suggestion_tab(
            suggestion,
            groups=groups,
            areas=after.unserved_areas,
            zone_names=zone_names,
            lang=lang,
        )
    with tab_curve:
        curve = None if not candidate_key[1] else loaders.coverage_curve(plan_params, K_MAX_CURVE)
        curve_tab(curve, lang=lang)
    with tab_scenario:
        scenario_tab(edited, params, figures, lang=lang)
    with tab_check:
        check_tab(params, key, candidate_key, suggestion, cell_m=CELL_M, lang=lang)
    present_view.add_view_box(
        PAGE,
        {
            "scenario": edited.to_dict(),
            "groups": list(params.groups),
            "services": list(params.codes),
            "minutes": params.minutes,
            "profile": params.profile,
        },
        lang=lang,
    )


def _controls(offered: list[str], *, lang: str) -> tuple[PlanState, str | None]:
    """The sidebar: who counts and how much, which services, how far, where and how many."""
    st.header(t("plan_controls", lang))
    groups = group_choice(keep="plan_groups", lang=lang)
    with st.expander(t("plan_weights", lang)):
        st.caption(t("plan_weights_help", lang))
        weights = [
            st.number_input(
                label("populations", g, lang), 0.0, 10.0, 1.0, step=0.5, key=f"plan_w_{g}"
            )
            for g in groups
        ]
    codes = care_service_choice(offered, keep="plan_services", lang=lang)
    minutes = st.slider(t("walk_minutes", lang), 5, 60, 15, step=5, key="plan_minutes")
    profile = kept_choice(
        t("walk_profile", lang),
        list(profiles.PROFILES),
        keep="plan_profile",
        lang=lang,
        format_func=lambda p: getattr(profiles.PROFILES[p], f"label_{lang}"),
    )
    network, network_error = loaders.street_network()
    mode = kept_choice(
        t("gaps_distance", lang),
        ["straight", "network"] if network is not None else ["straight"],
        keep="plan_mode",
        lang=lang,
        format_func=lambda m: t(f"gaps_distance_{m}", lang),
    )
    reach_m = geo_params.WalkParams(minutes=minutes, profile=profile, mode=mode).reach_m
    st.caption(
        t(
            "walk_radius" if mode == "straight" else "walk_streets",
            lang,
            metres=fmt.integer(reach_m, lang),
        )
    )
    st.header(t("plan_where", lang))
    candidates = kept_choice(
        t("plan_candidates", lang),
        candidate_options(),
        keep="plan_candidates",
        lang=lang,
        format_func=lambda c: candidate_label(c, lang),
    )
    st.caption(t("plan_candidates_help", lang))
    spacing = int(
        kept_choice(
            t("plan_spacing", lang),
            [str(s) for s in SPACINGS],
            keep="plan_spacing",
            lang=lang,
            format_func=lambda s: f"{int(s):,} m",
        )
    )
    k = st.slider(t("plan_k", lang), 1, 20, 3, key="plan_k")
    capacity = st.number_input(
        t("plan_capacity", lang), 0, 1_000_000, 0, step=500, key="plan_capacity"
    )
    st.caption(t("plan_capacity_help", lang))
    params = PlanState(
        groups=tuple(groups),
        weights=tuple(float(w) for w in weights),
        codes=tuple(codes),
        minutes=int(minutes),
        profile=profile,
        mode=mode,
        candidates=candidates,
        spacing_m=spacing,
        k=int(k),
        capacity=float(capacity),
    )
    return params, network_error


def _suggest(
    params: PlanState,
    plan_params: geo_params.PlanParams,
    key: str,
    candidate_key: geo_params.Candidates,
    *,
    lang: str,
) -> dict[str, Any] | None:
    """The "Suggest sites" button and its summary; returns the suggestion in force."""
    suggest_col, note_col = st.columns([1, 2])
    asked = suggest_col.button(
        tn("plan_suggest", params.k, lang), type="primary", key="plan_suggest", width="stretch"
    )
    if params.candidates != "grid" and not candidate_key[1]:
        note_col.info(t("plan_no_candidates", lang))
        asked = False
    if asked:
        with st.spinner(t("plan_solving", lang)):
            sites, report = loaders.suggestion(plan_params, params.k)
        st.session_state[SUGGESTION_KEY] = {
            "params": params,
            "key": key,
            "sites": sites,
            "report": report,
        }
    suggestion = current_suggestion(params, key)
    if suggestion is not None:
        suggestion_summary(suggestion, note_col, lang=lang)
    return suggestion


def _map_and_panel(
    params: PlanState,
    plan_params: geo_params.PlanParams,
    key: str,
    candidate_key: geo_params.Candidates,
    suggestion: Mapping[str, Any] | None,
    frames: Mapping[str, gpd.GeoDataFrame],
    after: gaps.GapsResult,
    *,
    lang: str,
) -> None:
    """Draw the Plan map and its side panel.

    The map (services after the scenario, new and suggested sites, candidates) and the
    side panel (find an address, the selected feature, its actions); clicks edit the scenario.
    """
    services_after = loaders.scenario_services(params.codes, key)
    layers = supply_map_layers(services_after)
    layers.append(
        MapLayer(
            planner_spec("proposed"),
            services_after[services_after["layer"] == PROPOSED_LAYER].drop(columns="layer"),
        )
    )
    if suggestion is not None:
        layers.append(MapLayer(planner_spec("suggested"), suggested_layer(suggestion, lang)))
    if params.candidates != "grid":
        layers.append(MapLayer(planner_spec("candidate"), candidate_layer(candidate_key[1])))

    zone_names = frames["localidades"].set_index("code")["name"]
    areas = after.unserved_areas.head(25)
    under = [
        catchment_group(
            new_site_zones(
                [layer for layer in layers if layer.spec.kind in ("proposed", "suggested")],
                radius_m=plan_params.gaps.walk.reach_m,
                minutes=params.minutes,
                profile=params.profile,
            ),
            name=t("plan_new_zones", lang),
            colour="#0072B2",
        ),
        areas_group(
            areas,
            name=t("unserved_areas", lang),
            tooltips=gaps_display.area_tooltips(
                areas, zone_names, groups=list(params.groups), lang=lang
            ),
        ),
    ]
    registry = loaders.registry()
    base = page_map(
        view=state.initial_view(f"{PAGE}_{lang}", BOGOTA_VIEW),
        lang=lang,
        boundary_label=frame.boundary_label(),
        boundaries=[frames["localidades"]],
        legend_kinds=[
            *(registry[i].kind for i in loaders.supply_layers()),
            "proposed",
            *(["suggested"] if suggestion is not None else []),
            *(["candidate"] if params.candidates != "grid" else []),
        ],
    )
    mode = click_mode(params.candidates, lang=lang)
    map_col, panel_col = st.columns([2, 1])
    with map_col:
        selected, map_click = selecting_map(
            CareMap(PAGE, base, layers, under=under), lang=lang, clicks=True
        )
    point = new_click(map_click)
    if point is not None and handle_click(point, mode, selected, layers, lang=lang):
        st.rerun()
    with panel_col:
        # Mark a point by its address, as a click on the map would (the click mode above)
        typed_address = st.text_input(t("address_find", lang), key="plan_address", max_chars=160)
        if typed_address.strip():
            found = address_search.find(typed_address, lang=lang)
            address_mode = "add" if mode == "select" else mode  # a new site, unless told
            marked = (typed_address, address_mode)
            if found is not None and st.session_state.get("_plan_address") != marked:
                st.session_state["_plan_address"] = marked
                if handle_click((found.lon, found.lat), address_mode, selected, layers, lang=lang):
                    st.rerun()
        side_panel(layers, selected, lang=lang)
        site_actions(selected, layers, lang=lang)
