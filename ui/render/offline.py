"""Serve every map asset from ``static/``: the map makes no request off the machine.

folium elements list their JavaScript and CSS as CDN URLs (``default_js`` /
``default_css``); streamlit-folium loads exactly those lists in the map's iframe.
:func:`localize` rewrites them, element by element, to the files vendored under
``static/vendor`` (served by Streamlit at ``/app/static/vendor``). Assets folium
adds by default for features this app does not use (Bootstrap, jQuery, Font
Awesome and the awesome-markers icon plugin: the map draws circle markers) are
dropped. Any other asset raises :class:`MissingAssetError` naming it, so adding a
plugin without vendoring its files fails in the tests instead of silently reaching
for a CDN in a meeting room with no internet.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from branca.element import Element

E = TypeVar("E", bound=Element)
"""A folium/branca element type: what goes in comes out (a map stays a map)."""

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
LEAFLET_VERSION = "1.9.4"

# asset name in folium -> file under static/
VENDORED: dict[str, str] = {
    "leaflet": "vendor/leaflet/leaflet.js",
    "leaflet_css": "vendor/leaflet/leaflet.css",
    # the offline basemap's renderer (ui/render/basemap.py), BSD-3-Clause, npm 5.1.0
    "protomaps_leaflet": "vendor/protomaps-leaflet/protomaps-leaflet.js",
}
# folium's defaults that this app's maps never use.
UNUSED: frozenset[str] = frozenset(
    {
        "jquery",
        "bootstrap",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers",
        "awesome_markers_css",
        "awesome_markers_font_css",
        "awesome_rotate_css",
    }
)


class MissingAssetError(RuntimeError):
    """A map element needs a JavaScript or CSS file that is not vendored."""


def walk(element: Element) -> Iterator[Element]:
    """The element and all its descendants, depth first."""
    yield element
    for child in list(element._children.values()):
        yield from walk(child)


def _local(assets: list[tuple[str, str]], static_url: str) -> list[tuple[str, str]]:
    local = []
    for name, url in assets:
        if name in UNUSED:
            continue
        if name not in VENDORED:
            raise MissingAssetError(
                f"map asset {name!r} ({url}) is not vendored: add its file under static/vendor "
                "and an entry in ui/render/offline.py VENDORED, or drop the element that needs it."
            )
        local.append((name, f"{static_url}/{VENDORED[name]}"))
    return local


def localize(element: E, *, static_url: str) -> E:
    """Point every asset of ``element`` and its descendants at the vendored copies.

    Parameters
    ----------
    element
        A folium map or feature group, after all its children were added.
    static_url
        URL prefix of ``static/`` as served (``Settings.static_url``).

    Returns
    -------
    branca.element.Element
        The same element (modified in place: folium elements are built per render).
    """
    for node in walk(element):
        for attr in ("default_js", "default_css"):
            assets = getattr(node, attr, None)
            if assets:
                setattr(node, attr, _local(list(assets), static_url))
    return element


def vendored_files() -> dict[str, Path]:
    """Absolute paths of the vendored assets (checked by the tests)."""
    return {name: STATIC_DIR / rel for name, rel in VENDORED.items()}
