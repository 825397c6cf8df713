"""A button that tells the server where the map is: "Load places in this view".

The map never reruns the script on pan or zoom; the browser mirrors its view into the
page URL (``lat``, ``lon``, ``z``; :class:`ui.render.map_view.ViewSync`). Streamlit does not
send that URL back on an ordinary rerun (it sends the query string it last set
itself), so an ``st.button`` could not learn the view. This component, like
:mod:`ui.geolocate` a dependency-free page speaking the component message protocol
(``ui/browser_button/index.html``, which both share), reads the view when pressed
and returns it: the one the map keeps on the page on every move, else the page URL's
(which lags for up to a second after a rerun, when Streamlit rewrites it).
"""

from __future__ import annotations

from pathlib import Path

import streamlit.components.v1 as components

_component = components.declare_component(
    "care_atlas_view_button", path=str(Path(__file__).parent / "browser_button")
)


def view_button(*, label: str, lang: str, key: str) -> dict | None:
    """Draw the button and return the view it read.

    It returns ``{"lat", "lon", "z", "at"}`` (text from the URL, ``at`` the
    press time in ms) after a press, ``{"error": "no_view", "at"}`` when the URL has no
    view, or ``None`` before any press.
    """
    return _component(kind="view", label=label, lang=lang, key=key, default=None)
