"""AppTest on "Near me": Spanish by default, typos answered, nearest first, honest about distance."""

from __future__ import annotations

from tests.app.conftest import run_app


def _cards(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("### ")]


def test_spanish_by_default_and_english_on_request() -> None:
    at = run_app("app_pages/near.py")
    assert at.title[0].value == "Cerca de mí: servicios de cuidado"
    at = run_app("app_pages/near.py", lang="en")
    assert at.title[0].value == "Near me: care services"


def test_pick_a_suggested_place_gives_numbered_cards() -> None:
    at = run_app("app_pages/near.py")
    box = at.selectbox(key="near_place")
    choice = next(o for o in box.options if o.startswith("Ciudad Bolívar"))
    box.set_value(choice).run()
    assert not at.exception, [e.message for e in at.exception]
    cards = _cards(at)
    assert len(cards) == 5
    assert [c.split(".")[0] for c in cards] == ["### 1", "### 2", "### 3", "### 4", "### 5"]
    assert at.query_params["plat"]
    assert at.query_params["place"] == choice


def test_far_from_everything_is_said_plainly() -> None:
    at = run_app("app_pages/near.py", plat="-10.0", plon="-60.0", place="Rondônia")
    assert any("está lejos" in w.value for w in at.warning)
    assert len(_cards(at)) >= 1  # the nearest are shown anyway


def test_a_shared_url_reopens_the_same_search() -> None:
    at = run_app("app_pages/near.py", plat="4.558", plon="-74.150", place="Manitas", lang="en")
    assert any("Nearest to Manitas" in s.value for s in at.subheader)
    assert len(_cards(at)) == 5


def test_a_care_word_lists_that_care_and_clears_the_previous_results() -> None:
    at = run_app("app_pages/near.py")
    box = at.selectbox(key="near_place")
    assert box.options[0] == "guardería"  # everyday words first, before place names
    box.set_value(next(o for o in box.options if o.startswith("Ciudad Bolívar"))).run()
    assert len(_cards(at)) == 5
    at.selectbox(key="near_place").set_value("guardería").run()
    assert not at.exception, [e.message for e in at.exception]
    assert _cards(at) == []  # the previous place's results are gone
    suggestions = [b.label for b in at.button if b.key and b.key.startswith("near_suggest_")]
    assert suggestions and "Jardín infantil" in suggestions[0], suggestions
    assert "plat" not in at.query_params
