"""Controlled vocabularies shared by the data registry, the filters and the UI labels.

Codes are stable identifiers stored in the data files; their Spanish and English
labels live in ``ui/i18n.py``.
"""

from __future__ import annotations

KINDS = (
    "care_block",
    "care_bus",
    "home_care",
    "service",
    "proposal",
    "cooperative",
    "training",
    "policy",
    "boundary",
    "demand",
)
"""Layer kinds. ``service``: an official care service point (e.g. Bogotá's SDIS and
SDMujer layers, imported by ``python -m geo atlas``); ``proposal``: a site proposed
by a study, not an official one; ``demand``: a demand grid (people per cell)."""
CARE_KINDS = ("care_block", "care_bus", "home_care", "service")
"""Kinds of the layers that hold care a person can walk to (the Gaps and Plan supply)."""
OPERATORS = ("public", "cooperative", "community", "mixed", "foundation")
POPULATIONS = ("children", "older", "disability", "carers", "households")
SERVICES = (
    "child_care",
    "older_care",
    "disability_care",
    "respite",
    "training",
    "certification",
    "schooling",
    "employment",
    "legal_aid",
    "psychosocial",
    "laundry",
    "mens_school",
    "home_care",
    "midwifery",
    "ancestral_care",
    "personal_assistance",
    "community_care",
    "care_info",
)
# Services for the person cared for, and services for the carer (Bogotá's
# "simultaneity" asks for both within the same walk).
CARE_SERVICES = ("child_care", "older_care", "disability_care", "home_care")
CARER_SERVICES = (
    "respite",
    "training",
    "certification",
    "schooling",
    "employment",
    "legal_aid",
    "psychosocial",
    "laundry",
)
SERVICE_CATEGORIES = (
    "jardin_infantil",
    "centro_dia",
    "cdc",
    "casa_igualdad",
    "disability_children",
    "disability_adults",
    "comedor",
    "centro_amar",
    "centro_proteger",
    "creciendo_familia",
)
"""Categories of Bogotá's official care services (``category`` column of the
``service`` layers built by :mod:`geo.io.atlas.services`, where each is explained)."""
PRECISIONS = ("exact", "address", "neighbourhood", "city")
CODE_SEPARATOR = ";"


def split_codes(value: object) -> tuple[str, ...]:
    """Split a ``;``-separated code list (``"children;older"``) into its codes.

    ``None``, NaN and ``""`` give an empty tuple; blanks around codes are ignored.
    """
    if not isinstance(value, str):
        return ()
    return tuple(code.strip() for code in value.split(CODE_SEPARATOR) if code.strip())
