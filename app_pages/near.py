"""Cerca de mí / Near me: the care services closest to a place, for community groups, on a phone."""

from __future__ import annotations

import datetime as dt

import streamlit as st
from streamlit_folium import st_folium

from geo import profiles, vocab
from ui import frame, loaders
from ui.filters import kept_multiselect
from ui.geolocate import geolocate
from ui.i18n import label, t
from ui.render import safe
from ui.views import address_search, near_view

PAGE = "near"
POINT = "_near_point"  # (lat, lon, label) of the place the person chose last

lang = frame.draw(page_default_language="es")
st.markdown(near_view.PRINT_CSS, unsafe_allow_html=True)  # static CSS only, no data text
st.title(t("near_title", lang))
st.caption(t("near_intro", lang))

if POINT not in st.session_state:
    try:
        st.session_state[POINT] = (
            float(st.query_params["plat"]),
            float(st.query_params["plon"]),
            st.query_params.get("place", ""),
        )
    except (KeyError, ValueError):
        st.session_state[POINT] = None

# 1. Where: a place name (suggestions as you type; typos answered with "did you mean")
gazetteer = loaders.gazetteer()
names = loaders.gazetteer_labels()
typed = st.selectbox(
    t("near_where", lang),
    near_view.search_options(names, lang),
    index=None,
    placeholder=t("near_where_placeholder", lang),
    accept_new_options=True,
    key="near_place",
)
if typed and typed != st.session_state.get("_near_typed"):
    st.session_state["_near_typed"] = typed
    if typed in names:
        place = loaders.gazetteer_place(typed)
        st.session_state[POINT] = (place.lat, place.lon, typed)
    else:  # a new search: the previous place's results leave the screen
        st.session_state[POINT] = None
        for param in ("plat", "plon", "place"):
            st.query_params.pop(param, None)
meaning, matches = near_view.resolve_typed(typed or "", names, gazetteer)
if typed and meaning == "address":  # an address: the offline locator, not the gazetteer
    found = address_search.find(typed, lang=lang)
    if found is not None and st.session_state.get("_near_address") != typed:
        st.session_state["_near_address"] = typed
        st.session_state[POINT] = (found.lat, found.lon, found.matched)
elif typed and meaning != "listed":
    if meaning == "suggest":
        st.markdown(t("near_did_you_mean", lang))
        for n, match in enumerate(matches):
            st.button(
                loaders.place_label(match.place),
                key=f"near_suggest_{n}",
                use_container_width=True,
                on_click=near_view.choose_place,
                args=(loaders.place_label(match.place), match.place.lat, match.place.lon),
            )
    else:
        st.info(t("near_unknown_place", lang))

# 2. Or the browser's location, asked only when the person presses the button
located = geolocate(
    label=t("near_locate", lang),
    asking=t("near_locate_asking", lang),
    found=t("near_locate_found", lang),
    denied=t("near_locate_denied", lang),
    unavailable=t("near_locate_unavailable", lang),
    lang=lang,
    key="near_geolocate",
)
if located and located.get("at") != st.session_state.get("_near_located_at"):
    st.session_state["_near_located_at"] = located.get("at")
    if "lat" in located:
        st.session_state[POINT] = (located["lat"], located["lon"], t("near_my_location", lang))

# Who and what: filters in plain words
c1, c2 = st.columns(2)
with c1:
    populations = kept_multiselect(
        t("near_for_whom", lang),
        list(vocab.POPULATIONS),
        keep="near_populations",
        lang=lang,
        format_func=lambda c: label("populations", c, lang),
        param="pop",
    )
with c2:
    services = kept_multiselect(
        t("near_what", lang),
        loaders.near_service_codes(),
        keep="near_services",
        lang=lang,
        format_func=lambda c: label("services", c, lang),
        param="svc",
    )
c3, c4 = st.columns(2)
operators = c3.multiselect(
    t("operator", lang),
    list(vocab.OPERATORS),
    format_func=lambda c: label("operator", c, lang),
    key=f"near_operators_{lang}",
    placeholder=t("filter_any", lang),
)
known_hours = loaders.near_known_hours()
open_now = c4.toggle(t("near_open_now", lang), key="near_open_now", disabled=known_hours == 0)
if known_hours == 0:
    c4.caption(t("near_no_hours", lang))

point = st.session_state[POINT]
minutes = 15
radius = profiles.reach_m(minutes)
frames, _ = loaders.layers(["localidades"])
boundaries = [frames["localidades"]] if "localidades" in frames else []

if point is None:
    st.info(t("near_choose_place", lang))
    results = None
else:
    lat, lon, place_label = point
    st.query_params.update({"plat": f"{lat:.5f}", "plon": f"{lon:.5f}", "place": place_label})
    # the place may come from the URL (?place=): shown as text
    shown_place = safe.markdown(place_label) if place_label else f"{lat:.4f}, {lon:.4f}"
    st.subheader(t("near_results_for", lang, place=shown_place))
    answer, store_problem = loaders.nearest(
        lat,
        lon,
        services=tuple(services),
        populations=tuple(populations),
        operators=tuple(operators),
        open_now_at=dt.datetime.now() if open_now else None,
    )
    if store_problem:
        st.warning(t("store_unavailable", lang), icon="⚠️")
    results = loaders.along_streets(answer.frame, lat=lat, lon=lon)
    if results.empty:
        st.warning(t("near_nothing", lang))
    elif answer.far:
        first = results.iloc[0]
        st.warning(
            t("near_far", lang, minutes=f"{first['walk_minutes']:.0f}", name=first.get("name", ""))
        )
        if not answer.nearer_bus_stops.empty:
            stop = answer.nearer_bus_stops.iloc[0]
            st.info(
                t(
                    "near_bus_nearer",
                    lang,
                    name=stop.get("name", ""),
                    minutes=f"{stop['walk_minutes']:.0f}",
                )
            )

# The map: the person's point, the numbered results and the walking zone; a click sets the point
if point is None:
    picker = near_view.result_map(
        loaders.empty_results(),
        origin=(4.63, -74.11),
        radius_m=0.1,
        lang=lang,
        boundaries=boundaries,
    )
else:
    network, _ = loaders.street_network()
    picker = near_view.result_map(
        results,
        origin=(point[0], point[1]),
        radius_m=radius,
        lang=lang,
        boundaries=boundaries,
        zone=(
            loaders.network_catchments(
                ((round(point[1], 6), round(point[0], 6)),), loaders.walk_m(minutes, "adult")
            )
            if network is not None
            else None
        ),
    )
st_folium(
    picker, key="near_map", height=420, use_container_width=True, returned_objects=["last_clicked"]
)
clicked = near_view.picker_click("near_map")
if clicked and clicked != st.session_state.get("_near_clicked"):
    st.session_state["_near_clicked"] = clicked
    st.session_state[POINT] = (clicked[0], clicked[1], t("near_point_on_map", lang))
    st.rerun()
st.caption(t("near_map_hint", lang, minutes=minutes))

if results is not None and not results.empty:
    for _, row in results.iterrows():
        near_view.card(row, lang=lang, origin=(point[0], point[1]))
    st.caption(t("near_print_share", lang))
