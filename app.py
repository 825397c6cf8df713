"""Care Atlas / Atlas del Cuidado: the entry point.

Page config, then the page the URL asks for; each page draws the shared frame
(language switch, sidebar) with ``ui.frame.draw()``. Run with ``make run``.
"""

from __future__ import annotations

import logging

import streamlit as st

from geo.settings import get_settings
from ui import frame, uploads

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
st.set_page_config(page_title="Atlas del Cuidado · Care Atlas", page_icon="🧡", layout="wide")
uploads.check_upload_limit(get_settings())  # logged once when Streamlit's limit is not ours
frame.run_navigation()
