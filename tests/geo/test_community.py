"""geo.community: submission checks (es/en), duplicate detection, moderator passwords."""

from __future__ import annotations

import io
import re
import unicodedata

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.community import (
    DUPLICATE_COLUMNS,
    MAX_CHARS,
    SUBMITTABLE_KINDS,
    SubmissionError,
    clean_text,
    hash_password,
    likely_duplicates,
    main_hash_password,
    name_similarity,
    normalise_name,
    validate_place,
    verify_password,
)
from geo.errors import LayerError
from geo.store import NewPlace
from tests.places import new_place

UTM_18N = "EPSG:32618"  # Bogotá's UTM zone: offsets below are in metres
ORIGIN_LON, ORIGIN_LAT = -74.19, 4.62


def place(name: str = "Manzana del Cuidado Bosá", **fields: object) -> NewPlace:
    return new_place(name, **{"lon": ORIGIN_LON, "lat": ORIGIN_LAT} | fields)


# --------------------------------------------------------------------------- cleaning


def test_valid_place_is_cleaned() -> None:
    raw = place(
        "  Casa\u202e del\tCuidado\x00  \u200fBosa ",
        populations="carers; children;children",
        services="respite;child_care",
        place_name="Calle 5\n# 3-21",
        how_known="Primera línea\r\n\r\n\r\n\r\nSegunda\u2066 línea  ",
        country="co",
        lon="-74.19",
        lat=4.62,
    )
    cleaned = validate_place(raw, lang="es")
    assert cleaned.name == "Casa del Cuidado Bosa"
    assert cleaned.populations == "children;carers"  # vocabulary order, no repeats
    assert cleaned.services == "child_care;respite"
    assert cleaned.place_name == "Calle 5 # 3-21"
    assert cleaned.how_known == "Primera línea\n\nSegunda línea"
    assert cleaned.country == "CO"
    assert (cleaned.lon, cleaned.lat) == (-74.19, 4.62)


def test_clean_text_keeps_accents_and_emoji() -> None:
    family = "👩\u200d👧\u200d👦"
    scotland = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    text = f"Guarderi\u0301a Ñandú {family} {scotland} ☕"
    cleaned = clean_text(text)
    assert cleaned == f"Guardería Ñandú {family} {scotland} ☕"
    assert unicodedata.is_normalized("NFC", cleaned)


@pytest.mark.parametrize(
    "char",
    [
        "\u202a",
        "\u202b",
        "\u202d",
        "\u202e",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\u200e",
        "\u200f",
        "\u061c",
        "\ufeff",
        "\x07",
        "\x1b",
    ],
)
def test_clean_text_drops_bidi_and_control_characters(char: str) -> None:
    assert clean_text(f"ab{char}c") == "abc"


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("fields", "field", "es", "en"),
    [
        ({"name": " \u202e\t "}, "name", "Falta el nombre", "name is missing"),
        (
            {"name": "x" * 201},
            "name",
            "201 caracteres: acórtalo a 200",
            "201 characters: shorten it to 200",
        ),
        ({"how_known": "y" * 1001}, "how_known", "«cómo lo conoces»", "“how you know it”"),
        (
            {"kind": "spaceship"},
            "kind",
            "«spaceship» no es una opción",
            "“spaceship” is not an option",
        ),
        ({"kind": "boundary"}, "kind", "«tipo de lugar»", "“kind of place”"),
        ({"operator": "private"}, "operator", "«quién lo gestiona»", "“operator”"),
        ({"populations": "children;aliens"}, "populations", "«aliens»", "“aliens”"),
        ({"services": "child_care;teleport"}, "services", "«teleport»", "“teleport”"),
        ({"services": " ; "}, "services", "al menos un servicio", "at least one service"),
        (
            {"location_precision": "roughly"},
            "location_precision",
            "precisión",
            "location precision",
        ),
        (
            {"lon": float("nan")},
            "location",
            "marca el lugar en el mapa",
            "mark the place on the map",
        ),
        ({"lon": 181.0}, "location", "no es válida", "is not valid"),
        ({"lat": -90.5}, "location", "no es válida", "is not valid"),
        ({"lon": "oeste"}, "location", "no es válida", "is not valid"),
        ({"lon": 0.0, "lat": 0.0}, "location", "no es válida", "is not valid"),
        ({"country": "Colombia"}, "country", "dos letras", "two-letter code"),
        ({"contact": 3001234567}, "contact", "debe ser texto", "must be text"),
    ],
)
def test_validation_errors_speak_es_and_en(
    fields: dict[str, object], field: str, es: str, en: str
) -> None:
    for lang, expected in (("es", es), ("en", en)):
        with pytest.raises(SubmissionError, match=re.escape(expected)) as info:
            validate_place(place(**fields), lang=lang)
        assert isinstance(info.value, LayerError)
        assert info.value.field == field
        message = str(info.value)
        assert message.count(". ") == 0 and message.endswith(".")  # one sentence


