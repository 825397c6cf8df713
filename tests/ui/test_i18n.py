"""ui.i18n: every string in both languages; the language choice order."""

from __future__ import annotations

import re

import pytest

from geo import catalog, vocab
from ui.i18n import LANGUAGES, VOCABULARY, label, pick_language, t, tn


def _strings() -> dict[str, dict[str, str]]:
    """The catalogs as ``{key: {lang: text}}``, a plural entry's forms joined."""
    catalogs = {lang: catalog.entries(lang) for lang in LANGUAGES}
    keys = set().union(*catalogs.values())
    return {
        key: {
            lang: " | ".join(text) if isinstance(text, tuple) else text
            for lang, entries in catalogs.items()
            if (text := entries.get(key)) is not None
        }
        for key in keys
    }


def test_every_string_has_both_languages_and_the_same_placeholders() -> None:
    for key, texts in _strings().items():
        assert set(texts) == set(LANGUAGES), key
        assert all(texts[lang].strip() for lang in LANGUAGES), key
        placeholders = {lang: set(re.findall(r"{(\w+)}", texts[lang])) for lang in LANGUAGES}
        assert placeholders["es"] == placeholders["en"], key


def test_plural_forms_follow_the_count() -> None:
    assert tn("upload_added", 1, "en", name="a") == "Layer “a” added (1 feature)."
    assert tn("upload_added", 3, "es", name="a") == "Capa «a» añadida (3 elementos)."
    assert tn("nat_map_title", 1, "es") == "La zona sin servicio con más personas"
    assert (
        tn("nat_map_title", 1_200, "en", n="1,200")
        == "The 1,200 unserved areas with the most people"
    )
    with pytest.raises(KeyError):
        t("upload_added", "en")  # a plural entry needs its count


@pytest.mark.parametrize(
    ("vocabulary", "codes"),
    [
        ("kind", vocab.KINDS),
        ("services", vocab.SERVICES),
        ("populations", vocab.POPULATIONS),
        ("operator", vocab.OPERATORS),
        ("location_precision", vocab.PRECISIONS),
    ],
)
def test_every_code_has_labels(vocabulary: str, codes: tuple[str, ...]) -> None:
    for code in codes:
        entry = VOCABULARY[vocabulary][code]
        assert set(entry) == set(LANGUAGES)
        assert entry["es"] != "" and entry["en"] != ""


def test_missing_key_is_an_error_not_a_silent_fallback() -> None:
    with pytest.raises(KeyError):
        t("no_such_key", "es")


def test_unknown_code_is_shown_as_itself() -> None:
    assert label("services", "teleport", "en") == "teleport"
    assert label("services", "legal_aid", "es") == "Asesoría jurídica"


@pytest.mark.parametrize(
    ("requested", "locale", "expected"),
    [
        ("en", "es-CO", "en"),
        (None, "en-GB", "en"),
        (None, "es-419", "es"),
        (None, "pt-BR", "es"),
        (None, None, "es"),
        ("fr", None, "es"),
    ],
)
def test_pick_language(requested, locale, expected) -> None:
    assert pick_language(requested, locale, "es") == expected


def test_every_registry_column_has_a_label() -> None:
    from geo.layers import load_registry
    from geo.settings import PROJECT_DIR

    shown_elsewhere = {"name", "kind", "operator", "services", "populations", "country", "source"}
    shown_elsewhere |= {"location_precision", "description_es", "description_en"}
    registry = load_registry(PROJECT_DIR / "data")
    for spec in registry.layers.values():
        for column in spec.columns:
            if column not in shown_elsewhere:
                assert column in VOCABULARY["columns"], f"{spec.id}.{column} has no label"


def test_a_geo_error_is_said_again_in_the_page_language() -> None:
    from pathlib import Path

    from geo.errors import LayerError
    from geo.io.upload import read_upload
    from ui.i18n import error_text

    empty = Path(__file__).resolve().parents[1] / "data" / "bad" / "empty.geojson"
    with pytest.raises(LayerError) as caught:
        read_upload(empty, lang="es")
    error = caught.value
    assert error.code == "file_empty"
    assert error.params["name"] == "empty.geojson"
    assert error_text(error, "es") == str(error)
    assert error_text(error, "en") == (
        "empty.geojson: the file is empty; export the layer again and upload it."
    )
    assert error_text(ValueError("plain words"), "en") == "plain words"


def test_one_vocabulary_file_defines_groups_and_languages() -> None:
    import geo.community
    import geo.io.remote
    import geo.settings

    assert vocab.DEMAND_GROUPS == ("children", "older", "disability", "carers")
    assert set(vocab.DEMAND_GROUPS) <= set(vocab.POPULATIONS)
    assert LANGUAGES == ("es", "en")
    assert geo.settings.LANGUAGES is geo.community.LANGUAGES is geo.io.remote.LANGUAGES is LANGUAGES
    for lang in LANGUAGES:
        assert catalog.catalog_path(lang).is_file(), lang
