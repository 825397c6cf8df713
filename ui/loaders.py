"""Cached loaders: the only place pages get data from.

Registry layers are read once per process (``st.cache_data`` hands each caller its
own copy, so no page can alter another's frame). A layer that fails validation is
reported, not hidden: :func:`layers` returns the loaded frames and a message per
failure, and the page shows the messages while the other layers keep working.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import streamlit as st

from geo import region
from geo.catchments import catchments as buffer_catchments
from geo.errors import LayerError
from geo.layers import LayerSpec, Registry, load_layer, load_registry
from geo.settings import get_settings

INSTITUTIONS_ID = "training_institutions"


@st.cache_resource(show_spinner=False)
def registry() -> Registry:
    """The layer registry of the configured data folder."""
    return load_registry(get_settings().data_dir)


@st.cache_data(show_spinner=False)
def layer(layer_id: str) -> gpd.GeoDataFrame:
    """One registry layer, validated (raises ``LayerError``)."""
    reg = registry()
    return load_layer(reg[layer_id], data_dir=reg.data_dir)


def layers(layer_ids: list[str]) -> tuple[dict[str, gpd.GeoDataFrame], dict[str, str]]:
    """Load several layers; return ``(frames, errors)`` keyed by layer id."""
    frames: dict[str, gpd.GeoDataFrame] = {}
    errors: dict[str, str] = {}
    for layer_id in layer_ids:
        try:
            frames[layer_id] = layer(layer_id)
        except LayerError as exc:
            errors[layer_id] = str(exc)
    return frames, errors


@st.cache_data(show_spinner=False)
def institutions() -> gpd.GeoDataFrame:
    """The training offer collapsed to one point per institution."""
    return region.institutions(layer("training_offer"))


def institutions_spec() -> LayerSpec:
    """Registry entry of the derived institutions layer (from ``training_offer``)."""
    base = registry()["training_offer"]
    return dataclasses.replace(
        base,
        id=INSTITUTIONS_ID,
        title={
            "es": "Instituciones de formación y certificación",
            "en": "Training and certification institutions",
        },
    )


@st.cache_data(show_spinner=False)
def catchments(layer_id: str, radius_m: float) -> gpd.GeoDataFrame:
    """Straight-line walking catchments of every feature of a layer (filtered later)."""
    frame = institutions() if layer_id == INSTITUTIONS_ID else layer(layer_id)
    return buffer_catchments(frame[["geometry"]], radius_m=radius_m)
