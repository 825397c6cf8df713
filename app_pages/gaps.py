"""Gaps: who is within a walk of care, who is not, and how much care each place can count on."""

from __future__ import annotations

import streamlit as st

from geo import profiles
from geo.gaps import CARE_CODES
from geo.params import GapsParams, WalkParams
from geo.settings import get_settings
from ui import frame, loaders, state
from ui.components import (
    MapLayer,
    analysis_inputs,
    download_buttons,
    map_and_panel,
)
from ui.filters import kept_multiselect
from ui.i18n import label, t
from ui.render import fmt, gaps_display, safe
from ui.render.map_view import (
    BOGOTA_VIEW,
    areas_group,
    base_map,
    catchment_group,
    surface_group,
)
from ui.view_state import GapsState
from ui.views import present_view

PAGE = "gaps"
CELL_M = 100.0

lang = frame.draw()
settings = get_settings()
st.title(t("gaps_title", lang))
st.caption(t("gaps_intro", lang))

frames, cells = analysis_inputs(lang=lang, cell_m=CELL_M)
# the view a copied link describes: the widgets start from it (unless already set)
url = GapsState.from_query(state.url_params())


def url_select(label_text: str, options: list[str], *, keep: str, value: str, format_func):
    """A selectbox that starts from the URL's ``value`` and keeps its choice (per language)."""
    key = f"{keep}_{lang}"
    state.restore_value(key, keep=keep, url_value=value, default=options[0])
    st.selectbox(label_text, options, format_func=format_func, key=key)
    return state.keep_value(key, keep=keep)


with st.sidebar:
    st.header(t("gaps_controls", lang))
    groups = kept_multiselect(
        t("gaps_groups", lang),
        list(gaps_display.GROUPS),
        keep="gaps_groups",
        lang=lang,
        format_func=lambda g: label("populations", g, lang),
        param="grp",
        default=list(gaps_display.GROUPS),
    ) or list(gaps_display.GROUPS)
    offered = loaders.offered_services()
    codes = kept_multiselect(
        t("gaps_services", lang),
        offered,
        keep="gaps_services",
        lang=lang,
        format_func=lambda c: label("services", c, lang),
        param="svc",
        default=[c for c in CARE_CODES if c in offered],
    ) or [c for c in CARE_CODES if c in offered]
    state.restore_value("gaps_minutes", keep="gaps_minutes", url_value=url.minutes, default=15)
    st.slider(t("walk_minutes", lang), 5, 60, step=5, key="gaps_minutes")
    minutes = int(state.keep_value("gaps_minutes", keep="gaps_minutes"))
    profile = url_select(
        t("walk_profile", lang),
        list(profiles.PROFILES),
        keep="gaps_profile",
        value=url.profile,
        format_func=lambda p: getattr(profiles.PROFILES[p], f"label_{lang}"),
    )
    measure = url_select(
        t("gaps_measure", lang),
        list(gaps_display.MEASURES),
        keep="gaps_measure",
        value=url.measure,
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
if network_error:
    st.error(safe.markdown(network_error))

gaps_params = GapsParams(
    service_codes=tuple(codes),
    walk=WalkParams(minutes=minutes, profile=profile, mode=mode),
    groups=tuple(groups),
    cell_m=CELL_M,
)
result = loaders.gap_analysis(gaps_params)
straight = loaders.straight_coverage(gaps_params) if mode == "network" else None
services = loaders.supply(tuple(codes))
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

# Headline figures
totals = result.coverage.loc[[g for g in groups if g in result.coverage.index]]
cols = st.columns(len(totals) + 1)
for col, (group, row) in zip(cols, totals.iterrows(), strict=False):
    col.metric(
        label("populations", group, lang),
        f"{fmt.integer(row['pct_covered'], lang)} %",
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
        help=t(
            "metric_within_help",
            lang,
            people=fmt.integer(row["covered"], lang),
            total=fmt.integer(row["population"], lang),
        ),
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

# Map: surface, catchments, unserved areas, services on top
shown = gaps_display.surface(
    result.demand,
    measure,
    groups=groups,
    minutes=minutes,
    lang=lang,
    e2sfca=loaders.e2sfca(gaps_params) if measure == "e2sfca" else None,
)
image = gaps_display.overlay(result.demand, shown)
bar = gaps_display.colour_bar(shown)
areas = result.unserved_areas.head(25)
zone_names = frames["localidades"].set_index("code")["name"]
under = [
    surface_group(image, name=t(f"measure_{measure}", lang), colour_bar=bar),
    catchment_group(
        loaders.network_catchments(loaders.points_key(services), loaders.walk_m(minutes, profile))
        if mode == "network"
        else loaders.supply_catchments(tuple(codes), radius),
        name=t("catchments", lang),
    ),
    areas_group(
        areas,
        name=t("unserved_areas", lang),
        tooltips=gaps_display.area_tooltips(areas, zone_names, groups=groups, lang=lang),
    ),
]
registry = loaders.registry()
layers = [
    MapLayer(registry[layer_id], services[services["layer"] == layer_id].drop(columns="layer"))
    for layer_id in loaders.supply_layers()
]
view = state.initial_view(f"{PAGE}_{lang}", BOGOTA_VIEW)
# One view state for the URL and "Add this view to a story" (which reads the slides)
shown_state = GapsState(
    groups=tuple(groups),
    services=tuple(codes),
    minutes=int(minutes),
    profile=profile,
    measure=measure,
    distance=mode,
    view=view,
    selected=state.selection(PAGE),
)
state.mirror_params(shown_state.to_query(), owned=GapsState.QUERY_KEYS)
base = base_map(
    view=view,
    lang=lang,
    boundary_label=frame.boundary_label(),
    boundaries=[frames["localidades"]],
    legend_kinds=[registry[i].kind for i in loaders.supply_layers()],
    tiles=settings.tiles,
    tiles_attribution=settings.tiles_attribution,
)
map_and_panel(PAGE, base, layers, lang=lang, under=under)

by_upz = loaders.upz_coverage(gaps_params)
tab_names = [t("tab_groups", lang), t("unserved_areas", lang), t("tab_zones", lang)]
tab_names += [t("tab_upz", lang)] if by_upz is not None else []
tab_groups, tab_areas, tab_zones, *tab_upz, tab_how = st.tabs([*tab_names, t("how_title", lang)])
with tab_groups:
    table = gaps_display.coverage_table(result.coverage, groups=groups, lang=lang)
    st.dataframe(table, hide_index=True, width="stretch")
with tab_areas:
    table = gaps_display.areas_table(result.unserved_areas, zone_names, groups=groups, lang=lang)
    st.dataframe(table, hide_index=True, width="stretch")
    download_buttons(table, result.unserved_areas, name="unserved_areas", lang=lang, key="areas")
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
        gaps_display.how_text(result, minutes=minutes, profile=profile, lang=lang, cells=cells)
    )
present_view.add_view_box(PAGE, shown_state, lang=lang)
