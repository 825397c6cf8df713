"""geo.gazetteer: offline place search over the bundled layers."""

from __future__ import annotations

import pytest

from geo import vocab
from geo.gazetteer import KINDS, STOP_WORDS, SYNONYMS, Gazetteer, Match, Place, normalize
from geo.layers import load_all, load_registry
from geo.settings import PROJECT_DIR


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.from_layers(load_all(load_registry(PROJECT_DIR / "data")))


def top(gaz: Gazetteer, text: str) -> Place:
    found = gaz.search(text)
    assert found, f"nothing found for {text!r}"
    return found[0].place


def test_normalize_strips_accents_case_and_punctuation() -> None:
    assert normalize("  Ciudad BOLÍVAR – «Dejando Huella» ") == "ciudad bolivar dejando huella"
    assert normalize("Fontibón") == normalize("FONTIBON")


def test_built_from_the_bundled_layers(gaz: Gazetteer) -> None:
    kinds = {p.kind for p in gaz.places}
    assert kinds == set(KINDS)
    assert sum(p.kind == "localidad" for p in gaz.places) == 20
    for place in gaz.places:
        assert place.precision in vocab.PRECISIONS
        assert -90 <= place.lat <= 90 and -180 <= place.lon <= 180
    labels = [(p.name, p.detail) for p in gaz.places]
    assert len(labels) == len(set(labels)), "name + detail identifies a place"


def test_localidad_centre_lies_in_its_zone(gaz: Gazetteer) -> None:
    kennedy = next(p for p in gaz.places if p.kind == "localidad" and p.name == "Kennedy")
    assert kennedy.detail == "Bogotá"
    assert kennedy.lat == pytest.approx(4.63, abs=0.03)
    assert kennedy.lon == pytest.approx(-74.15, abs=0.03)


@pytest.mark.parametrize(
    ("text", "name", "kind"),
    [
        ("Ciudad Bolívar", "Ciudad Bolívar", "localidad"),
        ("Bolivar", "Ciudad Bolívar", "localidad"),  # accents
        ("CIUDAD BOLIVAR", "Ciudad Bolívar", "localidad"),  # case
        ("ciudad bolívar", "Ciudad Bolívar", "localidad"),
        ("Ciudad Bolivra", "Ciudad Bolívar", "localidad"),  # typos
        ("Kenedy", "Kennedy", "localidad"),
        ("Fontivon", "Fontibón", "localidad"),
        ("Ciud", "Ciudad Bolívar", "localidad"),  # prefix, as typed
        ("Manitas", "Manitas", "neighbourhood"),
        ("el mochuelo", "El Mochuelo", "neighbourhood"),
        ("20 de julio", "20 de Julio", "neighbourhood"),
        ("TransMiCable", "TransMiCable", "landmark"),
        ("supercade manitas", "SuperCADE Manitas", "landmark"),
        ("entrenubes", "Parque Entrenubes", "landmark"),
        ("Dejando Huella", "Jardín infantil «Dejando Huella»", "landmark"),
        ("CDC La Giralda", "CDC La Giralda", "landmark"),
        ("Montevideo", "Montevideo", "city"),
        ("bogota", "Bogotá", "city"),
        ("Cuidacoop", "Cuidacoop", "service"),
    ],
)
def test_search_finds(gaz: Gazetteer, text: str, name: str, kind: str) -> None:
    place = top(gaz, text)
    assert (place.name, place.kind) == (name, kind)


def test_neighbourhood_sits_at_its_care_block(gaz: Gazetteer) -> None:
    manitas = top(gaz, "Manitas")
    assert (manitas.lat, manitas.lon) == (4.558, -74.150)
    assert manitas.detail == "Ciudad Bolívar, Bogotá"
    assert manitas.precision == "neighbourhood"


def test_prefix_matches_come_first(gaz: Gazetteer) -> None:
    found = gaz.search("Ciud", limit=8)
    names = [m.place.name for m in found]
    assert names[:1] == ["Ciudad Bolívar"]
    starts_a_word = [any(w.startswith("ciud") for w in normalize(n).split()) for n in names]
    # every match where "ciud" starts a word ranks above every fuzzy-only match
    assert starts_a_word == sorted(starts_a_word, reverse=True)
    assert all(starts_a_word)  # "Cuidado" (a near-anagram) does not crowd them out
    assert found[0].score >= 90


def test_order_is_score_then_kind_then_name(gaz: Gazetteer) -> None:
    priority = {"localidad": 0, "neighbourhood": 0, "landmark": 0, "service": 1, "city": 2}
    for text in ("Bosa", "Ciud", "Kenedy", "sub", "la cand"):
        found = gaz.search(text, limit=20)
        keys = [(-m.score, priority[m.place.kind], normalize(m.place.name)) for m in found]
        assert keys == sorted(keys), text
        assert gaz.search(text, limit=20) == found  # deterministic
        assert all(isinstance(m, Match) and 0 <= m.score <= 100 for m in found)


def test_limit(gaz: Gazetteer) -> None:
    assert len(gaz.search("Manzana", limit=3)) == 3
    with pytest.raises(ValueError, match="limit"):
        gaz.search("Bosa", limit=0)


