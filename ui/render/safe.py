"""Make text from data inert: the one place every map string passes through.

Text from data (names, descriptions, property keys) reaches the browser inside
Leaflet popups and tooltips, which are set as ``innerHTML``, and inside folium and
branca templates, which Jinja may render more than once (branca's ``Html`` element
builds a template *from* its content). So a name must be escaped for HTML *and*
lose its Jinja delimiters: ``{`` and ``}`` become character references, which a
browser shows as the same characters but Jinja does not see as ``{{``/``{%``.

Text shown by Streamlit itself (messages, captions, labels, ``st.table`` cells) is
Markdown: :func:`markdown` and :func:`table` escape it so it is shown as written.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Iterable

import pandas as pd

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


# CommonMark lets a backslash escape any ASCII punctuation, and Streamlit's Markdown
# (links, images, HTML, emphasis, tables, :colour[...] and :emoji: directives, $maths$)
# is all made of it: escaping every one of them leaves nothing to interpret.
_MARKDOWN_SPECIALS = frozenset(string.punctuation)
WORD_JOINER = "\u2060"
"""An invisible character that keeps an address from being turned into a link."""
# GitHub-flavoured Markdown turns web and e-mail addresses in *text* into links after
# the escapes are read (http://..., www.x, a@b.c): a word joiner before "://", after
# "www" and before "@" breaks the pattern and is not seen.
_AUTOLINK = re.compile(r"(?<=[A-Za-z])(?=://)|(?<=[Ww]{3})(?=\.)|(?=@)")


def markdown(value: object) -> str:
    """Show text literally inside Streamlit Markdown: no links, images, HTML, emphasis or maths.

    Every widget label, ``st.markdown``/``st.caption``/``st.info``/``st.error``/
    ``st.metric`` and ``st.table`` cell renders Markdown, so text from data, URLs or
    people passes through here before it is put into one (``None``/NaN give ``""``).
    Web and e-mail addresses get an invisible word joiner so they are not made links.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = _AUTOLINK.sub(WORD_JOINER, str(value))
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIALS else ch for ch in text)


def unmarkdown(value: str) -> str:
    """The text :func:`markdown` escaped, as a reader sees it (for tests and checks)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", value).replace(WORD_JOINER, "")


def table(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` for ``st.table``, which renders every cell as Markdown.

    Cells, the index and the column names are escaped with :func:`markdown`, so the
    table shows them as the characters they are.
    """
    out = frame.map(markdown)
    out.index = pd.Index([markdown(i) for i in frame.index], name=frame.index.name)
    out.columns = pd.Index([markdown(c) for c in frame.columns], name=frame.columns.name)
    return out
