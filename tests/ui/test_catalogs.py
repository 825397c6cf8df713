"""The gettext catalogs against the code: no key missing, unused, empty, fuzzy or mismatched.

``tools/catalog.py`` does the work (``make catalog`` runs it by hand); here it runs on
the tree, and on a copy of the tree with one fault planted at a time, to show each
fault is caught.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tools import catalog as check

ROOT = check.ROOT


def test_the_catalogs_match_the_code() -> None:
    assert check.problems() == []


def test_the_template_holds_the_keys_the_code_uses() -> None:
    with check.TEMPLATE.open("rb") as handle:
        committed = {m.id for m in read_po(handle) if m.id}
    fresh = {m.id for m in check.template() if m.id}
    assert committed == fresh, "locale/care_atlas.pot is stale: run `make catalog`"
    assert len(fresh) > 600


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the code and the catalogs, for planting faults."""
    root = tmp_path_factory.mktemp("tree")
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in check.CODE:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=skip)
        elif source.is_file():
            shutil.copy2(source, root / name)
    return root


@pytest.fixture
def planted(tree: Path) -> Path:
    """The copy with fresh catalogs (a test edits them)."""
    shutil.rmtree(tree / "locale", ignore_errors=True)
    shutil.copytree(ROOT / "locale", tree / "locale")
    return tree


def _edit(root: Path, lang: str, old: str, new: str) -> None:
    path = root / "locale" / lang / "LC_MESSAGES" / "care_atlas.po"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_copy_is_clean(planted: Path) -> None:
    assert check.problems(planted) == []


@pytest.mark.parametrize(
    ("lang", "old", "new", "expected"),
    [
        (
            "es",
            'msgid "page_region"\nmsgstr "Región"\n',
            "",
            "page_region: in the en catalog, missing from es",
        ),
        (
            "en",
            'msgid "page_region"\nmsgstr "Region"\n',
            "",
            "page_region: used at",
        ),
        (
            "en",
            'msgid "page_region"\nmsgstr "Region"\n',
            'msgid "page_region"\nmsgstr ""\n',
            "page_region: empty text in the en catalog",
        ),
        (
            "es",
            'msgid "page_region"\n',
            '#, fuzzy\nmsgid "page_region"\n',
            "page_region: fuzzy in the es catalog",
        ),
        (
            "es",
            "Datos: {title} · {vintage}",
            "Datos: {titulo} · {vintage}",
            "dataset_line: the {placeholders} differ",
        ),
        (
            "es",
            'msgstr[1] "{n} celdas · {km2} km²"',
            'msgstr[1] "{n} celdas · {km} km²"',
            "nat_tip_cells: the {placeholders} differ",
        ),
    ],
)
def test_each_fault_is_caught(planted: Path, lang: str, old: str, new: str, expected: str) -> None:
    _edit(planted, lang, old, new)
    found = check.problems(planted)
    assert any(line.startswith(expected) for line in found), found


def test_an_unused_key_is_caught(planted: Path) -> None:
    for lang, text in (("es", "sin uso"), ("en", "unused")):
        _edit(
            planted,
            lang,
            'msgid "page_region"\n',
            f'msgid "no_code_says_this"\nmsgstr "{text}"\n\nmsgid "page_region"\n',
        )
    assert "no_code_says_this: in the catalogs, used nowhere in the code (remove it)" in (
        check.problems(planted)
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # a key the code uses but no catalog has
        ('NEW = t("brand_new_key", "es")', "brand_new_key: used at ui/i18n.py:"),
        # an undeclared family of keys
        ('NEW = t(f"colour_{x}", "es")', "colour_{}: a key built at run time"),
    ],
)
def test_a_key_in_the_code_that_no_catalog_declares_is_caught(
    planted: Path, line: str, expected: str
) -> None:
    page = planted / "ui" / "i18n.py"
    page.write_text(page.read_text(encoding="utf-8") + f"\n\n{line}\n")
    try:
        found = check.problems(planted)
    finally:
        shutil.copy2(ROOT / "ui" / "i18n.py", page)
    assert any(found_line.startswith(expected) for found_line in found), found
