"""A session's own layers: uploaded, imported or downloaded, never shared between people.

Uploaded layers live in ``st.session_state`` of the session that uploaded them,
never in a module-level or ``st.cache_*`` store that other sessions could read.
A layer is added only after it was read and accepted, so a failed upload leaves
everything loaded before it as it was.
"""

from __future__ import annotations

import contextlib
import io
import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import streamlit as st

from geo.layers import LayerSpec
from geo.settings import get_settings
from geo.store import Store, StoreError, open_store
from ui import safe
from ui.export import csv_bytes
from ui.i18n import t
from ui.loaders import synthetic_spec

log = logging.getLogger(__name__)

_LAYERS = "_user_layers"
_PENDING = "_pending_upload"


@dataclass
class PendingUpload:
    """An upload waiting for the person's answer to a question (CRS, columns, layer...)."""

    name: str
    data: bytes
    choices: dict[str, str] = field(default_factory=dict)


def layers() -> dict[str, gpd.GeoDataFrame]:
    """This session's accepted layers, by name (insertion order)."""
    return st.session_state.setdefault(_LAYERS, {})


def add_layer(name: str, frame: gpd.GeoDataFrame) -> str:
    """Keep an accepted layer in this session; a repeated name gets a number."""
    existing = layers()
    unique, n = name, 2
    while unique in existing:
        unique, n = f"{name} ({n})", n + 1
    existing[unique] = frame
    return unique


def remove_layer(name: str) -> None:
    """Forget one of this session's layers."""
    layers().pop(name, None)


def pending() -> PendingUpload | None:
    """The upload waiting for an answer, if any."""
    return st.session_state.get(_PENDING)


def set_pending(value: PendingUpload | None) -> None:
    """Remember (or clear) the upload waiting for an answer."""
    st.session_state[_PENDING] = value


@contextlib.contextmanager
def as_file(name: str, data: bytes) -> Iterator[Path]:
    """The uploaded bytes as a private temporary file (removed afterwards).

    The name given to the reader is the person's file name; the temporary path is
    never shown.
    """
    suffix = Path(name).suffix[:10]
    with tempfile.TemporaryDirectory(prefix="care-atlas-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        yield path


@contextlib.contextmanager
def store() -> Iterator[Store]:
    """The configured store, opened for one operation (connections are not shared)."""
    handle = open_store(get_settings())
    try:
        yield handle
    finally:
        handle.close()


def problem_text(exc: BaseException, *, lang: str) -> str:
    """What to tell the person about a failed store operation, as inert Markdown.

    A :class:`StoreError` names the database (a file path, a server): that is for the
    operator, so it goes to the server log and the person reads plain words. Other
    problems (a name too long, a story not found, a bad layer) are theirs to fix and
    are shown, escaped.
    """
    if isinstance(exc, StoreError):
        log.error("store operation failed: %s", exc)
        return t("store_error", lang)
    return safe.markdown(str(exc))


def geojson_bytes(frame: gpd.GeoDataFrame) -> bytes:
    """A layer as GeoJSON (EPSG:4326)."""
    return frame.to_crs(4326).to_json(drop_id=True, ensure_ascii=False).encode("utf-8")


def gpkg_bytes(frame: gpd.GeoDataFrame, *, layer: str = "layer") -> bytes:
    """A layer as a GeoPackage, written in memory."""
    buffer = io.BytesIO()
    pyogrio.write_dataframe(frame.to_crs(4326), buffer, layer=layer, driver="GPKG")
    return buffer.getvalue()


def table_csv(frame: gpd.GeoDataFrame) -> bytes:
    """A layer's attributes and WKT geometry as CSV, formula cells neutralised."""
    table = frame.to_crs(4326).copy()
    table["geometry_wkt"] = table.geometry.to_wkt()
    return csv_bytes(table.drop(columns=table.geometry.name))


NAME_COLUMNS = ("name", "nombre", "Name", "NAME", "NOMBRE", "title", "titulo")


def map_layers() -> list[tuple[LayerSpec, gpd.GeoDataFrame]]:
    """This session's layers as map layers (a ``name`` column chosen for popups)."""
    shown = []
    for n, (name, frame) in enumerate(layers().items()):
        label_col = next((c for c in NAME_COLUMNS if c in frame.columns), None)
        display = frame.to_crs(4326).copy()
        if "name" not in display.columns:
            display["name"] = display[label_col].astype(str) if label_col else name
        display.index = (
            display.get("feature_id", pd.Series(range(len(display)))).astype(str).to_numpy()
        )
        spec = synthetic_spec(f"user_{n}", title={"es": name, "en": name}, kind="user", source=name)
        shown.append((spec, display))
    return shown
