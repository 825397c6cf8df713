"""ui.safe: data text is shown, never run, never templated."""

from __future__ import annotations

import folium
import pytest
from jinja2 import Template

from ui import safe

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
