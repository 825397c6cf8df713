"""Pieces of the Data page: upload preview, layer downloads, the suggestion form."""

from __future__ import annotations

import datetime as dt

import folium
import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from geo import community, vocab
from geo.address import looks_like_address
from geo.errors import LayerError
from geo.io.upload import Upload
from geo.settings import get_settings
from geo.store import NewPlace
from ui import frame, loaders, state, uploads
from ui.i18n import error_text, label, t, tn
from ui.render import offline, safe
from ui.render.map_view import BOGOTA_VIEW, base_map, bounds_of, point_marker
from ui.views import address_search

MAX_SUGGESTIONS_PER_HOUR = 5
SUGGESTION_KINDS = ("cooperative", "home_care", "training", "care_block")


def preview(result: Upload, *, lang: str) -> None:
    """What an upload holds, before it is accepted: warnings, table and map."""
    st.subheader(tn("preview", len(result.frame), lang, name=safe.markdown(result.source_name)))
    for warning in result.warnings:  # they name the file's columns and values
        st.warning(safe.markdown(warning))
    table = result.frame.drop(columns=result.frame.geometry.name).head(200)
    st.dataframe(uploads.preview(table), hide_index=True)  # long text cut for the screen
    st_folium(preview_map(result.frame), key="upload_preview", height=360, returned_objects=[])


def preview_map(frame: gpd.GeoDataFrame) -> folium.Map:
    """A small offline map of any layer; text shown only as escaped tooltips."""
    box = bounds_of([frame])
    m = folium.Map(location=[BOGOTA_VIEW.lat, BOGOTA_VIEW.lon], zoom_start=5, tiles=None)
    if box is not None:
        south, west, north, east = box
        m.fit_bounds([[south, west], [north, east]], padding=(20, 20))
    shown = frame.to_crs(4326).head(5000)
    text_cols = [c for c in shown.columns if c != shown.geometry.name][:4]
    data = shown[[shown.geometry.name]].copy()
    data["_tip"] = [
        "<br>".join(
            f"<b>{safe.text(c)}</b>: {safe.text(uploads.shorten(row[c]))}" for c in text_cols
        )
        for _, row in shown.iterrows()
    ]
    folium.GeoJson(
        data.to_json(drop_id=True),
        marker=folium.CircleMarker(radius=5, fill=True, fill_opacity=0.9, color="#0072B2"),
        style_function=lambda _f: {"color": "#0072B2", "weight": 2, "fillOpacity": 0.3},
        tooltip=folium.GeoJsonTooltip(fields=["_tip"], labels=False),
    ).add_to(m)
    return offline.localize(m, static_url=get_settings().static_url)


def picker_map(*, lang: str) -> folium.Map:
    """A map to click the suggested place on: localidades and the care blocks for reference."""
    frames, _ = loaders.layers(["localidades", "care_blocks"])
    m = base_map(
        view=BOGOTA_VIEW,
        lang=lang,
        boundary_label=frame.boundary_label(),
        boundaries=[frames["localidades"]] if "localidades" in frames else [],
        legend_kinds=[],
    )
    if "suggest_lat" in st.session_state:
        point_marker([st.session_state["suggest_lat"], st.session_state["suggest_lon"]]).add_to(m)
    return offline.localize(m, static_url=get_settings().static_url)


def layer_downloads(frame: gpd.GeoDataFrame, *, name: str, lang: str, key: str) -> None:
    """GeoJSON, GeoPackage and CSV downloads of one layer."""
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:60] or "layer"
    formats = [  # (label, bytes when clicked, file extension, MIME type, key suffix)
        ("GeoJSON", lambda: uploads.geojson_bytes(frame), "geojson", "application/geo+json", "gj"),
        (
            "GeoPackage",
            lambda: uploads.gpkg_bytes(frame, layer=stem),
            "gpkg",
            "application/geopackage+sqlite3",
            "gpkg",
        ),
        ("CSV", lambda: uploads.table_csv(frame), "csv", "text/csv", "csv"),
    ]
    # Files are built when clicked, not on every rerun; a download does not rerun the page.
    for col, (text, data, ext, mime, suffix) in zip(st.columns(3), formats, strict=True):
        col.download_button(
            text, data, f"{stem}.{ext}", mime, key=f"{key}_{suffix}", on_click="ignore"
        )


def _set_point(lat: float, lon: float) -> None:
    """Callback: put the suggested place's point where a named place is."""
    st.session_state["suggest_lat"] = round(lat, 5)
    st.session_state["suggest_lon"] = round(lon, 5)


