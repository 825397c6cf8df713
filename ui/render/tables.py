"""Tables as people read them: translated labels and column names."""

from __future__ import annotations

import pandas as pd

from geo import vocab
from ui.i18n import VOCABULARY, label, t

OFFER_COLUMNS = {
    "country": "col_country",
    "institution": "col_institution",
    "standard": "col_standard",
    "service_type": "col_type",
    "programme_hours": "col_programme_hours",
    "work_experience_hours": "col_work_hours",
    "certification_duration": "col_duration",
    "notes": "col_notes",
    "entry_requirements": "col_requirements",
    "populations": "col_populations",
    "operator": "col_operator",
}
# The report's "not applicable", as the layer keeps it.
NOT_APPLICABLE = "n. a."
# Marks a value that is Care Atlas's classification, not the report's.
PROJECT_MARK = "†"
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def note_marker(number: int) -> str:
    """Return the superscript marker of note ``number`` (1 -> "¹", 12 -> "¹²")."""
    return str(number).translate(_SUPERSCRIPT)


def _caveats(value: object) -> list[str]:
    if not isinstance(value, str):
        return []
    return [line.strip() for line in value.split("\n") if line.strip()]


def offer_notes(rows: pd.DataFrame, *, lang: str) -> list[tuple[str, str]]:
    """Number the caveats of the offer rows in order of first appearance.

    Parameters
    ----------
    rows
        Rows of the ``training_offer`` layer, with ``caveats_es`` and ``caveats_en``
        (one caveat per line).
    lang
        ``"es"`` or ``"en"``.

    Returns
    -------
    list of (str, str)
        ``(marker, text)`` pairs; a caveat shared by several rows appears once.
    """
    numbers: dict[str, int] = {}
    for value in rows[f"caveats_{lang}"]:
        for caveat in _caveats(value):
            numbers.setdefault(caveat, len(numbers) + 1)
    return [(note_marker(n), text) for text, n in numbers.items()]


def offer_population_label(code: str, lang: str) -> str:
    """Label of a population code in the training offer (wider than the Bogotá groups')."""
    if code in VOCABULARY["offer_populations"]:
        return label("offer_populations", code, lang)
    return label("populations", code, lang)


def _flag(text: str, source: object) -> str:
    """Mark ``text`` as Care Atlas's classification when the report gives no ``source``."""
    from_report = isinstance(source, str) and bool(source.strip())
    return text if from_report or not text else f"{text} {PROJECT_MARK}"


def offer_table(rows: pd.DataFrame, *, lang: str) -> pd.DataFrame:
    """The training offer with translated codes and column names, one row per standard.

    "n. a." (the report's "not applicable") is spelled out; the ``Notes`` column holds
    each row's note markers followed by the notes (numbered as :func:`offer_notes`
    numbers them); an operator or population that is Care Atlas's classification
    rather than the report's carries :data:`PROJECT_MARK`.
    """
    numbers = {text: marker for marker, text in offer_notes(rows, lang=lang)}
    na = t("offer_na", lang)

    def report_text(value: object) -> str:
        text = value if isinstance(value, str) else ""
        return na if text.strip() == NOT_APPLICABLE else text

    table = pd.DataFrame(
        {
            "country": rows["country"].map(lambda c: label("country", c, lang)),
            "institution": rows["institution"],
            "standard": rows["standard"],
            "service_type": rows["service_type"].map(lambda c: label("service_type", c, lang)),
            "programme_hours": rows["programme_hours"],
            "work_experience_hours": rows["work_experience_hours"],
            "certification_duration": rows["certification_duration"].map(report_text),
            "notes": rows[f"caveats_{lang}"].map(
                lambda v: "  ".join(f"{numbers[c]} {c}" for c in _caveats(v))
            ),
            "entry_requirements": rows["entry_requirements"].map(report_text),
            "populations": [
                _flag(
                    ", ".join(offer_population_label(c, lang) for c in vocab.split_codes(codes)),
                    source,
                )
                for codes, source in zip(
                    rows["populations"], rows["populations_source"], strict=True
                )
            ],
            "operator": [
                _flag(label("operator", code, lang), source)
                for code, source in zip(rows["operator"], rows["operator_source"], strict=True)
            ],
        }
    )
    return table.rename(columns={k: t(v, lang) for k, v in OFFER_COLUMNS.items()}).reset_index(
        drop=True
    )
