"""The Bogotá address parser on hand-written cases (no data needed).

Includes the cases where PyPI ``geographicol`` 0.2.0 is wrong for this job (glued
official suffixes, intersections, named avenues): see :mod:`geo.address`.
"""

from __future__ import annotations

import time

import pytest

from geo.address import (
    Address,
    Street,
    looks_like_address,
    parse,
    parse_plate,
    parse_street,
    plate_parts,
    plate_position,
    suffix_order,
)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Calle 26 # 7-30", "CL"),
        ("CL 26 7 30", "CL"),
        ("Cll 26 # 7-30", "CL"),
        ("Cl. 26 # 7-30", "CL"),
        ("Carrera 26 # 7-30", "KR"),
        ("KR 26 7 30", "KR"),
        ("Cra 26 # 7-30", "KR"),
        ("Cra. 26 # 7-30", "KR"),
        ("Cr 26 # 7-30", "KR"),
        ("Kra 26 # 7-30", "KR"),
        ("Avenida Calle 26 # 7-30", "AC"),
        ("AC 26 7 30", "AC"),
        ("Av. Carrera 26 # 7-30", "AK"),
        ("AK 26 7 30", "AK"),
        ("Diagonal 26 # 7-30", "DG"),
        ("DG 26 7 30", "DG"),
        ("Transversal 26 # 7-30", "TV"),
        ("TV 26 7 30", "TV"),
    ],
)
def test_each_street_type_and_its_abbreviations(text: str, kind: str) -> None:
    parsed = parse(text)
    assert parsed is not None
    assert parsed.street.kind == kind
    assert (parsed.street.number, parsed.cross_number, parsed.house) == (26, 7, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Calle 59D Sur # 85-28", "CL 59D S # 85-28"),
        ("calle 59d sur # 85 28", "CL 59D S # 85-28"),
        ("Cra. 7 No. 32-16", "KR 7 # 32-16"),
        ("Cra 7 N° 32-16", "KR 7 # 32-16"),
        ("Cra 7 Nº 32 - 16", "KR 7 # 32-16"),
        ("Kra 7 # 32 16", "KR 7 # 32-16"),
        # SDIS's published, spaced form
        ("KR 80 C 65 F 29 SUR", "KR 80C # 65F-29 S"),
        ("CL 22 0 24 ESTE", "CL 22 # 0-24 E"),
        ("KR 2 ESTE 75 A 22 SUR", "KR 2 E # 75A-22 S"),
        ("CL 48 P BIS C SUR 4 30", "CL 48PBISC S # 4-30"),
        ("KR 77 BIS 64 I 50", "KR 77BIS # 64I-50"),
        # the official labels' glued forms and leading zeros (geographicol drops these)
        ("KR 7DBIS 04 12", "KR 7DBIS # 4-12"),
        ("CL 63BIS S 7DBIS 04", "CL 63BIS S # 7DBIS-4"),
        ("KR 14Q 58A 04S", "KR 14Q # 58A-4 S"),
        ("CL 78ABISA S 10 20", "CL 78ABISA S # 10-20"),
        # a Sur written at the end belongs to the calle, an Este to the plate
        ("Calle 59D # 85-28 Sur", "CL 59D S # 85-28"),
        ("Carrera 3 # 15-57 Este Sur", "KR 3 E # 15-57 S"),
        # complements and the city are not part of the address
        ("Carrera 7F No. 155 - 71. Barrio Barrancas", "KR 7F # 155-71"),
        ("Cr 10 #20-30 apto 301", "KR 10 # 20-30"),
        ("Cl. 26 # 7-30, Bogotá D.C.", "CL 26 # 7-30"),
        # a letter Y or X inside a plate is a letter, not "and"
        ("CL 66 C SUR 18 Y 03", "CL 66C S # 18Y-3"),
        # a street alone
        ("kr 7", "KR 7"),
        ("Diagonal 45B Sur", "DG 45B S"),
    ],
)
def test_written_forms(text: str, expected: str) -> None:
    parsed = parse(text)
    assert parsed is not None, text
    assert parsed.text == expected