def suggestion_form(*, lang: str) -> None:
    """Suggest a care place: it goes to the moderators' queue.

    At most :data:`MAX_SUGGESTIONS_PER_HOUR` per client address, counted in the store
    (a new browser session does not reset it; see :func:`ui.state.client_address`).
    """
    st.caption(t("suggest_help", lang))
    st.caption(t("suggest_pick", lang))
    picked = st_folium(
        picker_map(lang=lang),
        key="suggest_picker",
        height=320,
        use_container_width=True,
        returned_objects=["last_clicked"],
    )
    # streamlit-folium copies each new value into st.session_state[key] (its on_change);
    # read it there: the value returned can come from a remounted map and miss the click.
    click = (st.session_state.get("suggest_picker") or picked or {}).get("last_clicked")
    if click and (click["lat"], click["lng"]) != st.session_state.get("_suggest_click"):
        st.session_state["_suggest_click"] = (click["lat"], click["lng"])
        st.session_state["suggest_lat"] = round(float(click["lat"]), 5)
        st.session_state["suggest_lon"] = round(float(click["lng"]), 5)
    st.session_state.setdefault("suggest_lat", 4.60)
    st.session_state.setdefault("suggest_lon", -74.08)
    # ... or by a place's name, with the offline gazetteer (typos and accents forgiven)
    name_query = st.text_input(t("suggest_find_place", lang), key="suggest_find", max_chars=100)
    if name_query.strip() and looks_like_address(name_query):  # an address: the locator
        found = address_search.find(name_query, lang=lang)
        if found is not None and st.session_state.get("_suggest_address") != name_query:
            st.session_state["_suggest_address"] = name_query
            _set_point(found.lat, found.lon)
    elif name_query.strip():
        matches = loaders.gazetteer().search(name_query, limit=4)
        if not matches:
            st.caption(t("near_unknown_place", lang))
        for n, match in enumerate(matches):
            st.button(
                safe.markdown(loaders.place_label(match.place)),  # a label is Markdown
                key=f"suggest_place_{n}",
                on_click=_set_point,
                args=(match.place.lat, match.place.lon),
            )
    # Outside the form, so a click on the map updates them at once.
    c1, c2 = st.columns(2)
    lat = c1.number_input(
        t("suggest_lat", lang), min_value=-60.0, max_value=35.0, format="%.5f", key="suggest_lat"
    )
    lon = c2.number_input(
        t("suggest_lon", lang), min_value=-120.0, max_value=-30.0, format="%.5f", key="suggest_lon"
    )
    with st.form("suggest", clear_on_submit=False):
        name = st.text_input(t("suggest_name", lang), max_chars=200)
        kind = st.selectbox(
            t("suggest_kind", lang), SUGGESTION_KINDS, format_func=lambda k: label("kind", k, lang)
        )
        populations = st.multiselect(
            t("suggest_populations", lang),
            vocab.POPULATIONS,
            format_func=lambda c: label("populations", c, lang),
        )
        services = st.multiselect(
            t("suggest_services", lang),
            vocab.SERVICES,
            format_func=lambda c: label("services", c, lang),
        )
        operator = st.selectbox(
            t("suggest_operator", lang),
            vocab.OPERATORS,
            index=2,
            format_func=lambda c: label("operator", c, lang),
        )
        place_name = st.text_input(t("suggest_place_name", lang), max_chars=200)
        hours = st.text_input(t("suggest_hours", lang), max_chars=200)
        contact = st.text_input(t("suggest_contact", lang), max_chars=200)
        how_known = st.text_area(t("suggest_how_known", lang), max_chars=1000)
        sent = st.form_submit_button(t("suggest_send", lang))
    if not sent:
        return
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    try:
        with uploads.store() as store:
            client = store.client_key(state.client_address())
            place = community.validate_place(
                NewPlace(
                    name=name,
                    kind=kind,
                    populations=vocab.CODE_SEPARATOR.join(populations),
                    services=vocab.CODE_SEPARATOR.join(services),
                    operator=operator,
                    lon=float(lon),
                    lat=float(lat),
                    place_name=place_name,
                    hours=hours,
                    contact=contact,
                    how_known=how_known,
                    submitter=client,
                ),
                lang=lang,
            )
            if store.submissions_since(client, since) >= MAX_SUGGESTIONS_PER_HOUR:
                st.error(tn("suggest_rate_limited", MAX_SUGGESTIONS_PER_HOUR, lang))
                return
            saved = store.submit(place)
    except LayerError as problem:
        st.error(safe.markdown(error_text(problem, lang)))
        return
    st.success(t("suggest_saved", lang, name=safe.markdown(saved.name)))
