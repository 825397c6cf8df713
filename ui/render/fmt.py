"""Numbers as people read them: ``45.316`` and ``85,9`` in Spanish, ``45,316`` and ``85.9`` in English.

One helper for every figure a page shows, so no page formats a number itself.
"""

from __future__ import annotations

import math

__all__ = ["integer", "number"]

_SEPARATORS = {"es": (".", ","), "en": (",", ".")}
"""Language -> ``(thousands separator, decimal mark)``."""


def number(value: float, lang: str, *, digits: int = 0) -> str:
    """Format ``value`` with ``digits`` decimals and the separators of ``lang``.

    Spanish groups thousands with a point and marks decimals with a comma (RAE and
    Colombian usage: ``4.009``, ``85,9``); English the other way round. A value that
    is not a finite number is shown as ``–``.

    Examples
    --------
    >>> number(45316, "es"), number(85.94, "es", digits=1), number(45316, "en")
    ('45.316', '85,9', '45,316')
    """
    try:
        value = float(value)
    except (TypeError, ValueError):
        return "–"
    if not math.isfinite(value):
        return "–"
    thousands, decimal = _SEPARATORS.get(lang, _SEPARATORS["en"])
    text = f"{value:,.{digits}f}"
    if text in (f"-{0:.{digits}f}",):
        text = text[1:]
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def integer(value: float, lang: str) -> str:
    """Format a count: rounded to a whole number, thousands grouped for ``lang``."""
    return number(value, lang, digits=0)
