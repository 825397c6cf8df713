"""What the Plan page shows: its parameters, the scenario in the session, the page pieces.

The before/after figures, suggestion tables and exports are drawn without Streamlit
in :mod:`ui.render.plan_tables`.

The scenario being edited lives in ``st.session_state`` (one per browser session);
everything computed from it goes through the cached loaders.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import gaps, planning, profiles, siting, vocab
from geo import params as geo_params
from geo.catchments import catchments as buffer_catchments
from geo.demand import CELL_M
from geo.errors import LayerError
from geo.scenarios import PROPOSED_LAYER, Scenario, Site
from geo.store import EditDeniedError, ScenarioNotFoundError, StoreError
from ui import frame, jobs, loaders, state, uploads
from ui.components import (
    MapLayer,
    analysis_inputs,
    coverage_metric,
    download_buttons,
    kept_choice,
    page_map,
    selecting_map,
    side_panel,
    supply_map_layers,
)
from ui.filters import care_service_choice, group_choice
from ui.i18n import label, t, tn
from ui.render import fmt, gaps_display, plan_tables, safe
from ui.render.map_view import BOGOTA_VIEW, areas_group, catchment_group
from ui.render.plan_tables import (
    area_labels,
    check_scenario,
    curve_frame,
    figures_csv,
    sites_geojson,
    suggested_name,
    suggested_sites,
    suggestion_table,
)
from ui.views import address_search, present_view

PAGE = "plan"
SCENARIO_KEY = "_plan_scenario"
SCENARIO_ID_KEY = "_plan_scenario_id"
SUGGESTION_KEY = "_plan_suggestion"
LAST_CLICK_KEY = "_plan_last_click"
GROUPS = vocab.DEMAND_GROUPS
CANDIDATE_KINDS = ("grid", "clicked")
SPACINGS = (200, 300, 500)
K_MAX_CURVE = 15


@dataclass(frozen=True)
class PlanParams:
    """The planner's settings: who counts and how much, how far, where sites may go, how many."""

    groups: tuple[str, ...] = GROUPS
    weights: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0)
    codes: tuple[str, ...] = ()
    minutes: int = 15
    profile: str = "adult"
    mode: str = "straight"
    candidates: str = "grid"
    spacing_m: int = 200
    k: int = 3
    capacity: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (saved with the scenario)."""
        return {
            **dataclasses.asdict(self),
            "groups": list(self.groups),
            "weights": list(self.weights),
            "codes": list(self.codes),
        }

    @property
    def walk(self) -> geo_params.WalkParams:
        """How far people walk, as :mod:`geo.params` takes it."""
        return geo_params.WalkParams(minutes=self.minutes, profile=self.profile, mode=self.mode)

    def gaps_params(self, *, cell_m: float) -> geo_params.GapsParams:
        """The gap analysis these settings ask for, on a grid of ``cell_m`` cells."""
        return geo_params.GapsParams(
            service_codes=self.codes, walk=self.walk, groups=self.groups, cell_m=cell_m
        )

    def plan_params(
        self, *, scenario: str, candidates: geo_params.Candidates, cell_m: float
    ) -> geo_params.PlanParams:
        """The planning question for :mod:`geo.planning` (scenario key, candidate sites)."""
        return geo_params.PlanParams(
            gaps=self.gaps_params(cell_m=cell_m),
            scenario=scenario,
            weights=self.weights,
            candidates=candidates,
            capacity=self.capacity,
        )

    QUERY_KEYS: ClassVar[tuple[str, ...]] = (
        "grp",
        "w",
        "svc",
        "min",
        "profile",
        "dist",
        "cand",
        "spacing",
        "k",
        "cap",
    )
    """The URL parameters of the Plan page's settings (its view state)."""

    def to_query(self) -> dict[str, str]:
        """The settings as URL parameters: a copied link reopens them."""
        return {
            "grp": ",".join(self.groups),
            "w": ",".join(f"{w:g}" for w in self.weights),
            "svc": ",".join(self.codes),
            "min": str(self.minutes),
            "profile": self.profile,
            "dist": self.mode,
            "cand": self.candidates,
            "spacing": str(self.spacing_m),
            "k": str(self.k),
            "cap": f"{self.capacity:g}",
        }

    @classmethod
    def from_query(cls, query: Mapping[str, str], *, codes: Sequence[str]) -> PlanParams:
        """The settings a URL describes; unknown or malformed values give the defaults."""

        def number(key: str) -> float | None:
            try:
                value = float(query.get(key, ""))
            except ValueError:
                return None
            return value if math.isfinite(value) else None

        def whole(key: str) -> int | None:
            value = number(key)
            return int(value) if value is not None and value == int(value) else None

        def items(key: str) -> list[str]:
            return [v for v in str(query.get(key, "")).split(",") if v]

        values: dict[str, Any] = {
            "groups": items("grp"),
            "weights": items("w"),
            "codes": items("svc"),
            "minutes": whole("min"),
            "profile": query.get("profile"),
            "mode": query.get("dist"),
            "candidates": query.get("cand"),
            "spacing_m": whole("spacing"),
            "k": whole("k"),
            "capacity": number("cap"),
        }
        return cls.from_dict({k: v for k, v in values.items() if v is not None}, codes=codes)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any], *, codes: Sequence[str]) -> PlanParams:
        """Read saved settings, keeping only values the page offers (others: defaults)."""
        base = cls(codes=tuple(codes))
        out: dict[str, Any] = {}
        groups, weights = values.get("groups", []), values.get("weights", [])
        if isinstance(groups, list) and isinstance(weights, list) and len(groups) == len(weights):
            try:
                pairs = [
                    (g, min(max(float(w), 0.0), 10.0)) for g, w in zip(groups, weights, strict=True)
                ]
            except (TypeError, ValueError):
                pairs = []
            pairs = [(g, w) for g, w in pairs if g in GROUPS]
            if pairs:
                out["groups"] = tuple(g for g, _ in pairs)
                out["weights"] = tuple(w for _, w in pairs)
        offered = [c for c in values.get("codes", []) if c in codes]
        if offered:
            out["codes"] = tuple(offered)
        if values.get("minutes") in range(5, 65, 5):
            out["minutes"] = int(values["minutes"])
        if values.get("profile") in profiles.PROFILES:
            out["profile"] = values["profile"]
        if values.get("mode") in ("straight", "network"):
            out["mode"] = values["mode"]
        if values.get("candidates") in CANDIDATE_KINDS:
            out["candidates"] = values["candidates"]
        if values.get("spacing_m") in SPACINGS:
            out["spacing_m"] = int(values["spacing_m"])
        if isinstance(values.get("k"), int) and 1 <= values["k"] <= 20:
            out["k"] = values["k"]
        if isinstance(values.get("capacity"), int | float) and values["capacity"] >= 0:
            out["capacity"] = float(values["capacity"])
        return dataclasses.replace(base, **out)


