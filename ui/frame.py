"""The app frame: page list, language switch and shared sidebar, drawn by every page.

``app.py`` runs the page chosen by ``st.navigation``; each page starts with
:func:`draw`, which draws the language switch and the shared sidebar. The pages live
in ``app_pages/`` (not ``pages/``, which Streamlit would read as a legacy multipage
app), so every run, the first of a server process included, goes through
``app.py``; the app's own navigation sits at the top of the page. The page, not
``app.py``, draws the frame because a page may choose its default language (Near me
speaks Spanish first).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import streamlit as st

from geo.errors import LayerError
from ui import state
from ui.i18n import LANGUAGE_NAMES, LANGUAGES, t
from ui.render import safe

# Absolute, so the pages resolve whichever directory the app was started from.
PAGES_DIR = Path(__file__).resolve().parents[1] / "app_pages"
NAV_POSITION: Final = "top"
COMPACT_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 3.5rem; padding-bottom: 2rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2rem; padding: 0.25rem 0 0.5rem; }
</style>"""
"""Less room above the page title, a smaller title: the map starts on the first screen."""


def app_pages(lang: str) -> list[st.Page]:
    """The pages, titled in ``lang``; the first one is the default (at ``/``)."""
    return [
        st.Page(
            str(PAGES_DIR / "explore.py"),
            title=t("page_explore", lang),
            url_path="explore",
            default=True,
        ),
        st.Page(str(PAGES_DIR / "near.py"), title=t("page_near", lang), url_path="near"),
        st.Page(str(PAGES_DIR / "gaps.py"), title=t("page_gaps", lang), url_path="gaps"),
        st.Page(str(PAGES_DIR / "plan.py"), title=t("page_plan", lang), url_path="plan"),
        st.Page(str(PAGES_DIR / "national.py"), title=t("nat_page", lang), url_path="national"),
        st.Page(str(PAGES_DIR / "present.py"), title=t("page_present", lang), url_path="present"),
        st.Page(str(PAGES_DIR / "data.py"), title=t("page_data", lang), url_path="data"),
        st.Page(
            str(PAGES_DIR / "region.py"),
            title=t("page_region", lang),
            url_path="region",
        ),
    ]


def run_navigation() -> None:
    """Entry point (``app.py``): run the page the URL asks for."""
    st.navigation(app_pages(state.language()), position=NAV_POSITION).run()


def draw(*, page_default_language: str | None = None) -> str:
    """At the top of each page: the shared frame. Returns the interface language.

    ``page_default_language`` is used when the person has not chosen a language.
    """
    lang = state.language(page_default=page_default_language)
    with st.sidebar:
        st.markdown(COMPACT_CSS, unsafe_allow_html=True)  # static CSS only, no data text
        st.radio(
            t("language", lang),
            options=LANGUAGES,
            format_func=LANGUAGE_NAMES.__getitem__,
            key=state.LANG_KEY,
            horizontal=True,
            on_change=state.mirror_language,
        )
        st.caption(t("app_tagline", lang))
        st.caption(dataset_line(lang))
    return lang


def dataset_line(lang: str) -> str:
    """Which dataset the app shows, its vintage and licence (every page says it)."""
    from ui import loaders

    try:
        dataset = loaders.registry().dataset or {}
    except LayerError:
        return t("dataset_unreadable", lang)
    title = dataset.get("title", {}).get(lang) or t("dataset_unnamed", lang)
    return t(
        "dataset_line",
        lang,
        title=safe.markdown(title),
        vintage=safe.markdown(_in_language(dataset.get("vintage", "?"), lang)),
        licence=safe.markdown(_in_language(dataset.get("licence", "?"), lang)),
    )


def _in_language(value: object, lang: str) -> str:
    """A registry text given once or as ``{es = ..., en = ...}``."""
    if isinstance(value, dict):
        return str(value.get(lang) or next(iter(value.values()), ""))
    return str(value)


def is_sample() -> bool:
    """Whether the data folder is the bundled illustrative sample (not an official atlas)."""
    from ui import loaders

    try:
        dataset = loaders.registry().dataset
    except LayerError:
        return True
    return dataset is None or bool(dataset.get("sample", True))


def data_note(lang: str) -> None:
    """Draw one line about the data at the top of Explore and Region.

    The details are in
    "About the layers" (:func:`data_details`), so the map starts on the first screen.
    """
    key = "sample_note_short" if is_sample() else "atlas_note_short"
    st.info(t(key, lang), icon="ℹ️")


def data_details(lang: str) -> str:
    """The full note about the data (what it is, how far to trust it)."""
    return t("sample_note" if is_sample() else "atlas_note", lang)


def boundary_label() -> str:
    """The legend's name for the background outlines: approximate zones or official ones."""
    return "legend_boundaries" if is_sample() else "legend_boundaries_official"
