"""Read the gettext catalogs in ``locale/``: every sentence a person reads, by key.

Why this module is in ``geo/`` and not in ``ui/``: some of geo's readers answer in
the person's language today (an upload's warnings, a submission's first field to fix,
a remote service's refusal), the command line prints English, and geo must not import
``ui/`` (nor Streamlit). So the one catalog reader lives here, pure (Babel only), and
:mod:`ui.i18n` is a thin layer over it. geo's errors also carry the key and its values
(:attr:`geo.errors.LayerError.code`, ``.params``), so ``ui/`` can say them again in
another language.

The catalogs are *monolingual* PO files (the form Weblate calls "gettext PO
monolingual" and Poedit supports): each ``msgid`` is a stable key such as
``page_explore`` and each ``msgstr`` the text, ``{placeholders}`` for
:meth:`str.format`. Keys rather than English sentences as msgids because the code
already names every string by key (``t("page_explore", lang)``), a key survives a
rewording of the English text (which would orphan every translation of a
sentence-msgid), and the same key names geo's error codes. The English catalog is
the source a translator works from; ``locale/care_atlas.pot`` is the template
(``make catalog``). Plural entries have ``msgid_plural`` (``<key>_plural``) and two
forms, ``Plural-Forms: nplurals=2; plural=(n != 1);`` in both languages.

The ``.po`` files are read with Babel once per process (no compile step, so a fresh
clone runs without building ``.mo`` files). A missing key raises ``KeyError``: a bug
the tests catch, never a silent fallback.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from geo.vocab import LANGUAGES

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "care_atlas"


def catalog_path(lang: str) -> Path:
    """Return the path of the ``.po`` catalog of ``lang``."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def entries(lang: str) -> dict[str, str | tuple[str, ...]]:
    """Return the catalog of ``lang`` as ``{key: text}`` (a tuple of forms for plurals).

    Raises
    ------
    KeyError
        ``lang`` is not one of :data:`geo.vocab.LANGUAGES`.
    """
    return _read(lang)[0]


@cache
def _read(lang: str) -> tuple[dict[str, str | tuple[str, ...]], Callable[[int], int]]:
    """Read the catalog of ``lang`` once: its entries and its ``Plural-Forms`` rule."""
    if lang not in LANGUAGES:
        raise KeyError(f"language {lang!r}: the catalogs are {', '.join(LANGUAGES)}")
    with catalog_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=None, domain=DOMAIN)
    out: dict[str, str | tuple[str, ...]] = {}
    for message in catalog:
        if not message.id:
            continue  # the header
        if isinstance(message.id, str):
            out[message.id] = str(message.string)
        else:  # a plural entry: (singular id, plural id) and one text per form
            out[str(message.id[0])] = tuple(str(form) for form in message.string or ())
    # the catalog's own rule (gettext's C expression), so a language with other plural
    # forms needs only its catalog
    return out, gettext.c2py(catalog.plural_expr)


def text(key: str, lang: str, /, **values: object) -> str:
    """Return the catalog text ``key`` in ``lang``, formatted with ``values``."""
    found = entries(lang)[key]
    if isinstance(found, tuple):
        raise KeyError(f"{key!r} has plural forms: use ntext(key, n, lang)")
    return found.format(**values) if values else found


def ntext(key: str, n: int, lang: str, /, **values: object) -> str:
    """Return the form of the plural entry ``key`` for the count ``n``, formatted.

    ``n`` is also the ``{n}`` of the format unless ``values`` gives ``n`` (a number
    already formatted for the language). The form is the one the catalog's
    ``Plural-Forms`` header picks for ``n``.
    """
    found_all, plural = _read(lang)
    found = found_all[key]
    if not isinstance(found, tuple):
        raise KeyError(f"{key!r} has no plural forms: use text(key, lang)")
    values.setdefault("n", n)
    return found[plural(n)].format(**values)


def per_language(key: str, /, **values: object) -> dict[str, str]:
    """Return ``{lang: text}`` of ``key`` in every language, for data that carries both.

    A dataset's documentation (a demand model's note, an atlas layer's title) is
    written into the data registry in every language; its words are still kept here.
    """
    return {lang: text(key, lang, **values) for lang in LANGUAGES}