def test_caps_hold_for_every_text_field() -> None:
    for field, limit in MAX_CHARS.items():
        at_limit = validate_place(place(**{field: "a" * limit}), lang="en")
        assert len(getattr(at_limit, field)) == limit
        with pytest.raises(SubmissionError, match=f"{limit + 1} characters"):
            validate_place(place(**{field: "a" * (limit + 1)}), lang="en")


def test_every_submittable_kind_is_accepted() -> None:
    assert "boundary" not in SUBMITTABLE_KINDS
    for kind in SUBMITTABLE_KINDS:
        assert validate_place(place(kind=kind), lang="en").kind == kind


def test_populations_may_be_empty() -> None:
    assert validate_place(place(populations=""), lang="es").populations == ""


def test_unknown_language() -> None:
    with pytest.raises(ValueError, match="lang"):
        validate_place(place(), lang="fr")


# --------------------------------------------------------------------------- duplicates


def existing_layer(
    rows: list[tuple[str, str, float, float]], *, crs: str = "EPSG:4326"
) -> gpd.GeoDataFrame:
    """Places at (east_m, north_m) from the origin, built in UTM 18N, returned in ``crs``."""
    origin = gpd.GeoSeries([shapely.Point(ORIGIN_LON, ORIGIN_LAT)], crs=4326).to_crs(UTM_18N)[0]
    frame = gpd.GeoDataFrame(
        {"id": [r[0] for r in rows], "name": [r[1] for r in rows]},
        geometry=[shapely.Point(origin.x + r[2], origin.y + r[3]) for r in rows],
        crs=UTM_18N,
    )
    return frame.to_crs(crs)


def test_same_name_other_accents_and_case_50_m_away_is_flagged() -> None:
    existing = existing_layer(
        [
            ("near", "MANZANA DEL CUIDADO - BOSA", 30.0, 40.0),  # 50 m
            ("far", "Manzana del Cuidado Bosá", 300.0, 0.0),  # same name, 300 m
            ("other", "Jardín Infantil El Sol", 10.0, 0.0),  # other name, 10 m
        ]
    )
    found = likely_duplicates(place(), existing)
    assert isinstance(found, pd.DataFrame) and not isinstance(found, gpd.GeoDataFrame)
    assert found["id"].tolist() == ["near"]
    assert found["distance_m"].iloc[0] == pytest.approx(50.0, abs=0.5)
    assert found["similarity"].iloc[0] == pytest.approx(1.0)
    assert list(found.columns) == ["id", "name", *DUPLICATE_COLUMNS]


def test_distance_is_in_metres_whatever_the_layer_crs() -> None:
    rows = [
        ("near", "Manzana del Cuidado Bosa", 0.0, 90.0),
        ("far", "Manzana del Cuidado Bosa", 0.0, 110.0),
    ]
    for crs in ("EPSG:4326", "EPSG:3857", UTM_18N, "EPSG:9377"):
        found = likely_duplicates(place(), existing_layer(rows, crs=crs))
        assert found["id"].tolist() == ["near"], crs
        assert found["distance_m"].iloc[0] == pytest.approx(90.0, abs=0.5), crs


def test_thresholds_are_options() -> None:
    existing = existing_layer(
        [("a", "Manzana del Cuidado Bosa", 300.0, 0.0), ("b", "Manzana Bosa", 5.0, 0.0)]
    )
    assert (
        likely_duplicates(place(), existing).empty
        or likely_duplicates(place(), existing)["id"].tolist() == []
    )
    assert likely_duplicates(place(), existing, within_m=400.0)["id"].tolist() == ["a"]
    assert likely_duplicates(place(), existing, min_similarity=0.5)["id"].tolist() == ["b"]


def test_nearest_first_and_index_kept() -> None:
    existing = existing_layer(
        [("x", "Manzana del Cuidado Bosa", 80.0, 0.0), ("y", "manzana del cuidado bosa", 20.0, 0.0)]
    ).set_index("id", drop=False)
    found = likely_duplicates(place(), existing)
    assert found.index.tolist() == ["y", "x"]