@pytest.mark.parametrize("text", ["", "   ", "x", "xyzzy qwerty", "Tokyo", "Paris"])
def test_unknown_or_empty_gives_nothing(gaz: Gazetteer, text: str) -> None:
    assert gaz.search(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "el restrepo",  # once: a cooperative in El Alto, Bolivia, on "el" alone
        "villa de los alpes",
        "los alpes",
        "el tunal",
        "san juan de dios",
        "barrio la esperanza",
        "guardería en el restrepo",
        "the old mill",
        "la",
        "de los",
    ],
)
def test_unknown_barrio_is_not_found_rather_than_matched_on_stop_words(
    gaz: Gazetteer, text: str
) -> None:
    assert gaz.search(text) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("localidad 19", "19"),
        ("Localidad 19", "19"),
        ("loc 19", "19"),
        ("Loc. 19", "19"),
        ("19 ciudad bolivar", "19"),
        ("localidad 7", "07"),
        ("localidad 07", "07"),
        ("loc 5", "05"),
        ("guardería en la localidad 19", "19"),
        ("localidad 20", "20"),
    ],
)
def test_localidad_by_number(gaz: Gazetteer, text: str, code: str) -> None:
    layers = load_all(load_registry(PROJECT_DIR / "data"))
    zones = layers["localidades"]
    name = zones.loc[zones["code"] == code, "name"].iloc[0]
    found = gaz.search(text)
    assert found and (found[0].place.name, found[0].place.kind) == (name, "localidad")
    # the number is not fuzzy: "localidad 19" does not also suggest localidad 18
    assert [m.place.name for m in found if m.place.kind == "localidad"] == [name]


def test_every_fuzzy_match_shares_a_real_word_with_the_query(gaz: Gazetteer) -> None:
    for text in ("el mochuelo", "la giralda", "Ciudad Bolivra", "parque entrenubes usme"):
        words = {w for w in normalize(text).split() if w not in STOP_WORDS}
        for match in gaz.search(text, limit=20):
            name_words = set(normalize(match.place.name).split())
            assert any(
                any(n.startswith(w[:4]) or w.startswith(n[:4]) for n in name_words) for w in words
            ), (text, match.place.name)


@pytest.mark.parametrize(
    ("text", "services", "populations"),
    [
        ("guardería cerca de Bosa", ("child_care",), ("children",)),
        ("Jardín infantil", ("child_care",), ("children",)),
        ("daycare near Kennedy", ("child_care",), ("children",)),
        ("child care", ("child_care",), ("children",)),
        ("abuelos", ("older_care",), ("older",)),
        ("ADULTO MAYOR en Suba", ("older_care",), ("older",)),
        ("elderly", ("older_care",), ("older",)),
        ("discapacidad", ("disability_care",), ("disability",)),
        ("disability", ("disability_care",), ("disability",)),
        ("cuidadora", ("respite",), ("carers",)),
        ("caregiver", ("respite",), ("carers",)),
        ("guardería y abuelos", ("child_care", "older_care"), ("children", "older")),
        ("Bosa", (), ()),
        ("", (), ()),
    ],
)
def test_service_terms(gaz: Gazetteer, text: str, services: tuple, populations: tuple) -> None:
    assert gaz.service_terms(text) == (services, populations)


def test_synonyms_use_vocabulary_codes() -> None:
    for services, populations in SYNONYMS.values():
        assert set(services) <= set(vocab.SERVICES)
        assert set(populations) <= set(vocab.POPULATIONS)


@pytest.mark.parametrize(
    "text", ["guardería cerca de Bosa", "daycare near Bosa", "abuelos en bosa"]
)
def test_care_words_do_not_hide_the_place(gaz: Gazetteer, text: str) -> None:
    place = top(gaz, text)
    assert (place.name, place.kind) == ("Bosa", "localidad")


@pytest.mark.parametrize("text", ["guardería", "nursery", "personas mayores"])
def test_care_words_alone_list_services_offering_them(gaz: Gazetteer, text: str) -> None:
    found = gaz.search(text, limit=5)
    assert len(found) == 5
    assert {m.place.kind for m in found} == {"service"}
    assert all(m.place.layer and m.place.feature_id for m in found)


def test_missing_layers_are_skipped() -> None:
    layers = load_all(load_registry(PROJECT_DIR / "data"))
    only = Gazetteer.from_layers({"localidades": layers["localidades"]})
    assert {p.kind for p in only.places} == {"localidad"}
    assert Gazetteer.from_layers({}).search("Bosa") == []


def _place(name: str, layer: str = "services") -> Place:
    return Place(name, "service", 4.6, -74.1, "Bogotá", "exact", layer=layer, feature_id=name)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("guardería", ("child_care",)),
        ("jardín", ("child_care",)),
        ("hogar infantil", ("child_care",)),
        ("centro día", ("older_care",)),
        ("Centro de Día", ("older_care",)),
        ("abuelos", ("older_care",)),
        ("cuidadora", ("respite",)),
    ],
)
def test_everyday_words_name_the_care(text: str, codes: tuple[str, ...]) -> None:
    assert Gazetteer([]).service_terms(text)[0] == codes


def test_care_words_list_places_of_that_care_before_certificates() -> None:
    places = [
        _place("Certificado en atención a la primera infancia", "training_offer"),
        _place("CDC Arborizadora"),
        _place("Centro Proteger Jairo Aníbal Niño"),
        _place("Jardín infantil Acacias"),
        _place("Centro Día Amaru"),
    ]
    offers = [
        {"child_care"},
        {"child_care", "older_care"},
        {"child_care"},
        {"child_care"},
        {"older_care"},
    ]
    gaz = Gazetteer(places, offers=offers)
    for text in ("guardería", "jardín", "hogar infantil"):
        names = [m.place.name for m in gaz.search(text)]
        # a kindergarten first, the certificate title last, a person's name ("Niño") no help
        assert names[0] == "Jardín infantil Acacias", (text, names)
        assert names[-1] == "Certificado en atención a la primera infancia", (text, names)
    for text in ("centro día", "abuelos"):
        assert gaz.search(text)[0].place.name == "Centro Día Amaru"
