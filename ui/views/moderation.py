"""Moderation: sign in, review suggested places, approve, edit or reject; the audit log."""

from __future__ import annotations

import dataclasses
import logging

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import community, moderators, viewport
from geo.errors import LayerError
from geo.settings import Settings
from geo.store import Place, Store, StoreError
from ui import loaders, state, uploads
from ui.i18n import label, t, tn
from ui.render import safe

log = logging.getLogger(__name__)
_SIGNED_IN = state.SIGNED_IN_KEY
_QUEUE_PAGE = "_moderator_queue_page"
POINT_LAYERS = ("care_blocks", "care_bus_stops", "home_care", "cooperatives")
PAGE_SIZE = 20
"""Pending suggestions shown per page of the queue (every one is reachable by page)."""
DUPLICATE_RADIUS_M = 100.0


def panel(*, lang: str, settings: Settings) -> None:
    """The moderators' tab."""
    if settings.moderator_password_hash:
        log.warning(moderators.LEGACY_WARNING)
        st.warning(t("moderation_legacy_setting", lang))
    try:
        with uploads.store() as store:
            enabled = moderators.enabled(store, settings)
            moderator = state.signed_in_moderator()
            # an account removed (python -m geo moderator remove) signs its sessions out
            if moderator and store.moderator_password_hash(moderator) is None:
                st.session_state.pop(_SIGNED_IN, None)
                moderator = None
    except StoreError:
        log.exception("The store cannot be opened for moderation")
        st.error(t("moderation_store_error", lang))
        return
    if not enabled:
        st.info(t("moderation_disabled", lang))
        return
    if not moderator:
        _sign_in(lang=lang, settings=settings)
        return
    st.caption(t("moderation_signed_in", lang, name=safe.markdown(moderator)))
    if st.button(t("moderation_sign_out", lang), key="mod_sign_out"):
        st.session_state.pop(_SIGNED_IN, None)
        st.rerun()
    with uploads.store() as store:
        waiting = store.count_pending()
        pages = max(1, -(-waiting // PAGE_SIZE))
        page = min(st.session_state.get(_QUEUE_PAGE, 1), pages)
        if pages > 1:
            # the key carries the page count: a widget of a longer queue never holds a
            # page that no longer exists
            page = int(
                st.number_input(
                    t("moderation_page", lang), 1, pages, page, step=1, key=f"mod_page_{pages}"
                )
            )
        st.session_state[_QUEUE_PAGE] = page
        queue = store.pending(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        nearby = {place.id: _approved_near(store, place) for place in queue}
    if not queue:
        st.success(t("moderation_empty", lang))
    else:
        first = (page - 1) * PAGE_SIZE + 1
        st.caption(
            tn("moderation_queue_count", waiting, lang, first=first, last=first + len(queue) - 1)
        )
    for place in queue:
        _review(place, _existing_places(nearby[place.id]), moderator=moderator, lang=lang)
    st.subheader(t("moderation_audit", lang))
    with uploads.store() as store:
        st.dataframe(store.audit_log(limit=200), hide_index=True, width="stretch")
        st.subheader(t("moderation_sign_in_log", lang))
        st.dataframe(store.sign_in_log(limit=200), hide_index=True, width="stretch")


def _sign_in(*, lang: str, settings: Settings) -> None:
    """The sign-in form; failures and lockouts are kept in the store (geo.moderators)."""
    with st.form("moderator_sign_in"):
        name = st.text_input(t("moderation_name", lang), max_chars=80)
        password = st.text_input(t("moderation_password", lang), type="password")
        sent = st.form_submit_button(t("moderation_sign_in", lang))
    if not sent:
        return
    with uploads.store() as store:
        result = moderators.sign_in(
            store,
            name,
            password,
            client=store.client_key(state.client_address()),
            legacy_hash=settings.moderator_password_hash,
        )
    if result.account is not None:
        st.session_state[_SIGNED_IN] = result.account
        st.rerun()
    if result.locked:
        st.error(t("moderation_wait", lang, seconds=f"{result.wait_s:.0f}"))
    else:
        st.error(t("moderation_failed", lang))


def _approved_near(store: Store, place: Place) -> gpd.GeoDataFrame:
    """Approved places around a suggestion (a box a little larger than the duplicate radius)."""
    box = viewport.bbox_around(place.lat, place.lon, 2 * DUPLICATE_RADIUS_M)
    return store.approved(bbox=box)


def _existing_places(approved: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frames, _ = loaders.layers(list(POINT_LAYERS))
    parts = [frame[["name", "geometry"]] for frame in frames.values()]
    if not approved.empty:
        parts.append(approved[["name", "geometry"]])
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=4326)


def _review(place: Place, existing: gpd.GeoDataFrame, *, moderator: str, lang: str) -> None:
    with st.container(border=True):
        st.markdown(f"**{safe.markdown(place.name)}** · {label('kind', place.kind, lang)}")
        details = pd.DataFrame(
            {
                t("field", lang): [
                    t("populations", lang),
                    t("services", lang),
                    t("operator", lang),
                    t("suggest_place_name", lang),
                    t("suggest_hours", lang),
                    t("suggest_contact", lang),
                    t("suggest_how_known", lang),
                    "lat, lon",
                    t("moderation_submitted", lang),
                ],
                t("value", lang): [
                    place.populations,
                    place.services,
                    label("operator", place.operator, lang),
                    place.place_name,
                    place.hours,
                    place.contact,
                    place.how_known,
                    f"{place.lat:.5f}, {place.lon:.5f}",
                    place.submitted_at,
                ],
            }
        )
        st.table(safe.table(details.set_index(t("field", lang))))  # cells are Markdown: escaped
        duplicates = community.likely_duplicates(place, existing, within_m=DUPLICATE_RADIUS_M)
        if not duplicates.empty:
            st.warning(
                t(
                    "moderation_duplicates",
                    lang,
                    names=safe.markdown(", ".join(map(str, duplicates["name"].head(5)))),
                )
            )
        new_name = st.text_input(
            t("suggest_name", lang), value=place.name, key=f"edit_name_{place.id}"
        )
        new_hours = st.text_input(
            t("suggest_hours", lang), value=place.hours, key=f"edit_hours_{place.id}"
        )
        c1, c2, c3 = st.columns(3)
        action = None
        if c1.button(t("moderation_approve", lang), key=f"approve_{place.id}", type="primary"):
            action = "approve"
        if c2.button(t("moderation_save_edit", lang), key=f"edit_{place.id}"):
            action = "edit"
        if c3.button(t("moderation_reject", lang), key=f"reject_{place.id}"):
            action = "reject"
        if action is None:
            return
        changes = {"name": new_name, "hours": new_hours} if action in ("edit", "approve") else None
        try:
            if changes:
                # an edit passes the same checks as a suggestion
                checked = community.validate_place(
                    dataclasses.replace(place.as_new(), name=new_name, hours=new_hours), lang=lang
                )
                changes = {"name": checked.name, "hours": checked.hours}
            with uploads.store() as store:
                store.moderate(place.id, action=action, moderator=moderator, changes=changes)
            loaders.community_places.clear()  # the maps show the decision at once
        except LayerError as problem:
            st.error(safe.markdown(problem))
            return
        st.toast(t(f"moderation_done_{action}", lang))
        st.rerun()
