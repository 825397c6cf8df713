"""Controlled vocabularies shared by the data registry, the filters and the UI labels.

Codes are stable identifiers stored in the data files; their Spanish and English
labels live in ``ui/i18n.py``.
"""

from __future__ import annotations

KINDS = ("care_block", "care_bus", "home_care", "cooperative", "training", "policy", "boundary")
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
PRECISIONS = ("exact", "address", "neighbourhood", "city")
CODE_SEPARATOR = ";"


def split_codes(value: object) -> tuple[str, ...]:
    """Split a ``;``-separated code list (``"children;older"``) into its codes.

    ``None``, NaN and ``""`` give an empty tuple; blanks around codes are ignored.
    """
    if not isinstance(value, str):
        return ()
    return tuple(code.strip() for code in value.split(CODE_SEPARATOR) if code.strip())
