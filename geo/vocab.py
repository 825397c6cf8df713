"""Controlled vocabularies shared by the data registry, the filters and the UI labels.

The codes and their Spanish and English labels live in ``data/vocab.toml``, one
array per vocabulary in a stable order; this module reads it once at import and
exposes the code tuples (``ui.i18n.label`` reads the labels). A new population
group, service or kind is one line there.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

VOCAB_FILE = Path(__file__).resolve().parents[1] / "data" / "vocab.toml"


def _load() -> dict[str, list[dict[str, object]]]:
    with VOCAB_FILE.open("rb") as handle:
        return tomllib.load(handle)


_VOCAB = _load()


def _codes(vocabulary: str, **flags: tuple[object, object]) -> tuple[str, ...]:
    """Codes of ``vocabulary`` in file order, those whose ``flags`` match (absent: default).

    Each flag is ``(wanted value, value when the row does not say)``.
    """
    rows = _VOCAB[vocabulary]
    return tuple(
        str(row["code"])
        for row in rows
        if all(row.get(flag, default) == want for flag, (want, default) in flags.items())
    )


def labels_of(vocabulary: str) -> Mapping[str, Mapping[str, str]]:
    """Return ``{code: {lang: label}}`` of a vocabulary (rows without labels left out)."""
    return MappingProxyType(
        {
            str(row["code"]): MappingProxyType({lang: str(row[lang]) for lang in LANGUAGES})
            for row in _VOCAB[vocabulary]
            if all(lang in row for lang in LANGUAGES)
        }
    )


def vocabularies() -> tuple[str, ...]:
    """Return the names of the vocabularies with labels (``kind``, ``services``...)."""
    return tuple(name for name in _VOCAB if name != "languages")


LANGUAGES: tuple[str, ...] = tuple(str(row["code"]) for row in _VOCAB["languages"])
"""Interface languages, in the order of the switch; the first is the default."""
LANGUAGE_NAMES: Mapping[str, str] = MappingProxyType(
    {str(row["code"]): str(row["name"]) for row in _VOCAB["languages"]}
)
KINDS = _codes("kind", layer=(True, True))
"""Layer kinds. ``service``: an official care service point (e.g. Bogotá's SDIS and
SDMujer layers, imported by ``python -m geo atlas``); ``proposal``: a site proposed
by a study, not an official one; ``demand``: a demand grid (people per cell)."""
CARE_KINDS = _codes("kind", care=(True, False))
"""Kinds of the layers that hold care a person can walk to (the Gaps and Plan supply)."""
OPERATORS = _codes("operator")
POPULATIONS = _codes("populations")
DEMAND_GROUPS = _codes("populations", demand=(True, False))
"""Population groups of the demand grids (a column of people per cell each), analysed
by Gaps, Plan and the national run; the grids also carry ``total``."""
SERVICES = _codes("services")
# Services for the person cared for, and services for the carer (Bogotá's
# "simultaneity" asks for both within the same walk).
CARE_SERVICES = _codes("services", serves=("cared_for", None))
CARER_SERVICES = _codes("services", serves=("carer", None))
SERVICE_CATEGORIES = _codes("category")
"""Categories of Bogotá's official care services (``category`` column of the
``service`` layers built by :mod:`geo.io.atlas.services`, where each is explained)."""
PRECISIONS = _codes("location_precision")
CODE_SEPARATOR = ";"


def split_codes(value: object) -> tuple[str, ...]:
    """Split a ``;``-separated code list (``"children;older"``) into its codes.

    ``None``, NaN and ``""`` give an empty tuple; blanks around codes are ignored.
    """
    if not isinstance(value, str):
        return ()
    return tuple(code.strip() for code in value.split(CODE_SEPARATOR) if code.strip())
