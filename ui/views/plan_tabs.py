"""The Plan page's tabs: the suggestion, the coverage curve, the scenario and the exact check.

The tables and exports they show are drawn without Streamlit in :mod:`ui.render.plan_tables`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import params as geo_params
from geo import siting
from geo.scenarios import Scenario
from geo.store import EditDeniedError, ScenarioNotFoundError, StoreError
from ui import jobs, loaders, state, uploads
from ui.components import (
    download,
    download_buttons,
)
from ui.i18n import t
from ui.plan_state import PlanState
from ui.render import fmt, safe
from ui.render.plan_tables import (
    area_labels,
    curve_frame,
    figures_csv,
    sites_geojson,
    suggested_sites,
    suggestion_table,
)
from ui.views.plan_scenario import NAME_KEY, OPENED_KEY, SCENARIO_ID_KEY, scenario, set_scenario

JOB_KEY = "_plan_exact_job"
EXACT_KEY = "_plan_exact_result"
EXACT_TIME_LIMIT_S = 120.0


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


def scenario_tab(value: Scenario, params: PlanState, figures: pd.DataFrame, *, lang: str) -> None:
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
    download(
        left,
        t("plan_export_sites", lang),
        lambda: sites_geojson(value),
        "scenario_sites.geojson",
        key="plan_export_sites",
    )
    download(
        right,
        t("plan_export_figures", lang),
        lambda: figures_csv(figures, params),
        "scenario_figures.csv",
        key="plan_export_figures",
    )


def save_box(value: Scenario, params: PlanState, *, lang: str) -> None:
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
                    assert current_id is not None  # save_over needs may_change, which needs it
                    stored = handle.save_document(
                        "scenario",
                        name,
                        value.with_params(params.to_dict()).to_dict(),
                        document_id=current_id,
                        **state.edit_rights("scenario", current_id),
                    )
                else:
                    stored = handle.save_document(
                        "scenario", name, value.with_params(params.to_dict()).to_dict()
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
            saved = handle.documents("scenario", limit=50)
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
                    handle.delete_document(
                        "scenario", item.id, **state.edit_rights("scenario", item.id)
                    )
            except (ScenarioNotFoundError, EditDeniedError, StoreError) as exc:
                st.error(t("plan_save_error", lang, error=uploads.problem_text(exc, lang=lang)))
                return
            state.forget_edit_token("scenario", item.id)
            if st.session_state.get(SCENARIO_ID_KEY) == item.id:
                st.session_state.pop(SCENARIO_ID_KEY, None)
            st.rerun()


def check_tab(
    params: PlanState,
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
    job = jobs.poll(JOB_KEY, finish=lambda running, result: _keep_exact(running, result, lang))
    if job is None:
        return
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
    jobs.cancel_button(
        JOB_KEY,
        t("plan_check_cancel", lang),
        button_key="plan_check_cancel",
        finish=lambda running: _keep_exact(running, None, lang),
    )


def _keep_exact(running: Mapping[str, Any], result: Any, lang: str) -> None:
    """Keep what the exact solve ended with: its figures, its failure, or (``None``) cancelled."""
    if result is None:
        found = {"for": running["for"], "error": t("plan_check_cancelled", lang)}
    elif isinstance(result, jobs.JobFailedError):
        found = {
            "for": running["for"],
            "error": t("plan_check_failed", lang, error=safe.markdown(result)),
        }
    else:
        found = {
            "for": running["for"],
            "greedy": running["greedy"],
            "objective": result.objective,
            "bound": result.bound,
            "optimal": result.optimal,
            "seconds": result.seconds,
        }
    st.session_state[EXACT_KEY] = found


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