# --------------------------------------------------------------------- the scenario in the session


def scenario() -> Scenario:
    """The scenario this session is editing (empty at first)."""
    return st.session_state.get(SCENARIO_KEY) or Scenario()


def set_scenario(value: Scenario) -> None:
    """Replace the scenario being edited; a new suggestion is then needed."""
    st.session_state[SCENARIO_KEY] = value
    st.session_state.pop(SUGGESTION_KEY, None)


def new_click(click: Mapping[str, float] | None) -> tuple[float, float] | None:
    """A map click ``(lon, lat)`` not handled before (streamlit-folium repeats the last one)."""
    if not click:
        return None
    point = (round(float(click["lng"]), 6), round(float(click["lat"]), 6))
    if st.session_state.get(LAST_CLICK_KEY) == point:
        return None
    st.session_state[LAST_CLICK_KEY] = point
    return point


# --------------------------------------------------------------------- page pieces (Streamlit)

CLICKED_KEY = "_plan_clicked_candidates"
NAME_KEY = "_plan_name"
OPENED_KEY = "_plan_opened"
URL_OPENED_KEY = "_plan_url_opened"
JOB_KEY = "_plan_exact_job"
EXACT_KEY = "_plan_exact_result"
EXACT_TIME_LIMIT_S = 120.0
CLICK_MODES = ("select", "add", "candidate", "move")


