"""Tables as people read them: translated labels and column names."""

from __future__ import annotations

import pandas as pd

from geo import vocab
from ui.i18n import label, labels, t

OFFER_COLUMNS = {
    "country": "col_country",
    "institution": "col_institution",
    "standard": "col_standard",
    "service_type": "col_type",
    "programme_hours": "col_programme_hours",
    "work_experience_hours": "col_work_hours",
    "populations": "col_populations",
    "entry_requirements": "col_requirements",
    "certification_validity": "col_validity",
}


def offer_table(rows: pd.DataFrame, *, lang: str) -> pd.DataFrame:
    """The training offer with translated codes and column names, one row per standard."""
    table = pd.DataFrame(
        {
            "country": rows["country"].map(lambda c: label("country", c, lang)),
            "institution": rows["institution"],
            "standard": rows["standard"],
            "service_type": rows["service_type"].map(lambda c: label("service_type", c, lang)),
            "programme_hours": rows["programme_hours"],
            "work_experience_hours": rows["work_experience_hours"],
            "populations": rows["populations"].map(
                lambda v: ", ".join(labels("populations", vocab.split_codes(v), lang))
            ),
            "entry_requirements": rows["entry_requirements"],
            "certification_validity": rows["certification_validity"],
        }
    )
    return table.rename(columns={k: t(v, lang) for k, v in OFFER_COLUMNS.items()}).reset_index(
        drop=True
    )
