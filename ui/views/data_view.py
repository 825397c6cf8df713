"""The Data page: upload, my layers, suggest a place, import, moderate, download.

``app_pages/data.py`` draws the frame and calls :func:`render`.
"""

from __future__ import annotations

import datetime as dt

import folium
import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from geo import community, vocab
from geo.address import looks_like_address
from geo.errors import LayerError, NeedsChoice
from geo.io import remote
from geo.io import upload as ingest
from geo.io.upload import Upload
from geo.settings import Settings, get_settings
from geo.store import NewPlace, StoreError
from ui import frame, loaders, state, uploads
from ui.components import download, kept_choice
from ui.i18n import error_text, label, t, tn
from ui.render import offline, safe
from ui.render.map_view import BOGOTA_VIEW, base_map, bounds_of, point_marker
from ui.views import address_search, moderation

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
    formats = [  # (label, bytes when clicked, file extension, key suffix)
        ("GeoJSON", lambda: uploads.geojson_bytes(frame), "geojson", "gj"),
        ("GeoPackage", lambda: uploads.gpkg_bytes(frame, layer=stem), "gpkg", "gpkg"),
        ("CSV", lambda: uploads.table_csv(frame), "csv", "csv"),
    ]
    # Files are built when clicked, not on every rerun; a download does not rerun the page.
    for col, (text, data, ext, suffix) in zip(st.columns(3), formats, strict=True):
        download(col, text, data, f"{stem}.{ext}", key=f"{key}_{suffix}")


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


# ----------------------------------------------------------------------------- the page

PAGE = "data"
UPLOAD_ROUND = "_upload_round"
"""A new uploader widget key each round: an empty uploader takes the next file."""


def render(lang: str) -> None:
    """The Data page's body, below the shared frame (``app_pages/data.py``)."""
    settings = get_settings()
    st.title(t("data_title", lang))
    st.caption(t("data_intro", lang))

    tab_upload, tab_mine, tab_suggest, tab_import, tab_moderate, tab_download = st.tabs(
        [
            t("tab_upload", lang),
            t("tab_my_layers", lang),
            t("tab_suggest", lang),
            t("tab_import", lang),
            t("tab_moderate", lang),
            t("tab_download", lang),
        ]
    )
    with tab_upload:
        _upload_tab(settings, lang=lang)
    with tab_mine:
        _my_layers_tab(lang=lang)
    with tab_suggest:
        try:
            suggestion_form(lang=lang)
        except StoreError as exc:  # the form stays drawn above; the other tabs keep working
            st.error(t("suggest_store_error", lang, error=uploads.problem_text(exc, lang=lang)))
    with tab_import:
        _import_tab(settings, lang=lang)
    with tab_moderate:
        try:
            moderation.panel(lang=lang, settings=settings)
        except StoreError as exc:  # the tabs after this one keep working
            st.error(t("moderation_queue_error", lang, error=uploads.problem_text(exc, lang=lang)))
    with tab_download:
        _download_tab(lang=lang)


def _next_upload_round() -> None:
    st.session_state[UPLOAD_ROUND] = st.session_state.get(UPLOAD_ROUND, 0) + 1