def candidates_key(params: PlanParams) -> geo_params.Candidates:
    """The cache key of the candidate sites the parameters ask for."""
    if params.candidates == "grid":
        return ("grid", ((float(params.spacing_m), 0.0, ""),))
    if params.candidates.startswith(LAYER_PREFIX):
        return ("layer", layer_points(params.candidates.removeprefix(LAYER_PREFIX)))
    return ("clicked", tuple(st.session_state.get(CLICKED_KEY, [])))


LAYER_PREFIX = "layer:"


def candidate_options() -> list[str]:
    """Where new sites may go: the grid, points marked on the map, or a layer of this session."""
    return [*CANDIDATE_KINDS, *(f"{LAYER_PREFIX}{name}" for name in uploads.layers())]


def candidate_label(option: str, lang: str) -> str:
    """How a candidate option reads in the sidebar."""
    if option.startswith(LAYER_PREFIX):
        return t("plan_candidates_layer", lang, name=option.removeprefix(LAYER_PREFIX))
    return t(f"plan_candidates_{option}", lang)


def layer_points(name: str) -> tuple[tuple[float, float, str], ...]:
    """An uploaded layer's features as candidate points (polygons: a point inside them)."""
    frame = uploads.layers().get(name)
    if frame is None or frame.empty:
        return ()
    label_col = next((c for c in uploads.NAME_COLUMNS if c in frame.columns), None)
    shapes = frame.to_crs(4326).geometry
    points = shapes.where(shapes.geom_type == "Point", shapes.representative_point())
    names = frame[label_col].astype(str) if label_col else pd.Series([name] * len(frame))
    return tuple(
        (round(p.x, 6), round(p.y, 6), str(n))
        for p, n in zip(points, names, strict=True)
        if p is not None and not p.is_empty
    )


def open_shared(*, lang: str, offered: Sequence[str]) -> None:
    """Open the scenario named in the URL (``?scenario=<id>``), once per session and id.

    Anyone with the link reads it; ``&edit=<token>`` (the edit link shown once to its
    maker) also lets this session save over it or delete it.

    Its sites replace the ones being edited and its parameters are put back in the
    widgets, so the page shows what was saved. An unknown id or an unreadable store
    is said plainly; the scenario being edited is then kept as it was.
    """
    wanted = st.query_params.get("scenario")
    token = st.query_params.get("edit")
    if token is not None:
        st.query_params.pop("edit", None)  # the secret does not stay in the address bar
    if not wanted or (st.session_state.get(OPENED_KEY) == wanted and token is None):
        return
    st.session_state[OPENED_KEY] = wanted
    try:
        with uploads.store() as handle:
            stored = handle.get_scenario(wanted)
            if token is not None:
                if handle.can_edit_scenario(stored.id, token):
                    state.keep_edit_token("scenario", stored.id, token)
                else:
                    st.warning(t("edit_link_invalid", lang))
        opened = check_scenario(stored.payload)
    except ScenarioNotFoundError:
        st.error(t("plan_not_found", lang, id=safe.markdown(wanted)))
        return
    except (StoreError, LayerError) as exc:
        st.error(t("plan_open_error", lang, error=uploads.problem_text(exc, lang=lang)))
        return
    set_scenario(opened)
    st.session_state[SCENARIO_ID_KEY] = stored.id
    st.session_state[NAME_KEY] = stored.name
    restore_widgets(PlanParams.from_dict(opened.params, codes=offered))


def open_url_settings(*, offered: Sequence[str]) -> None:
    """Put the settings a copied Plan link carries in the widgets, once per session.

    A scenario link (``?scenario=``) brings its own saved settings and wins.
    """
    query = state.url_params()
    if st.session_state.get(URL_OPENED_KEY) or "scenario" in query:
        return
    st.session_state[URL_OPENED_KEY] = True
    if any(key in query for key in PlanParams.QUERY_KEYS):
        restore_widgets(PlanParams.from_query(query, codes=offered))


