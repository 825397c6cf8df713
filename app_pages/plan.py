"""Plan sites: where the next care block should go, and what a change of sites would do."""

from __future__ import annotations

import streamlit as st

from geo import planning, profiles
from geo.gaps import CARE_CODES
from geo.params import WalkParams
from geo.scenarios import PROPOSED_LAYER
from geo.settings import get_settings
from ui import frame, loaders, state
from ui.components import MapLayer, analysis_inputs, kept_choice, side_panel
from ui.components import map_events as draw_map
from ui.filters import kept_multiselect
from ui.i18n import label, t, tn
from ui.render import fmt, gaps_display, plan_tables, safe
from ui.render.map_view import BOGOTA_VIEW, areas_group, base_map, catchment_group
from ui.views import address_search, plan_view, present_view
from ui.views.plan_view import PlanParams

PAGE = "plan"
CELL_M = 100.0

lang = frame.draw()
settings = get_settings()
st.title(t("plan_title", lang))
st.caption(t("plan_intro", lang))

frames, cells = analysis_inputs(lang=lang, cell_m=CELL_M)
offered = loaders.offered_services()
plan_view.open_shared(lang=lang, offered=offered)
plan_view.open_url_settings(offered=offered)  # a copied link's settings

# ------------------------------------------------------------------ controls
with st.sidebar:
    st.header(t("plan_controls", lang))
    groups = kept_multiselect(
        t("gaps_groups", lang),
        list(plan_view.GROUPS),
        keep="plan_groups",
        lang=lang,
        format_func=lambda g: label("populations", g, lang),
        default=list(plan_view.GROUPS),
    ) or list(plan_view.GROUPS)
    with st.expander(t("plan_weights", lang)):
        st.caption(t("plan_weights_help", lang))
        weights = [
            st.number_input(
                label("populations", g, lang), 0.0, 10.0, 1.0, step=0.5, key=f"plan_w_{g}"
            )
            for g in groups
        ]
    codes = kept_multiselect(
        t("gaps_services", lang),
        offered,
        keep="plan_services",
        lang=lang,
        format_func=lambda c: label("services", c, lang),
        default=[c for c in CARE_CODES if c in offered],
    ) or [c for c in CARE_CODES if c in offered]
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
    reach_m = WalkParams(minutes=minutes, profile=profile, mode=mode).reach_m
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
        plan_view.candidate_options(),
        keep="plan_candidates",
        lang=lang,
        format_func=lambda c: plan_view.candidate_label(c, lang),
    )
    st.caption(t("plan_candidates_help", lang))
    spacing = int(
        kept_choice(
            t("plan_spacing", lang),
            [str(s) for s in plan_view.SPACINGS],
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
if network_error:
    st.error(safe.markdown(network_error))

params = PlanParams(
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
state.mirror_params(params.to_query(), owned=plan_view.PlanParams.QUERY_KEYS)
scenario = plan_view.scenario()
key = planning.scenario_key(scenario)
candidate_key = plan_view.candidates_key(params)
gaps_params = params.gaps_params(cell_m=CELL_M)
# the covering problem's parameters, shared by the suggestion and the coverage curve
plan_params = params.plan_params(scenario=key, candidates=candidate_key, cell_m=CELL_M)
before = loaders.gap_analysis(gaps_params)
after = before if scenario.is_empty else loaders.scenario_gaps(gaps_params, key)

# ------------------------------------------------------------------ headline: before -> after
figures = plan_tables.before_after(before, after, groups=groups, lang=lang)
plan_view.headline(before, after, groups=groups, lang=lang, changed=not scenario.is_empty)

# ------------------------------------------------------------------ suggest
suggest_col, note_col = st.columns([1, 2])
asked = suggest_col.button(
    tn("plan_suggest", k, lang), type="primary", key="plan_suggest", width="stretch"
)
if candidates != "grid" and not candidate_key[1]:
    note_col.info(t("plan_no_candidates", lang))
    asked = False
if asked:
    with st.spinner(t("plan_solving", lang)):
        sites, report = loaders.suggestion(plan_params, params.k)
    st.session_state[plan_view.SUGGESTION_KEY] = {
        "params": params,
        "key": key,
        "sites": sites,
        "report": report,
    }
suggestion = plan_view.current_suggestion(params, key)
if suggestion is not None:
    plan_view.suggestion_summary(suggestion, note_col, lang=lang)

# ------------------------------------------------------------------ map + panel
services_after = loaders.scenario_services(params.codes, key)
registry = loaders.registry()
layers = [
    MapLayer(
        registry[layer_id],
        services_after[services_after["layer"] == layer_id].drop(columns="layer"),
    )
    for layer_id in loaders.supply_layers()
]
layers.append(
    MapLayer(
        plan_view.proposed_spec(),
        services_after[services_after["layer"] == PROPOSED_LAYER].drop(columns="layer"),
    )
)
if suggestion is not None:
    layers.append(MapLayer(plan_view.suggested_spec(), plan_view.suggested_layer(suggestion, lang)))
if candidates != "grid":
    layers.append(MapLayer(plan_view.candidate_spec(), plan_view.candidate_layer(candidate_key[1])))

radius = plan_params.gaps.walk.reach_m
zone_names = frames["localidades"].set_index("code")["name"]
areas = after.unserved_areas.head(25)
under = [
    catchment_group(
        plan_view.new_site_zones(layers[2:], radius_m=radius, minutes=minutes, profile=profile),
        name=t("plan_new_zones", lang),
        colour="#0072B2",
    ),
    areas_group(
        areas,
        name=t("unserved_areas", lang),
        tooltips=gaps_display.area_tooltips(areas, zone_names, groups=groups, lang=lang),
    ),
]
base = base_map(
    view=state.initial_view(f"{PAGE}_{lang}", BOGOTA_VIEW),
    lang=lang,
    boundary_label=frame.boundary_label(),
    boundaries=[frames["localidades"]],
    legend_kinds=[
        *(registry[i].kind for i in loaders.supply_layers()),
        "proposed",
        *(["suggested"] if suggestion is not None else []),
        *(["candidate"] if candidates != "grid" else []),
    ],
    tiles=settings.tiles,
    tiles_attribution=settings.tiles_attribution,
)
click_mode = plan_view.click_mode(candidates, lang=lang)
map_col, panel_col = st.columns([2, 1])
selected = state.selection(PAGE)
with map_col:
    clicked, map_click = draw_map(
        base, layers, key=f"{PAGE}_map_{lang}", lang=lang, under=under, clicks=True
    )
if clicked and clicked != selected:
    state.select(PAGE, clicked)
    selected = clicked
point = plan_view.new_click(map_click)
if point is not None and plan_view.handle_click(point, click_mode, selected, layers, lang=lang):
    st.rerun()
with panel_col:
    # Mark a point by its address, as a click on the map would (the click mode above)
    typed_address = st.text_input(t("address_find", lang), key="plan_address", max_chars=160)
    if typed_address.strip():
        found = address_search.find(typed_address, lang=lang)
        mode = "add" if click_mode == "select" else click_mode  # a new site, unless told
        marked = (typed_address, mode)
        if found is not None and st.session_state.get("_plan_address") != marked:
            st.session_state["_plan_address"] = marked
            if plan_view.handle_click((found.lon, found.lat), mode, selected, layers, lang=lang):
                st.rerun()
    side_panel(layers, selected, lang=lang)
    plan_view.site_actions(selected, layers, lang=lang)

# ------------------------------------------------------------------ details
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
    plan_view.suggestion_tab(
        suggestion, groups=groups, areas=after.unserved_areas, zone_names=zone_names, lang=lang
    )
with tab_curve:
    curve = (
        None if not candidate_key[1] else loaders.coverage_curve(plan_params, plan_view.K_MAX_CURVE)
    )
    plan_view.curve_tab(curve, lang=lang)
with tab_scenario:
    plan_view.scenario_tab(scenario, params, figures, lang=lang)
with tab_check:
    plan_view.check_tab(params, key, candidate_key, suggestion, cell_m=CELL_M, lang=lang)
present_view.add_view_box(
    PAGE,
    {
        "scenario": scenario.to_dict(),
        "groups": list(params.groups),
        "services": list(params.codes),
        "minutes": params.minutes,
        "profile": params.profile,
    },
    lang=lang,
)
