"""National runs: the care gaps of a whole country, computed on Dask, read back and shown."""

from __future__ import annotations

import logging

import streamlit as st

from geo.settings import get_settings
from ui import frame
from ui.i18n import t
from ui.render import safe
from ui.views import national_view

log = logging.getLogger(__name__)
lang = frame.draw()
settings = get_settings()
st.title(t("nat_title", lang))
st.caption(t("nat_intro", lang))
national_view.sample_runner(settings, lang=lang)

found = national_view.runs(settings.results_dir)
st.caption(t("nat_runs_dir", lang))  # the folder's path is the operator's, not the visitor's
if not found:
    national_view.no_runs(lang=lang)
    st.stop()

chosen = national_view.pick_run(found, lang=lang)
summary, error = national_view.load(chosen)
if summary is None:
    log.error("run %s cannot be read: %s", chosen, error)
    st.error(t("nat_damaged", lang, name=safe.markdown(chosen.name)), icon="⚠️")
    st.stop()

national_view.headline(summary, lang=lang)
national_view.draw_map(summary, lang=lang)
national_view.tables(summary, lang=lang)