def restore_widgets(params: PlanParams) -> None:
    """Put saved parameters back in the sidebar widgets (before they are drawn)."""
    for key in list(st.session_state):
        if str(key).startswith(("plan_groups_", "plan_services_", "plan_w_")):
            del st.session_state[key]
    state.forget("plan_groups_seen")
    st.session_state["_keep_plan_groups"] = list(params.groups)
    st.session_state["_keep_plan_services"] = list(params.codes)
    for group, weight in zip(params.groups, params.weights, strict=True):
        st.session_state[f"plan_w_{group}"] = float(weight)
    st.session_state["plan_minutes"] = params.minutes
    st.session_state["plan_k"] = params.k
    st.session_state["plan_capacity"] = int(params.capacity)
    for keep, value in (
        ("plan_profile", params.profile),
        ("plan_mode", params.mode),
        ("plan_candidates", params.candidates),
        ("plan_spacing", str(params.spacing_m)),
    ):
        st.session_state[f"_keep_{keep}"] = value
        for lang_code in ("es", "en"):
            st.session_state.pop(f"{keep}_{lang_code}", None)


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


def current_suggestion(params: PlanParams, key: str) -> dict[str, Any] | None:
    """The last suggestion, if it was made for these parameters and this scenario."""
    found = st.session_state.get(SUGGESTION_KEY)
    if not found or found["key"] != key:
        return None
    asked = found["params"]
    if dataclasses.replace(asked, k=params.k) != dataclasses.replace(params, k=params.k):
        return None
    return found


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
    """Walking zones of the new and suggested sites (streets when a network is loaded)."""
    shown = [
        layer for layer in layers if not layer.features.empty and layer.spec.kind != "candidate"
    ]
    if not shown:
        return gpd.GeoDataFrame(geometry=[], crs=4326)
    points = pd.concat([layer.features[["geometry"]].to_crs(4326) for layer in shown])
    if loaders.street_network()[0] is not None:
        return loaders.network_catchments(
            loaders.points_key(points), loaders.walk_m(minutes, profile)
        )
    return buffer_catchments(points, radius_m=radius_m)


def click_mode(candidates: str, *, lang: str) -> str:
    """What a click on the map does: select, add a site, add a candidate, move the selection."""
    modes = [m for m in CLICK_MODES if m != "candidate" or candidates == "clicked"]
    return st.radio(
        t("plan_click", lang),
        modes,
        format_func=lambda m: t(f"plan_click_{m}", lang),
        horizontal=True,
        key=f"plan_click_{lang}",
    )


def handle_click(
    point: tuple[float, float],
    mode: str,
    selected: tuple[str, str] | None,
    layers: Sequence[Any],
    *,
    lang: str,
) -> bool:
    """Apply a map click; return whether the scenario (or candidates) changed."""
    lon, lat = point
    current = scenario()
    if mode == "add":
        number = len(current.added) + 1
        set_scenario(
            current.add(Site(name=t("plan_manual_name", lang, n=number), lon=lon, lat=lat))
        )
        return True
    if mode == "candidate":
        clicked = list(st.session_state.get(CLICKED_KEY, []))
        clicked.append((lon, lat, t("plan_candidate_name", lang, n=len(clicked) + 1)))
        st.session_state[CLICKED_KEY] = clicked
        st.session_state.pop(SUGGESTION_KEY, None)
        return True
    if mode == "move" and selected is not None:
        layer_id, fid = selected
        if layer_id == PROPOSED_LAYER and fid.startswith("new-"):
            set_scenario(current.move_added(int(fid.removeprefix("new-")) - 1, lon=lon, lat=lat))
            return True
        if layer_id in loaders.supply_layers():
            name = _feature_name(layers, selected) or fid
            set_scenario(current.move_existing(fid, name=name, lon=lon, lat=lat))
            state.select(PAGE, None)
            return True
    return False


def _feature_name(layers: Sequence[Any], selected: tuple[str, str]) -> str:
    for layer in layers:
        if layer.spec.id == selected[0] and selected[1] in layer.features.index:
            return str(layer.features.loc[selected[1]].get("name", ""))
    return ""