@pytest.mark.parametrize(
    ("text", "first", "second"),
    [
        ("Calle 26 con Carrera 7", "CL 26", "KR 7"),
        ("cll 26 y kr 7", "CL 26", "KR 7"),
        ("Calle 26 & Cra 7", "CL 26", "KR 7"),
        ("calle 26 con 7", "CL 26", "KR 7"),  # the cross is the other axis
        ("Carrera 10 con 1 Sur", "KR 10", "CL 1 S"),
        ("Av. Boyacá con Calle 26", "AV BOYACA", "CL 26"),
    ],
)
def test_intersections(text: str, first: str, second: str) -> None:
    parsed = parse(text)
    assert parsed is not None and parsed.other is not None
    assert (parsed.street.label, parsed.other.label) == (first, second)


def test_named_avenue_with_a_plate_and_a_named_avenue_before_its_number() -> None:
    parsed = parse("Av. Boyacá # 26-10")
    assert parsed is not None
    assert parsed.street == Street("AV", None, "", "", "BOYACA")
    assert (parsed.cross_number, parsed.house) == (26, 10)
    parsed = parse("Avenida El Dorado, Calle 26 No. 69B - 76")
    assert parsed is not None and parsed.text == "CL 26 # 69B-76"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "hola",
        "Chapinero",
        "KM 5 SIBATÉ",
        "VEREDA EL HATO LA MESA CUNDINAMARCA",
        "Calle",
        "# 85-28",
        "💩💩💩",
        "<script>alert(1)</script>",
        "x" * 5000,
        "Calle 26 # 7-30 " * 400,
    ],
)
def test_junk_is_not_an_address(text: str) -> None:
    assert parse(text) is None
    assert not looks_like_address(text)


def test_an_impossible_number_reads_as_an_address_but_parses_to_nothing() -> None:
    # it goes to the locator (not the place names), which answers "not found, try ..."
    assert looks_like_address("Calle 9999 # 1-1")
    assert parse("Calle 9999 # 1-1") is None


def test_emoji_around_an_address_are_ignored() -> None:
    parsed = parse("🏠 Calle 59D Sur # 85-28 🙂")
    assert parsed is not None and parsed.text == "CL 59D S # 85-28"


def test_long_input_is_refused_fast() -> None:
    start = time.perf_counter()
    for _ in range(100):
        assert parse("Calle 26 " + "a" * 5000) is None
    assert time.perf_counter() - start < 0.5


def test_looks_like_address_tells_addresses_from_names() -> None:
    assert looks_like_address("cra 7 # 32-16")
    assert looks_like_address("Calle 26 con 7")
    assert looks_like_address("Av. Boyacá con Calle 26")
    assert not looks_like_address("Ciudad Bolívar")
    assert not looks_like_address("Avenida Boyacá")  # a name: the gazetteer's
    assert not looks_like_address("Carrera")


def test_official_labels_and_plates() -> None:
    street = parse_street("CL 63BIS S")
    assert street == Street("CL", 63, "BIS", "S")
    plate = parse_plate(Street("CL", 31, "A", "S"), "0 45 E")
    assert plate == Address(Street("CL", 31, "A", "S"), 0, "", 45, "E")
    plate = parse_plate(Street("KR", 14, "Q"), "74 43 S")
    assert plate is not None and (plate.street.cardinal, plate.plate_cardinal) == ("", "S")
    assert plate_parts("7DBIS 04 S") == (7, "DBIS", 4, "S")
    assert plate_parts("IN 13") is None  # an interior number is no plate
    assert plate_parts("-21") is None


def test_suffixes_sort_as_the_streets_lie() -> None:
    order = ["", "BIS", "A", "ABIS", "ABISA", "B", "BBIS", "Z"]
    values = [suffix_order(s) for s in order]
    assert values == sorted(values) and len(set(values)) == len(values)
    assert suffix_order("ABC") == -1


def test_plate_positions_order_a_street_and_keep_este_apart() -> None:
    pos = plate_position([85, 85, 85, 86], [0, 0, suffix_order("A"), 0], [10, 28, 5, 2], False)
    assert list(pos) == sorted(pos)
    west, east = plate_position(0, 0, 24, False), plate_position(0, 0, 24, True)
    assert west != east and east < 0 <= west
