"""Data: bring your own layers, suggest a care place, moderate suggestions, download layers."""

from __future__ import annotations

import streamlit as st

from geo.errors import LayerError, NeedsChoice
from geo.io import remote
from geo.io import upload as ingest
from geo.settings import get_settings
from geo.store import StoreError
from ui import frame, loaders, uploads
from ui.components import kept_choice
from ui.i18n import error_text, t, tn
from ui.render import safe
from ui.views import moderation
from ui.views.data_view import layer_downloads, preview, suggestion_form

PAGE = "data"

lang = frame.draw()
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
        key=f"upload_{st.session_state.get('_upload_round', 0)}",
    )
    new_file = file is not None and (
        uploads.pending() is None or uploads.pending().name != file.name
    )
    if new_file and not uploads.take(file, settings=settings, lang=lang):  # over the cap
        st.session_state["_upload_round"] = st.session_state.get("_upload_round", 0) + 1
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
            st.session_state["_upload_round"] = st.session_state.get("_upload_round", 0) + 1
            st.rerun()
        else:
            preview(result, lang=lang)
            if st.button(t("upload_accept", lang), type="primary", key="upload_accept"):
                name = uploads.add_layer(result.source_name, result.frame)
                uploads.set_pending(None)
                st.session_state["_upload_round"] = st.session_state.get("_upload_round", 0) + 1
                st.session_state["_upload_flash"] = tn(
                    "upload_added", len(result.frame), lang, name=safe.markdown(name)
                )
                st.rerun()  # show an empty uploader for the next file
    elif refused := uploads.rejected():
        st.error(safe.markdown(refused[1]))
        st.caption(t("upload_nothing_lost", lang))
        if st.button(t("upload_dismiss", lang), key="upload_dismiss"):
            uploads.dismiss_rejected()
            st.session_state["_upload_round"] = st.session_state.get("_upload_round", 0) + 1
            st.rerun()

with tab_mine:
    mine = uploads.layers()
    if not mine:
        st.caption(t("my_layers_empty", lang))
    for n, (name, layer) in enumerate(list(mine.items())):
        with st.expander(f"{safe.markdown(name)} · {len(layer)}", expanded=False):
            table = layer.drop(columns=layer.geometry.name).head(200)
            st.dataframe(uploads.preview(table), hide_index=True)
            layer_downloads(
                layer,
                name=name,
                lang=lang,
                key=f"mine_{n}",
            )
            if st.button(t("remove", lang), key=f"remove_{n}"):
                uploads.remove_layer(name)
                st.rerun()

with tab_suggest:
    try:
        suggestion_form(lang=lang)
    except StoreError as exc:  # the form stays drawn above; the other tabs keep working
        st.error(t("suggest_store_error", lang, error=uploads.problem_text(exc, lang=lang)))

with tab_import:
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
    if st.button(t("import_run", lang), key="import_run") and url:
        try:
            with st.spinner(t("import_running", lang)):
                if not settings.allow_private_imports:
                    remote.check_public_host(url, lang=lang)
                if kind == "arcgis":
                    imported = remote.import_arcgis(
                        url, max_features=settings.max_features, lang=lang
                    )
                else:
                    imported = remote.import_wfs(
                        url, type_name=type_name, max_features=settings.max_features, lang=lang
                    )
        except LayerError as problem:
            st.error(safe.markdown(error_text(problem, lang)))
        else:
            source = url.split("?")[0].rstrip("/").rsplit("/", 2)[-2] or "import"
            # one text value may not hold a whole file (CARE_ATLAS_MAX_VALUE_CHARS)
            imported, cut = ingest.cap_text_values(
                imported, name=source, settings=settings, lang=lang
            )
            for note in cut:
                st.warning(safe.markdown(note))
            name = uploads.add_layer(source, imported)
            st.success(tn("upload_added", len(imported), lang, name=safe.markdown(name)))

with tab_moderate:
    try:
        moderation.panel(lang=lang, settings=settings)
    except StoreError as exc:  # the tabs after this one keep working
        st.error(t("moderation_queue_error", lang, error=uploads.problem_text(exc, lang=lang)))

with tab_download:
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