def site_actions(selected: tuple[str, str] | None, layers: Sequence[Any], *, lang: str) -> None:
    """Buttons for the selected site: take it out, or move it (then click the map)."""
    if selected is None:
        return
    layer_id, fid = selected
    current = scenario()
    if layer_id in loaders.supply_layers() and _feature_name(layers, selected):
        if st.button(t("plan_remove_existing", lang), key="plan_remove_existing"):
            set_scenario(current.remove_existing(fid))
            state.select(PAGE, None)
            st.rerun()
        st.caption(t("plan_move_hint", lang))
    elif layer_id == PROPOSED_LAYER and fid.startswith("new-"):
        position = int(fid.removeprefix("new-")) - 1
        if position < len(current.added) and st.button(
            t("plan_remove_new", lang), key="plan_remove_new"
        ):
            set_scenario(current.drop_added(position))
            state.select(PAGE, None)
            st.rerun()
        st.caption(t("plan_move_hint", lang))


def suggestion_tab(
    suggestion: Mapping[str, Any] | None,
    *,
    groups: Sequence[str],
    areas: gpd.GeoDataFrame,
    zone_names: Mapping[Any, str],
    lang: str,
) -> None:
    """The suggested sites, who each brings within reach, and "add them to the scenario"."""
    if suggestion is None:
        st.info(t("plan_no_suggestion", lang))
        return
    sites, report = suggestion["sites"], suggestion["report"]
    if sites.empty:
        st.warning(t("plan_nothing_to_gain", lang))
        return
    names = area_labels(areas, zone_names, lang=lang)
    table = suggestion_table(sites, report, groups=groups, area_names=names, lang=lang)
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(t("plan_suggested_note", lang))
    left, middle = st.columns([1, 2])
    if left.button(t("plan_accept", lang), type="primary", key="plan_accept"):
        set_scenario(scenario().add(suggested_sites(sites, lang=lang)))
        st.rerun()
    with middle:
        download_buttons(table, sites, name="suggested_sites", lang=lang, key="plan_suggested")


