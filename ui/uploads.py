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
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.uploaded_file_manager import UploadedFile

from geo.errors import LayerError
from geo.io import upload as ingest
from geo.layers import LayerSpec
from geo.settings import Settings, get_settings
from geo.store import Store, StoreError, open_store
from ui.i18n import error_text, t
from ui.loaders import synthetic_spec
from ui.render import safe
from ui.render.export import csv_bytes

log = logging.getLogger(__name__)

_LAYERS = "_user_layers"
_PENDING = "_pending_upload"
_REJECTED = "_rejected_upload"
PREVIEW_CHARS = 200
"""Longest text shown in a preview cell or tooltip (the value itself is kept)."""


@dataclass
class PendingUpload:
    """An upload waiting for the person's answer to a question (CRS, columns, layer...)."""

    name: str
    data: bytes
    choices: dict[str, str] = field(default_factory=dict)


def layers() -> dict[str, gpd.GeoDataFrame]:
    """Return the session's accepted layers, by name (insertion order)."""
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


def take(file: UploadedFile, *, settings: Settings, lang: str) -> bool:
    """Make ``file`` the pending upload, holding its bytes once; ``False`` if refused.

    A file over the upload cap is refused from its size, before any copy (see
    :func:`rejected`). Otherwise its bytes become the pending upload and Streamlit's
    own record of the file is dropped, so one copy is held while the person answers
    questions, not two.
    """
    st.session_state.pop(_REJECTED, None)
    try:
        ingest.check_upload_size(file.size, filename=file.name, settings=settings, lang=lang)
    except LayerError as problem:
        _release(file)
        reject(file.name, error_text(problem, lang))
        return False
    set_pending(PendingUpload(name=file.name, data=file.getvalue()))
    _release(file)
    return True


def reject(name: str, message: str) -> None:
    """Forget a refused upload's bytes at once; keep only its name and why it was refused."""
    set_pending(None)
    st.session_state[_REJECTED] = (name, message)


def rejected() -> tuple[str, str] | None:
    """The last refused upload, ``(name, message)``, until the person dismisses it."""
    return st.session_state.get(_REJECTED)


def dismiss_rejected() -> None:
    """Forget the refused upload's message."""
    st.session_state.pop(_REJECTED, None)


def _release(file: UploadedFile) -> None:
    """Drop Streamlit's record of an uploaded file.

    Streamlit keeps its bytes otherwise until the session ends; the widget then reads
    as empty on the next run.
    """
    ctx = get_script_run_ctx()
    if ctx is not None:
        manager = ctx.uploaded_file_mgr
        # remove_file is not in the protocol the context declares, only in the manager
        # Streamlit's server and AppTest both use
        if not isinstance(manager, MemoryUploadedFileManager):
            raise TypeError(f"cannot drop one upload from a {type(manager).__name__}")
        manager.remove_file(ctx.session_id, file.file_id)


def check_upload_limit(settings: Settings) -> str | None:
    """Warn the operator when Streamlit's upload limit is not the app's.

    Streamlit holds in memory whatever it accepts, and refuses with its
    own words what it does not.
    """
    configured = st.get_option("server.maxUploadSize")
    return _upload_limit_warning(int(configured), settings.streamlit_upload_mb)


@st.cache_resource(show_spinner=False)
def _upload_limit_warning(configured_mb: int, wanted_mb: int) -> str | None:
    if configured_mb == wanted_mb:
        return None
    message = (
        f"Streamlit's server.maxUploadSize is {configured_mb} MB but CARE_ATLAS_MAX_UPLOAD_MB "
        f"asks for {wanted_mb} MB: start the app with 'streamlit run app.py "
        f"--server.maxUploadSize {wanted_mb}' (make run does)."
    )
    log.warning(message)
    return message


def preview(frame: pd.DataFrame, *, max_chars: int = PREVIEW_CHARS) -> pd.DataFrame:
    """A copy of a table for showing: text longer than ``max_chars`` ends in "…"."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype.kind in "OSU" or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = pd.Series(
                [shorten(v, max_chars=max_chars) for v in out[column]],
                index=out.index,
                dtype=object,
            )
    return out


def shorten(value: object, *, max_chars: int = PREVIEW_CHARS) -> object:
    """``value`` cut to ``max_chars`` characters with "…" when it is longer text."""
    if isinstance(value, str) and len(value) > max_chars:
        return value[: max_chars - 1] + "…"
    return value


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
    return safe.markdown(error_text(exc, lang))


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
    """Return the session's layers as map layers (a ``name`` column chosen for popups)."""
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
