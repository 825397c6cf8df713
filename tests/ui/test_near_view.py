"""ui.views.near_view: what typed text means, directions links (the browser test types for real)."""

from __future__ import annotations

import pytest

from geo.gazetteer import Gazetteer
from geo.layers import load_all, load_registry
from geo.settings import PROJECT_DIR
from ui.views.near_view import directions_links, resolve_typed


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_layers(load_all(load_registry(PROJECT_DIR / "data")))


def test_listed_typo_and_unknown(gazetteer: Gazetteer) -> None:
    names = [f"{p.name} · {p.detail}" if p.detail else p.name for p in gazetteer.places]
    listed = next(n for n in names if n.startswith("Kennedy"))
    assert resolve_typed(listed, names, gazetteer) == ("listed", [])
    meaning, matches = resolve_typed("Kenedy", names, gazetteer)
    assert meaning == "suggest"
    assert matches[0].place.name == "Kennedy"
    meaning, matches = resolve_typed("ciudad bolivra", names, gazetteer)
    assert matches[0].place.name == "Ciudad Bolívar"
    assert resolve_typed("qwxzv plomp", names, gazetteer) == ("unknown", [])
    assert resolve_typed("   ", names, gazetteer) == ("unknown", [])


@pytest.mark.parametrize("text", ["el restrepo", "villa de los alpes"])
def test_unknown_barrio_reads_not_found(gazetteer: Gazetteer, text: str) -> None:
    """No "did you mean" on stop words alone: the page says "not found, try ..."."""
    names = [f"{p.name} · {p.detail}" if p.detail else p.name for p in gazetteer.places]
    assert resolve_typed(text, names, gazetteer) == ("unknown", [])


def test_localidad_number_is_suggested(gazetteer: Gazetteer) -> None:
    names = [f"{p.name} · {p.detail}" if p.detail else p.name for p in gazetteer.places]
    meaning, matches = resolve_typed("localidad 19", names, gazetteer)
    assert meaning == "suggest"
    assert [m.place.name for m in matches] == ["Ciudad Bolívar"]


def test_an_address_goes_to_the_locator_a_name_to_the_gazetteer(gazetteer: Gazetteer) -> None:
    names = [f"{p.name} · {p.detail}" if p.detail else p.name for p in gazetteer.places]
    for text in ("Calle 59D Sur # 85-28", "cra 7 no. 32-16", "calle 26 con 7", "KR 80 C 65 F 29"):
        assert resolve_typed(text, names, gazetteer) == ("address", []), text
    assert resolve_typed("Kenedy", names, gazetteer)[0] == "suggest"
    assert resolve_typed("Avenida Boyacá", names, gazetteer)[0] != "address"  # a name


def test_directions_links() -> None:
    geo_uri, osm = directions_links(4.558, -74.15, origin=(4.6, -74.1))
    assert geo_uri == "geo:4.558000,-74.150000?q=4.558000,-74.150000"
    assert osm.startswith("https://www.openstreetmap.org/directions?")
    assert "route=4.600000%2C-74.100000%3B4.558000%2C-74.150000" in osm


def test_near_map_legend_names_its_symbols() -> None:
    from ui import loaders
    from ui.views.near_view import result_map

    m = result_map(
        loaders.empty_results(), origin=(4.6, -74.1), radius_m=800.0, lang="en", boundaries=[]
    )
    html = m.get_root().render()
    assert "You are here" in html
    assert "Within 15 min on foot" in html
    assert "Nearest places" not in html  # no results, no numbers on the map


@pytest.mark.parametrize("lang", ["es", "en"])
def test_care_words_offered_first_are_known_to_the_gazetteer(lang: str) -> None:
    from ui.views.near_view import CARE_WORDS, search_options

    options = search_options(["Bosa · Bogotá"], lang)
    assert options[: len(CARE_WORDS[lang])] == list(CARE_WORDS[lang])
    for word in CARE_WORDS[lang]:
        assert Gazetteer([]).service_terms(word)[0], word