def test_no_candidates_gives_an_empty_frame_with_columns() -> None:
    empty = existing_layer([])
    found = likely_duplicates(place(), empty)
    assert found.empty and list(found.columns) == ["id", "name", *DUPLICATE_COLUMNS]
    far = likely_duplicates(
        place(), existing_layer([("f", "Manzana del Cuidado Bosa", 5000.0, 0.0)])
    )
    assert far.empty and list(far.columns) == ["id", "name", *DUPLICATE_COLUMNS]


def test_missing_names_and_empty_geometries_are_not_matches() -> None:
    existing = existing_layer([("a", "Manzana del Cuidado Bosa", 10.0, 0.0), ("b", "x", 0.0, 0.0)])
    existing.loc[1, "name"] = None
    existing.loc[0, "geometry"] = shapely.Point()
    assert likely_duplicates(place(), existing).empty


def test_duplicates_layer_errors() -> None:
    existing = existing_layer([("a", "Manzana", 0.0, 0.0)])
    with pytest.raises(LayerError, match="no CRS"):
        likely_duplicates(place(), existing.set_crs(None, allow_override=True))
    with pytest.raises(LayerError, match="'nombre'"):
        likely_duplicates(place(), existing, name_column="nombre")
    with pytest.raises(ValueError, match="within_m"):
        likely_duplicates(place(), existing, within_m=0)
    with pytest.raises(ValueError, match="min_similarity"):
        likely_duplicates(place(), existing, min_similarity=1.5)


def test_name_normalisation() -> None:
    assert normalise_name("  Manzana del Cuidado — BOSÁ! ") == "manzana del cuidado bosa"
    assert normalise_name("Ñandú") == "nandu"
    assert name_similarity("Bosá", "BOSA") == 1.0
    assert name_similarity("", "Bosa") == 0.0
    assert name_similarity("Jardín Infantil El Sol", "Manzana del Cuidado Bosa") < 0.5


# --------------------------------------------------------------------------- passwords


def test_hash_format_and_verify() -> None:
    hashed = hash_password("correct horse battery")
    assert re.fullmatch(r"scrypt\$\d+\$\d+\$\d+\$[0-9a-f]{32}\$[0-9a-f]{64}", hashed)
    assert verify_password("correct horse battery", hashed)
    assert not verify_password("correct horse batterY", hashed)
    assert not verify_password("", hashed)
    assert hash_password("correct horse battery") != hashed  # a fresh salt each time


def test_verify_is_unicode_normalised() -> None:
    hashed = hash_password(unicodedata.normalize("NFC", "contraseña segura"))
    assert verify_password(unicodedata.normalize("NFD", "contraseña segura"), hashed)


def test_tampered_hash_does_not_verify() -> None:
    hashed = hash_password("correct horse battery")
    head, key = hashed.rsplit("$", 1)
    flipped = f"{head}${'0' if key[0] != '0' else '1'}{key[1:]}"
    assert not verify_password("correct horse battery", flipped)


def test_empty_hash_never_verifies() -> None:
    assert not verify_password("anything", "")


@pytest.mark.parametrize(
    "bad",
    [
        "plain-text-password",
        "bcrypt$12$abc",
        "scrypt$16384$8$1$zz$00",
        "scrypt$1000$8$1$00112233445566778899aabbccddeeff$" + "00" * 32,  # n not a power of 2
        "scrypt$1048576$64$1$00112233445566778899aabbccddeeff$" + "00" * 32,  # 8 GiB
    ],
)
def test_malformed_hash_is_a_clear_error(bad: str) -> None:
    with pytest.raises(ValueError, match="python -m geo hash-password"):
        verify_password("x", bad)


def test_hash_password_refuses_empty() -> None:
    with pytest.raises(ValueError, match="empty"):
        hash_password("")


def test_main_hash_password_from_a_pipe(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    assert main_hash_password() == 0
    out, err = capsys.readouterr()
    assert verify_password("correct horse battery", out.strip())
    assert "CARE_ATLAS_MODERATOR_PASSWORD_HASH" in err


def test_main_hash_password_at_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Tty())
    answers = iter(["correct horse battery", "correct horse battery"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main_hash_password() == 0
    assert verify_password("correct horse battery", capsys.readouterr().out.strip())

    answers = iter(["correct horse battery", "correct horse batteri"])
    assert main_hash_password() == 2
    out, err = capsys.readouterr()
    assert out == "" and "differ" in err


def test_main_hash_password_refuses_short(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main_hash_password() == 2
    out, err = capsys.readouterr()
    assert out == "" and "shorter" in err
