"""ui.render.safe: data text is shown, never run, never templated."""

from __future__ import annotations

import string

import folium
import pandas as pd
import pytest
from jinja2 import Template

from ui.render import safe

INJECTIONS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert('x')</script>",
    "{{ 9999*9999 }}",
    "{% raw %}",
    "{# comment #}",
    '" onmouseover="alert(1)',
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_text_has_no_markup_or_template_delimiters(value: str) -> None:
    out = safe.text(value)
    for forbidden in ("<", ">", '"', "{{", "{%", "{#"):
        assert forbidden not in out


@pytest.mark.parametrize("value", INJECTIONS)
def test_text_survives_a_jinja_render_unchanged(value: str) -> None:
    escaped = safe.text(value)
    assert Template(escaped).render() == escaped


def test_branca_html_does_not_evaluate_escaped_data() -> None:
    # branca's Html builds a template *from* its content: the canary must not run
    popup = folium.Popup(safe.text("{{ 9999*9999 }}"))
    m = folium.Map(tiles=None)
    popup.add_to(folium.Marker([0, 0]).add_to(m))
    rendered = m.get_root().render()
    assert "99980001" not in rendered
    assert "&#123;&#123; 9999*9999 &#125;&#125;" in rendered


def test_text_handles_none_nan_and_numbers() -> None:
    assert safe.text(None) == ""
    assert safe.text(float("nan")) == ""
    assert safe.text(12) == "12"
    assert safe.text("Ciudad Bolívar & Usme") == "Ciudad Bolívar &amp; Usme"


def test_join() -> None:
    assert safe.join(["<a>", "b"]) == "&lt;a&gt;, b"


MARKDOWN_INJECTIONS = [
    "![p](http://203.0.113.10/p.png)",
    "[clic](http://203.0.113.10/)",
    "<img src=http://203.0.113.10/i.png>",
    "$x^2$ and $$\\int$$",
    "**bold** _it_ `code` ~~del~~",
    ":red[colour] :material/home: :smile:",
    "# heading\n- item\n> quote\n1. one",
    "a | b\n--|--\n c | d",
    "http://203.0.113.10/autolink www.example.org",
    "&lt;entity&gt; &#60;img&#62;",
]


@pytest.mark.parametrize("value", MARKDOWN_INJECTIONS)
def test_markdown_escapes_every_special_character(value: str) -> None:
    out = safe.markdown(value)
    # every ASCII punctuation character is escaped, so nothing is left to interpret
    chars = iter(out)
    for ch in chars:
        if ch == "\\":
            assert next(chars) in string.punctuation
        else:
            assert ch not in string.punctuation, (ch, out)
    assert safe.unmarkdown(out) == value


def test_markdown_keeps_addresses_from_becoming_links() -> None:
    out = safe.markdown("http://203.0.113.10/x www.example.org ana@example.org")
    assert "http" + safe.WORD_JOINER + "\\:" in out
    assert "www" + safe.WORD_JOINER + "\\." in out
    assert "ana" + safe.WORD_JOINER + "\\@" in out
    assert safe.unmarkdown(out) == "http://203.0.113.10/x www.example.org ana@example.org"


def test_markdown_keeps_plain_words_and_handles_none() -> None:
    assert safe.markdown("Ciudad Bolívar") == "Ciudad Bolívar"
    assert safe.markdown(None) == ""
    assert safe.markdown(float("nan")) == ""
    assert safe.markdown(4.5) == "4\\.5"


def test_table_escapes_cells_index_and_columns() -> None:
    frame = pd.DataFrame({"[c](x)": ["![p](http://203.0.113.10/p.png)", None]}, index=["*a*", "b"])
    out = safe.table(frame)
    assert list(out.columns) == ["\\[c\\]\\(x\\)"]
    assert list(out.index) == ["\\*a\\*", "b"]
    assert out.iloc[0, 0] == "\\!\\[p\\]\\(http\u2060\\:\\/\\/203\\.0\\.113\\.10\\/p\\.png\\)"
    assert out.iloc[1, 0] == ""
    assert frame.iloc[0, 0] == "![p](http://203.0.113.10/p.png)"  # the input is not changed
