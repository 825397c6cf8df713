"""The filter widgets shared by the map pages, and the options they offer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

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
        layers_key = f"{page}_layers"
        state.restore_list(
            layers_key, param="layers", options=list(layer_options), default=list(layer_options)
        )
        st.multiselect(
            t("filter_layers", lang),
            options=list(layer_options),
            format_func=lambda layer_id: layer_options[layer_id],
            key=layers_key,
        )
        layers = state.keep_list(layers_key, param="layers")
        facets: dict[str, list[str]] = {}
        for facet, (_, vocabulary, param) in FACETS.items():
            key = f"{page}_{facet}"
            values = options.get(facet, [])
            state.restore_list(key, param=param, options=values)
            st.multiselect(
                t(f"filter_{facet}", lang),
                options=values,
                format_func=(lambda code, v=vocabulary: label(v, code, lang))
                if vocabulary
                else str,
                key=key,
                placeholder=t("filter_any", lang),
            )
            facets[facet] = state.keep_list(key, param=param)
        st.button(t("clear_filters", lang), on_click=_clear, args=(page,), key=f"{page}_clear")
    return Chosen(layers=layers, facets=facets)


def _clear(page: str) -> None:
    for facet, (_, _, param) in FACETS.items():
        st.session_state[f"{page}_{facet}"] = []
        if param in st.query_params:
            del st.query_params[param]
