"""Find a place by its address in a page's search box: the locator's answer in words."""

from __future__ import annotations

import streamlit as st

from geo.address import Located
from ui import loaders
from ui.i18n import t
from ui.render import fmt, safe


def find(text: str, *, lang: str) -> Located | None:
    """Locate ``text`` on the atlas and say what was found, how, and how far off it may be.

    Says that address search needs the official atlas on the sample, and "not found,
    try ..." for text that is no address the index knows; returns the answer or ``None``.
    """
    if loaders.address_index() is None:
        st.info(t("address_needs_atlas", lang))
        return None
    found = loaders.locate_address(text)
    if found is None:
        st.warning(t("address_not_found", lang))
        return None
    st.success(
        t(
            "address_found",
            lang,
            matched=safe.markdown(found.matched),
            precision=t(f"address_precision_{found.precision}", lang),
            error=fmt.integer(found.error_m, lang),
        )
    )
    if found.also:
        st.info(t("address_also", lang, also=safe.markdown(found.also)))
    return found
