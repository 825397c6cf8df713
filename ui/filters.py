"""The filter widgets shared by the map pages, and the options they offer."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import streamlit as st

from geo import vocab
from ui import state
from ui.i18n import label, t

# facet -> (column, vocabulary for labels, URL parameter)
FACETS: dict[str, tuple[str, str, str]] = {
    "services": ("services", "services", "svc"),
    "populations": ("populations", "populations", "pop"),
    "operators": ("operator", "operator", "op"),
    "countries": ("country", "country", "country"),
    "cities": ("city", "", "city"),
}


@dataclass(frozen=True)
class Chosen:
    """What the person picked: layers to show and the filter facets."""

    layers: list[str]
    facets: dict[str, list[str]] = field(default_factory=dict)


def facet_options(frames: Iterable[gpd.GeoDataFrame]) -> dict[str, list[str]]:
    """The values each facet can take in these layers, in vocabulary or sorted order."""
    found: dict[str, set[str]] = {facet: set() for facet in FACETS}
    for frame in frames:
        for facet, (column, _, _) in FACETS.items():
            if column not in frame:
                continue
            if column in ("services", "populations"):
                for value in frame[column]:
                    found[facet].update(vocab.split_codes(value))
            else:
                found[facet].update(str(v) for v in frame[column].dropna() if str(v))
    order = {
        "services": vocab.SERVICES,
        "populations": vocab.POPULATIONS,
        "operators": vocab.OPERATORS,
    }
    return {
        facet: [c for c in order[facet] if c in values] if facet in order else sorted(values)
        for facet, values in found.items()
    }


def kept_multiselect(
    label: str,
    options: Sequence[str],
    *,
    keep: str,
    lang: str,
    format_func: Callable[[str], str] = str,
    param: str | None = None,
    default: Sequence[str] = (),
    container: Any = st,
) -> list[str]:
    """A multiselect whose value survives page and language changes (and the URL's ``param``).

    The widget key carries the language so its labels are redrawn when the language
    changes; the value is kept under ``keep``.
    """
    key = f"{keep}_{lang}"
    state.restore_list(key, keep=keep, param=param, options=options, default=default)
    container.multiselect(
        label,
        options=list(options),
        format_func=format_func,
        key=key,
        placeholder=t("filter_any", lang),
    )
    return state.keep_list(key, keep=keep, param=param)


def _labeller(vocabulary: str, lang: str) -> Callable[[str], str]:
    """A multiselect's ``format_func``: the label of a code in ``vocabulary`` (none: as is)."""
    if not vocabulary:
        return str
    return lambda code: label(vocabulary, code, lang)


def filter_sidebar(
    page: str,
    *,
    lang: str,
    layer_options: Mapping[str, str],
    options: Mapping[str, list[str]],
) -> Chosen:
    """Draw the layer toggles and the facet filters in the sidebar; return the choice.

    Every choice is mirrored in the URL (``layers``, ``svc``, ``pop``, ``op``,
    ``country``, ``city``).
    """
    with st.sidebar:
        st.header(t("filters", lang))
        layers = kept_multiselect(
            t("filter_layers", lang),
            list(layer_options),
            keep=f"{page}_layers",
            lang=lang,
            format_func=layer_options.__getitem__,
            param="layers",
            default=list(layer_options),
        )
        facets = {
            facet: kept_multiselect(
                t(f"filter_{facet}", lang),
                options.get(facet, []),
                keep=f"{page}_{facet}",
                lang=lang,
                format_func=_labeller(vocabulary, lang),
                param=param,
            )
            for facet, (_, vocabulary, param) in FACETS.items()
        }
        st.button(t("clear_filters", lang), on_click=_clear, args=(page, lang), key=f"{page}_clear")
    return Chosen(layers=layers, facets=facets)


def _clear(page: str, lang: str) -> None:
    for facet, (_, _, param) in FACETS.items():
        st.session_state[f"{page}_{facet}_{lang}"] = []
        state.forget(f"{page}_{facet}")
        if param in st.query_params:
            del st.query_params[param]


def group_choice(*, keep: str, lang: str, param: str | None = None) -> list[str]:
    """Which population groups the analysis counts (all of them when none is chosen)."""
    groups = list(vocab.DEMAND_GROUPS)
    return _all_when_none(t("gaps_groups", lang), groups, "populations", groups, keep, lang, param)


def care_service_choice(
    offered: Sequence[str], *, keep: str, lang: str, param: str | None = None
) -> list[str]:
    """Which of the ``offered`` services count as care (the care services when none is chosen)."""
    care = [c for c in vocab.CARE_SERVICES if c in offered]
    return _all_when_none(t("gaps_services", lang), offered, "services", care, keep, lang, param)


def _all_when_none(
    text: str,
    options: Sequence[str],
    vocabulary: str,
    default: Sequence[str],
    keep: str,
    lang: str,
    param: str | None,
) -> list[str]:
    """A kept multiselect of vocabulary codes that counts ``default`` when none is chosen."""
    return kept_multiselect(
        text,
        options,
        keep=keep,
        lang=lang,
        format_func=lambda code: label(vocabulary, code, lang),
        param=param,
        default=default,
    ) or list(default)
