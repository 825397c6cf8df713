"""Make text from data inert: the one place every map string passes through.

Text from data (names, descriptions, property keys) reaches the browser inside
Leaflet popups and tooltips, which are set as ``innerHTML``, and inside folium and
branca templates, which Jinja may render more than once (branca's ``Html`` element
builds a template *from* its content). So a name must be escaped for HTML *and*
lose its Jinja delimiters: ``{`` and ``}`` become character references, which a
browser shows as the same characters but Jinja does not see as ``{{``/``{%``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

# One pass, so no entity is escaped twice: HTML specials, then Jinja's delimiters.
_INERT = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&#x27;",
        "{": "&#123;",
        "}": "&#125;",
    }
)


def text(value: object) -> str:
    """Return ``value`` as HTML-escaped, template-inert text (``None``/NaN give ``""``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).translate(_INERT)


def join(values: Iterable[object], sep: str = ", ") -> str:
    """Escape each value and join them."""
    return sep.join(text(v) for v in values)


_MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>~$:")


def markdown(value: object) -> str:
    """Show text literally inside Streamlit Markdown: no links, HTML, emphasis or maths."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIALS else ch for ch in str(value))
