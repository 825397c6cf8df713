"""Ask the browser for the person's location, only when they press a button.

A small bidirectional Streamlit component with no build step and no outside file:
``ui/browser_button/index.html`` (shared with :mod:`ui.view_button`) speaks the
component message protocol directly. Chosen over the
PyPI geolocation components because those load their JavaScript bundles from the
package (fine) but ask for the location as soon as the page loads; here the browser
prompt appears only after the person asks, and a refusal or an unavailable
location is answered in plain words (the page then offers search or a map click).
"""

from __future__ import annotations

from pathlib import Path

import streamlit.components.v1 as components

_component = components.declare_component(
    "care_atlas_geolocate", path=str(Path(__file__).parent / "browser_button")
)


def geolocate(
    *, label: str, asking: str, found: str, denied: str, unavailable: str, lang: str, key: str
) -> dict | None:
    """Draw the button; return ``{"lat", "lon", "accuracy_m"}``, ``{"error": ...}`` or ``None``."""
    return _component(
        kind="geolocate",
        label=label,
        asking=asking,
        found=found,
        denied=denied,
        unavailable=unavailable,
        lang=lang,
        key=key,
        default=None,
    )
