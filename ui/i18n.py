"""Every string of the interface, in Spanish and English: a thin layer over the catalogs.

The words live in gettext catalogs, ``locale/{es,en}/LC_MESSAGES/care_atlas.po``
(read by :mod:`geo.catalog`, which explains the monolingual key-as-msgid choice), and
the labels of data codes in ``data/vocab.toml`` (read by :mod:`geo.vocab`).

``t(key, lang)`` looks a string up; ``tn(key, n, lang)`` picks the singular or
plural form for a count; ``label(vocabulary, code, lang)`` gives the label of a data
code (a service, a population, an operator...); ``error_text(err, lang)`` says a
geo error in ``lang`` from its code. A missing key is a bug, not a fallback: it
raises ``KeyError`` so the tests catch it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from geo import catalog, vocab
from geo.vocab import LANGUAGE_NAMES, LANGUAGES

__all__ = [
    "DYNAMIC_KEYS",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "VOCABULARY",
    "error_text",
    "label",
    "labels",
    "pick_language",
    "readable_source",
    "t",
    "tn",
]

VOCABULARY: Mapping[str, Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {name: vocab.labels_of(name) for name in vocab.vocabularies()}
)
"""``{vocabulary: {code: {lang: label}}}``, read from ``data/vocab.toml``."""


def t(key: str, lang: str, /, **values: object) -> str:
    """Return the interface string ``key`` in ``lang``, formatted with ``values``."""
    return catalog.text(key, lang, **values)


def tn(key: str, n: int, lang: str, /, **values: object) -> str:
    """Return the singular or plural form of ``key`` for the count ``n`` (ngettext).

    ``{n}`` in the text is ``n`` unless ``values`` passes ``n`` already formatted.
    """
    return catalog.ntext(key, n, lang, **values)


def error_text(error: BaseException, lang: str) -> str:
    """Say a geo error in ``lang``: from its catalog ``code`` and ``params`` when it has them.

    Errors without a code (a plain ``ValueError``) are shown as their message.
    """
    code = getattr(error, "code", None)
    if not code:
        return str(error)
    params = dict(getattr(error, "params", None) or {})
    n = params.pop("n", None)
    if isinstance(catalog.entries(lang).get(code), tuple):
        return tn(code, int(n or 0), lang, **params)
    if n is not None:
        params["n"] = n
    return t(code, lang, **params)


def label(vocabulary: str, code: str, lang: str) -> str:
    """Return the label of a data code; an unknown code is shown as itself.

    Data may carry codes the interface does not know yet (a user's layer): showing
    the code is honest and keeps the record readable.
    """
    entry = VOCABULARY[vocabulary].get(code)
    return entry[lang] if entry else code


def labels(vocabulary: str, codes: Sequence[str], lang: str) -> list[str]:
    """Labels of several codes, in order."""
    return [label(vocabulary, code, lang) for code in codes]


def pick_language(requested: str | None, browser_locale: str | None, default: str) -> str:
    """Choose the interface language.

    An explicit choice (``?lang=`` or the switch) wins; else the browser's locale
    when it is Spanish or English; else ``default``.
    """
    if requested in LANGUAGES:
        return requested
    if browser_locale:
        primary = browser_locale.split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return default


_FACTS_FILE = re.compile(r"Care Atlas facts file \(shared/facts/README\.md\)\s*(§\s*\d+)?")


def readable_source(text: str, lang: str) -> str:
    """Return a source line without the project's internal file names.

    "Care Atlas facts file (shared/facts/README.md) §1" reads "Care Atlas compilation of
    public sources".
    """
    return _FACTS_FILE.sub(t("facts_compilation", lang), text)


DYNAMIC_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "address_precision_{}": "geo.address: how precisely an address was found",
        "filter_{}": "ui.filters: the facets of the Explore filters",
        "gaps_distance_{}": "ui.view_state.DISTANCES: straight line or street network",
        "import_{}": "the Data page: the kinds of remote import (ArcGIS, WFS)",
        "measure_{}": "ui.view_state.MEASURES: the measures of the Gaps map",
        "measure_{}_bar": "ui.view_state.MEASURES: their colour-bar titles",
        "moderation_done_{}": "ui.moderation: the moderator's actions",
        "plan_candidates_{}": "ui.views.plan_scenario: where candidate sites come from",
        "plan_click_{}": "ui.views.plan_scenario: what a click on the Plan map does",
        "plan_origin_{}": "ui.views.plan_tabs: where a scenario's site came from",
        "question_{}": "geo.errors.NeedsChoice.QUESTIONS: what an upload asks",
        "file_claimed_{}": "geo.io.upload.sniff: the formats a file name can claim",
        "file_drop_{}": "geo.io.upload: why a feature was dropped (repair, geojson, tabular)",
        "file_drop_{}_short": "the same reasons, short, for the all-dropped message",
        "file_fix_{}": "geo.io.upload.repair._FIXABLE and 'geometry': what to fix",
    }
)
"""Keys built at run time (``t(f"measure_{m}", lang)``): the pattern, and where its codes
come from. ``tools/catalog.py`` (run by ``make test``) fails on a pattern missing here."""
