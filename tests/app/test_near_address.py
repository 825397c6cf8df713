"""AppTest: typing an address in Near me (issue 17).

On the official atlas (fixture ``atlas_dir``: skipped with a reason when
``../shared/data/bogota`` is absent, failing in CI) the address is located on the
house-number points; on the sample the page says address search needs the atlas.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, PROJECT, markers_by_layer, run_app


def _type(at, text: str) -> None:
    """Type a new value in the search box, as the browser sends it (``accept_new_options``:
    the typed text as the widget's string value; AppTest only knows listed options)."""
    box = at.selectbox(key="near_place")
    box.options.append(text)
    box.set_value(text).run()


def _cards(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("### ")]


def test_typing_an_address_on_the_atlas_searches_there(on_atlas: Path) -> None:
    at = run_app("app_pages/near.py", lang="en")
    _type(at, "Calle 59D Sur # 85-28")
    assert not at.exception, [e.message for e in at.exception]
    found = " ".join(s.value for s in at.success).replace("\\", "")  # Markdown-escaped
    assert "CL 59D S # 85-28" in found
    assert "official house number" in found and "10 m" in found
    assert float(at.query_params["plat"]) == pytest.approx(4.619, abs=0.002)
    assert float(at.query_params["plon"]) == pytest.approx(-74.187, abs=0.002)
    assert len(_cards(at)) == 5


def test_an_address_that_is_not_there_gets_not_found_try(on_atlas: Path) -> None:
    at = run_app("app_pages/near.py", lang="es")
    _type(at, "Calle 399 # 1-1")
    assert not at.exception
    assert any("No encontramos esa dirección" in w.value for w in at.warning)
    assert any("Calle 59D Sur # 85-28" in w.value for w in at.warning)  # "try ..."
    assert "plat" not in at.query_params  # no point somewhere unrelated


def test_on_the_sample_address_search_says_it_needs_the_atlas() -> None:
    at = run_app("app_pages/near.py", lang="en")
    _type(at, "cra 7 # 32-16")
    assert not at.exception
    assert any("needs Bogotá's official atlas" in i.value for i in at.info)
    assert "plat" not in at.query_params


def test_suggest_a_place_finds_an_address(on_atlas: Path) -> None:
    at = run_app("app_pages/data.py", lang="en")
    at.text_input(key="suggest_find").input("Calle 59D Sur # 85-28").run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("CL 59D S # 85-28" in s.value.replace("\\", "") for s in at.success)
    assert at.session_state["suggest_lat"] == pytest.approx(4.619, abs=0.002)


def test_plan_marks_a_new_site_at_an_address(on_atlas: Path, street_walks: list[int]) -> None:
    # the Plan page on the atlas (street network) is slow on a busy 2-core machine: a
    # longer timeout than run_app's
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page(str(PROJECT / "app_pages/plan.py")).run()
    assert not at.exception, [e.message for e in at.exception]
    # the "new sites" zones are the new sites' only: none yet, so no walk from the services
    assert street_walks == []
    at.text_input(key="plan_address").input("Calle 59D Sur # 85-28").run()
    assert not at.exception, [e.message for e in at.exception]
    assert street_walks == [1]  # the one new site
    assert any("CL 59D S # 85-28" in s.value.replace("\\", "") for s in at.success)
    assert markers_by_layer(at).get("proposed") == 1  # a new site, as a click would add
    added = at.session_state["_plan_scenario"].added
    assert len(added) == 1
    assert (added[0].lat, added[0].lon) == (
        pytest.approx(4.619, abs=0.002),
        pytest.approx(-74.187, abs=0.002),
    )
