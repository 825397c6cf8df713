"""Care Atlas / Atlas del Cuidado: the app frame.

Page config, language switch, shared sidebar note, then the page navigation.
Run with ``make run`` (or ``streamlit run app.py``).
"""

from __future__ import annotations

import logging

import streamlit as st

from ui import state
from ui.i18n import LANGUAGE_NAMES, LANGUAGES, t

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

st.set_page_config(page_title="Atlas del Cuidado · Care Atlas", page_icon="🧡", layout="wide")

lang = state.language()
with st.sidebar:
    st.radio(
        t("language", lang),
        options=LANGUAGES,
        format_func=LANGUAGE_NAMES.__getitem__,
        key=state.LANG_KEY,
        horizontal=True,
    )
lang = state.language()
st.query_params[state.LANG_KEY] = lang

pages = [
    st.Page(
        "pages/explore.py",
        title=t("page_explore", lang),
        icon="🗺️",
        url_path="explore",
        default=True,
    ),
    st.Page("pages/region.py", title=t("page_region", lang), icon="🌎", url_path="region"),
]
with st.sidebar:
    st.caption(t("app_tagline", lang))
st.navigation(pages).run()