def curve_tab(curve: pd.DataFrame | None, *, lang: str) -> None:
    """Coverage against the number of new sites: where more sites stop paying off."""
    if curve is None or curve.empty:
        st.info(t("plan_no_candidates", lang))
        return
    shown = curve_frame(curve, lang=lang)
    st.markdown(f"**{t('plan_curve_title', lang)}**")
    st.line_chart(shown, y_label=t("plan_curve_share", lang), x_label=t("plan_curve_k", lang))
    st.caption(t("plan_curve_note", lang))
    table = pd.DataFrame(
        {
            t("plan_curve_k", lang): curve["k"],
            t("plan_curve_new", lang): curve["new"].round(0).astype("int64"),
            t("plan_curve_marginal", lang): curve["marginal"].round(0).astype("int64"),
            t("plan_curve_share", lang): (100 * curve["share"]).round(2),
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")


def scenario_tab(value: Scenario, params: PlanParams, figures: pd.DataFrame, *, lang: str) -> None:
    """The scenario's changes, with save, open, share, delete and export."""
    if value.is_empty:
        st.info(t("plan_empty_scenario", lang))
    for position, site in enumerate(value.added):
        cols = st.columns([4, 1])
        cols[0].markdown(
            f"**{safe.markdown(site.name)}** · {safe.markdown(t(f'plan_origin_{site.origin}', lang))}"
            f" · {site.lat:.5f}, {site.lon:.5f}"
        )
        if cols[1].button(t("plan_drop", lang), key=f"plan_drop_{position}"):
            set_scenario(value.drop_added(position))
            st.rerun()
    for removed in value.removed:
        if any(s.moved_from == removed for s in value.added):
            continue
        cols = st.columns([4, 1])
        cols[0].markdown(t("plan_removed_line", lang, id=safe.markdown(removed)))
        if cols[1].button(t("plan_restore", lang), key=f"plan_restore_{removed}"):
            set_scenario(value.restore_existing(removed))
            st.rerun()
    st.divider()
    save_box(value, params, lang=lang)
    st.divider()
    saved_list(lang=lang)
    st.divider()
    left, right = st.columns(2)
    left.download_button(
        t("plan_export_sites", lang),
        lambda: sites_geojson(value),
        file_name="scenario_sites.geojson",
        mime="application/geo+json",
        key="plan_export_sites",
        on_click="ignore",
    )
    right.download_button(
        t("plan_export_figures", lang),
        lambda: figures_csv(figures, params),
        file_name="scenario_figures.csv",
        mime="text/csv",
        key="plan_export_figures",
        on_click="ignore",
    )


def save_box(value: Scenario, params: PlanParams, *, lang: str) -> None:
    """Name and save the scenario (new, or over the one opened if this session may); links."""
    current_id = st.session_state.get(SCENARIO_ID_KEY)
    name = st.text_input(
        t("plan_name", lang), value=st.session_state.get(NAME_KEY, ""), key="plan_name_input"
    )
    may_change = current_id is not None and state.can_edit("scenario", current_id)
    left, right = st.columns(2)
    save_new = left.button(t("plan_save_new", lang), key="plan_save_new")
    save_over = may_change and right.button(t("plan_save_over", lang), key="plan_save_over")
    if current_id is not None and not may_change:
        right.caption(t("plan_read_only", lang))
    new_token = ""
    if save_new or save_over:
        try:
            with uploads.store() as handle:
                if save_over:
                    stored = handle.save_scenario(
                        name,
                        value.with_params(params.to_dict()).to_dict(),
                        scenario_id=current_id,
                        **state.edit_rights("scenario", current_id),
                    )
                else:
                    stored = handle.save_scenario(
                        name, value.with_params(params.to_dict()).to_dict()
                    )
        except (ValueError, ScenarioNotFoundError, EditDeniedError, StoreError) as exc:
            st.error(t("plan_save_error", lang, error=uploads.problem_text(exc, lang=lang)))
            return
        if stored.edit_token:
            new_token = stored.edit_token
            state.keep_edit_token("scenario", stored.id, new_token)
        st.session_state[SCENARIO_ID_KEY] = stored.id
        st.session_state[NAME_KEY] = stored.name
        st.session_state[OPENED_KEY] = stored.id
        st.query_params["scenario"] = stored.id
        st.success(t("plan_saved", lang, name=safe.markdown(stored.name)))
        current_id = stored.id
    if current_id:
        st.caption(t("plan_share", lang))
        st.code(f"?scenario={current_id}", language=None)
    if new_token:
        st.warning(t("edit_link_once", lang))
        st.code(f"?scenario={current_id}&edit={new_token}", language=None)


def saved_list(*, lang: str) -> None:
    """The saved scenarios: open any; delete those this session may change."""
    try:
        with uploads.store() as handle:
            saved = handle.scenarios(limit=50)
    except StoreError as exc:
        st.error(t("plan_open_error", lang, error=uploads.problem_text(exc, lang=lang)))
        return
    st.markdown(f"**{t('plan_saved_list', lang)}**")
    if not saved:
        st.caption(t("plan_none_saved", lang))
        return
    for item in saved:
        cols = st.columns([4, 1, 1])
        cols[0].markdown(
            f"{safe.markdown(item.name)} · {len(item.payload.get('added', []))} "
            f"{t('plan_sites_word', lang)} · {item.updated_at[:16].replace('T', ' ')} UTC"
        )
        if cols[1].button(t("plan_open", lang), key=f"plan_open_{item.id}"):
            st.query_params["scenario"] = item.id
            st.session_state.pop(OPENED_KEY, None)
            st.rerun()
        if not state.can_edit("scenario", item.id):
            continue
        if cols[2].button(t("plan_delete", lang), key=f"plan_delete_{item.id}"):
            try:
                with uploads.store() as handle:
                    handle.delete_scenario(item.id, **state.edit_rights("scenario", item.id))
            except (ScenarioNotFoundError, EditDeniedError, StoreError) as exc:
                st.error(t("plan_save_error", lang, error=uploads.problem_text(exc, lang=lang)))
                return
            state.forget_edit_token("scenario", item.id)
            if st.session_state.get(SCENARIO_ID_KEY) == item.id:
                st.session_state.pop(SCENARIO_ID_KEY, None)
            st.rerun()


def check_tab(
    params: PlanParams,
    key: str,
    candidate_key: geo_params.Candidates,
    suggestion: Mapping[str, Any] | None,
    *,
    cell_m: float,
    lang: str,
) -> None:
    """Compare the suggestion with the exact optimum (a MILP solved in another process)."""
    st.caption(t("plan_check_intro", lang, seconds=fmt.integer(EXACT_TIME_LIMIT_S, lang)))
    if suggestion is None or suggestion["sites"].empty:
        st.info(t("plan_check_needs", lang))
        return
    wanted = (key, params)
    found = st.session_state.get(EXACT_KEY)
    if found is not None and found["for"] == wanted:
        _show_exact(found, lang=lang)
    running = st.session_state.get(JOB_KEY)
    if running is not None:
        _poll_exact(lang)
        return
    if st.button(t("plan_check_start", lang), key="plan_check_start"):
        problem = loaders.siting_problem(
            params.plan_params(scenario=key, candidates=candidate_key, cell_m=cell_m)
        )
        job = jobs.Job(siting.solve_exact, problem, k=params.k, time_limit_s=EXACT_TIME_LIMIT_S)
        greedy = float(suggestion["sites"].attrs.get("siting", {}).get("objective", 0.0))
        st.session_state[JOB_KEY] = {"job": job, "for": wanted, "greedy": greedy}
        st.rerun()


@st.fragment(run_every=1.0)
def _poll_exact(lang: str) -> None:
    """Progress of the exact solve (time used of the limit) with a cancel button."""
    running = st.session_state.get(JOB_KEY)
    if running is None:
        return
    job: jobs.Job = running["job"]
    if job.done():
        st.session_state.pop(JOB_KEY, None)
        try:
            exact = job.result()
        except jobs.JobFailedError as exc:
            st.session_state[EXACT_KEY] = {
                "for": running["for"],
                "error": t("plan_check_failed", lang, error=safe.markdown(exc)),
            }
        else:
            st.session_state[EXACT_KEY] = {
                "for": running["for"],
                "greedy": running["greedy"],
                "objective": exact.objective,
                "bound": exact.bound,
                "optimal": exact.optimal,
                "seconds": exact.seconds,
            }
        st.rerun()
    share = min(job.elapsed / EXACT_TIME_LIMIT_S, 1.0)
    st.progress(
        share,
        text=t(
            "plan_check_running",
            lang,
            seconds=fmt.integer(job.elapsed, lang),
            limit=fmt.integer(EXACT_TIME_LIMIT_S, lang),
        ),
    )
    if st.button(t("plan_check_cancel", lang), key="plan_check_cancel"):
        job.cancel()
        st.session_state.pop(JOB_KEY, None)
        st.session_state[EXACT_KEY] = {
            "for": running["for"],
            "error": t("plan_check_cancelled", lang),
        }
        st.rerun()


def _show_exact(found: Mapping[str, Any], *, lang: str) -> None:
    if "error" in found:
        st.warning(found["error"])
        return
    best = found["bound"] if not found["optimal"] and found["bound"] else found["objective"]
    gap = 0.0 if best <= 0 else max(0.0, (best - found["greedy"]) / best)
    st.success(
        t(
            "plan_check_optimal" if found["optimal"] else "plan_check_bound",
            lang,
            exact=fmt.integer(found["objective"], lang),
            bound=fmt.integer((found["bound"] or found["objective"]), lang),
            greedy=fmt.integer(found["greedy"], lang),
            gap=fmt.number(100 * gap, lang, digits=2),
            seconds=fmt.number(found["seconds"], lang, digits=1),
        )
    )


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

    state.mirror_params(params.to_query(), owned=PlanParams.QUERY_KEYS)
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


def _controls(offered: list[str], *, lang: str) -> tuple[PlanParams, str | None]:
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
    return params, network_error


def _suggest(
    params: PlanParams,
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
    params: PlanParams,
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
                layers[2:],
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
        selected, map_click = selecting_map(PAGE, base, layers, lang=lang, under=under, clicks=True)
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