def _upload_tab(settings: Settings, *, lang: str) -> None:
    """Upload a file: its questions, its preview, accept it or see why it was refused."""
    if flash := st.session_state.pop("_upload_flash", None):
        st.success(flash)
    st.caption(t("upload_help", lang, mb=f"{settings.max_upload_mb:g}"))
    file = st.file_uploader(
        t("upload_label", lang),
        type=None,
        accept_multiple_files=False,
        # the browser refuses a larger file before sending it (Streamlit's server limit,
        # server.maxUploadSize, is set to the same by make run)
        max_upload_size=settings.streamlit_upload_mb,
        key=f"upload_{st.session_state.get(UPLOAD_ROUND, 0)}",
    )
    before = uploads.pending()
    if (
        file is not None
        and (before is None or before.name != file.name)  # a new file
        and not uploads.take(file, settings=settings, lang=lang)  # over the cap
    ):
        _next_upload_round()
        st.rerun()
    waiting = uploads.pending()
    if waiting is not None:
        try:
            with uploads.as_file(waiting.name, waiting.data) as path:
                result = ingest.read_upload(
                    path,
                    filename=waiting.name,
                    choices=waiting.choices,
                    settings=settings,
                    lang=lang,
                )
        except NeedsChoice as question:
            st.warning(safe.markdown(question))
            # option labels name the file's columns: shown as text
            options = {
                option.value: safe.markdown(getattr(option, f"label_{lang}"))
                for option in question.options
            }
            answer = st.radio(
                t(f"question_{question.question}", lang),
                list(options),
                format_func=options.__getitem__,
                key=f"answer_{question.question}",
            )
            if st.button(t("continue", lang), key="answer_continue"):
                waiting.choices[question.question] = answer
                st.rerun()
        except LayerError as problem:
            # the bytes are dropped now, not when the person moves on; an empty
            # uploader takes the next file
            uploads.reject(waiting.name, error_text(problem, lang))
            _next_upload_round()
            st.rerun()
        else:
            preview(result, lang=lang)
            if st.button(t("upload_accept", lang), type="primary", key="upload_accept"):
                name = uploads.add_layer(result.source_name, result.frame)
                uploads.set_pending(None)
                _next_upload_round()
                st.session_state["_upload_flash"] = tn(
                    "upload_added", len(result.frame), lang, name=safe.markdown(name)
                )
                st.rerun()  # show an empty uploader for the next file
    elif refused := uploads.rejected():
        st.error(safe.markdown(refused[1]))
        st.caption(t("upload_nothing_lost", lang))
        if st.button(t("upload_dismiss", lang), key="upload_dismiss"):
            uploads.dismiss_rejected()
            _next_upload_round()
            st.rerun()


def _my_layers_tab(*, lang: str) -> None:
    """The layers this session brought: a look, downloads, remove."""
    mine = uploads.layers()
    if not mine:
        st.caption(t("my_layers_empty", lang))
    for n, (name, layer) in enumerate(list(mine.items())):
        with st.expander(f"{safe.markdown(name)} · {len(layer)}", expanded=False):
            table = layer.drop(columns=layer.geometry.name).head(200)
            st.dataframe(uploads.preview(table), hide_index=True)
            layer_downloads(layer, name=name, lang=lang, key=f"mine_{n}")
            if st.button(t("remove", lang), key=f"remove_{n}"):
                uploads.remove_layer(name)
                st.rerun()


def _import_tab(settings: Settings, *, lang: str) -> None:
    """Import a layer from an ArcGIS REST or WFS service."""
    st.caption(t("import_help", lang))
    kind = kept_choice(
        t("import_kind", lang),
        ["arcgis", "wfs"],
        keep="import_kind",
        lang=lang,
        format_func=lambda k: t(f"import_{k}", lang),
    )
    url = st.text_input(t("import_url", lang), key="import_url")
    type_name = (
        st.text_input(t("import_type_name", lang), key="import_type_name") if kind == "wfs" else ""
    )
    if not (st.button(t("import_run", lang), key="import_run") and url):
        return
    try:
        with st.spinner(t("import_running", lang)):
            if not settings.allow_private_imports:
                remote.check_public_host(url, lang=lang)
            if kind == "arcgis":
                imported = remote.import_arcgis(url, max_features=settings.max_features, lang=lang)
            else:
                imported = remote.import_wfs(
                    url, type_name=type_name, max_features=settings.max_features, lang=lang
                )
    except LayerError as problem:
        st.error(safe.markdown(error_text(problem, lang)))
        return
    source = url.split("?")[0].rstrip("/").rsplit("/", 2)[-2] or "import"
    # one text value may not hold a whole file (CARE_ATLAS_MAX_VALUE_CHARS)
    imported, cut = ingest.cap_text_values(imported, name=source, settings=settings, lang=lang)
    for note in cut:
        st.warning(safe.markdown(note))
    name = uploads.add_layer(source, imported)
    st.success(tn("upload_added", len(imported), lang, name=safe.markdown(name)))


def _download_tab(*, lang: str) -> None:
    """Download a bundled layer."""
    registry = loaders.registry()
    choice = kept_choice(
        t("download_layer", lang),
        list(registry.layers),
        keep="download_layer",
        lang=lang,
        format_func=lambda layer_id: registry[layer_id].title[lang],
    )
    try:
        chosen = loaders.layer(choice)
    except LayerError as problem:
        st.error(safe.markdown(problem))
    else:
        layer_downloads(chosen, name=choice, lang=lang, key="bundled")
