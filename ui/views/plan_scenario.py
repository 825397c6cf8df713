"""The Plan page's scenario in the session: open, edit by clicks, candidate sites.

The scenario being edited lives in ``st.session_state`` (one per browser session); a
scenario link (``?scenario=``) or a copied Plan link puts its sites and settings back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from geo import params as geo_params
from geo.errors import LayerError
from geo.scenarios import PROPOSED_LAYER, Scenario, Site
from geo.store import ScenarioNotFoundError, StoreError
from ui import loaders, state, uploads
from ui.i18n import t
from ui.plan_state import CANDIDATE_KINDS, PlanState
from ui.render import safe
from ui.render.plan_tables import (
    check_scenario,
)

PAGE = "plan"
SCENARIO_KEY = "_plan_scenario"
SCENARIO_ID_KEY = "_plan_scenario_id"
SUGGESTION_KEY = "_plan_suggestion"
LAST_CLICK_KEY = "_plan_last_click"
CLICKED_KEY = "_plan_clicked_candidates"
NAME_KEY = "_plan_name"
OPENED_KEY = "_plan_opened"
URL_OPENED_KEY = "_plan_url_opened"
CLICK_MODES = ("select", "add", "candidate", "move")


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


def candidates_key(params: PlanState) -> geo_params.Candidates:
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
            stored = handle.get_document("scenario", wanted)
            if token is not None:
                if handle.can_edit_document("scenario", stored.id, token):
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
    restore_widgets(PlanState.from_dict(opened.params, codes=offered))


def open_url_settings(*, offered: Sequence[str]) -> None:
    """Put the settings a copied Plan link carries in the widgets, once per session.

    A scenario link (``?scenario=``) brings its own saved settings and wins.
    """
    query = state.url_params()
    if st.session_state.get(URL_OPENED_KEY) or "scenario" in query:
        return
    st.session_state[URL_OPENED_KEY] = True
    if any(key in query for key in PlanState.QUERY_KEYS):
        restore_widgets(PlanState.from_query(query, codes=offered))


def restore_widgets(params: PlanState) -> None:
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


def current_suggestion(params: PlanState, key: str) -> dict[str, Any] | None:
    """The last suggestion, if it was made for these parameters and this scenario."""
    found = st.session_state.get(SUGGESTION_KEY)
    if not found or found["key"] != key:
        return None
    asked = found["params"]
    if dataclasses.replace(asked, k=params.k) != dataclasses.replace(params, k=params.k):
        return None
    return found


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
