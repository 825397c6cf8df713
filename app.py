"""Care Atlas / Atlas del Cuidado: the entry point.

Page config, then the page the URL asks for; each page draws the shared frame
(language switch, sidebar) with ``ui.frame.draw()``. Run with ``make run``.
"""

from __future__ import annotations

import logging

import streamlit as st

from ui import frame

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
st.set_page_config(page_title="Atlas del Cuidado · Care Atlas", page_icon="🧡", layout="wide")
frame.run_navigation()
