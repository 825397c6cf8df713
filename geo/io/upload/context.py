"""What every reader of an upload shares.

The caps and constants, the result
(:class:`Upload`), the per-upload context that builds messages (:class:`_Ctx`), and the
intermediate source a reader returns (:class:`_Source`).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from geo import catalog
from geo.errors import Choice, LayerError, NeedsChoice
from geo.settings import Settings

log = logging.getLogger(__name__)

FORMATS = ("geojson", "gpkg", "shapefile-zip", "csv", "kml")
MB = 1024 * 1024
#: Latin America as a longitude/latitude box: Mexico to Tierra del Fuego, with the Caribbean.
LATAM_BOUNDS = (-118.5, -56.5, -34.0, 33.0)
#: Coordinate systems offered when a layer's coordinates are metres and it does not
#: say which system they are in, in order of preference (the page shows at most
#: :data:`MAX_CRS_OPTIONS`, those that place the data in Latin America).
CRS_CANDIDATES: tuple[int, ...] = (
    3116,  # MAGNA-SIRGAS / Colombia Bogota zone
    9377,  # MAGNA-SIRGAS 2018 / Origen-Nacional (Colombia)
    32618,  # WGS 84 / UTM 18N (Colombia, Ecuador, Peru north)
    32718,  # WGS 84 / UTM 18S (Peru, Chile)
    32719,  # WGS 84 / UTM 19S (Chile, Bolivia)
    3115,
    3117,
    3118,
    3114,  # other MAGNA-SIRGAS zones
    32617,
    32619,
    32620,
    32621,
    32616,
    32615,
    32614,
    32613,
    32612,
    32611,  # UTM north, Central America and Mexico
    32717,
    32720,
    32721,
    32722,
    32723,
    32724,
    32725,  # UTM south
    6372,  # Mexico ITRF2008 / LCC
    5343,
    5344,
    5345,
    5346,
    5347,
    5348,
    5349,  # POSGAR 2007 / Argentina 1-7
    5367,  # CR05 / CRTM05 (Costa Rica)
    3857,  # web maps (Pseudo-Mercator)
)
MAX_CRS_OPTIONS = 8
MAX_JSON_DEPTH = 64
MAX_COLLECTION_DEPTH = 4
MAX_ZIP_ENTRIES = 2000
#: Zip entries smaller than this are not held to the compression-ratio cap.
RATIO_FLOOR_BYTES = 1 * MB
MAX_LISTED = 10
ALL_LAYERS = "*"
_CHECK_EVERY = 2000

T = TypeVar("T")


@dataclass(frozen=True)
class Upload:
    """A layer read from an upload and ready to show.

    Attributes
    ----------
    frame
        EPSG:4326, valid geometries, column names as strings and a ``feature_id``
        column: the 1-based position of the feature in the file (a CSV's data row), as
        text, so that messages can point back to it.
    warnings
        What was repaired, converted or dropped, in plain words with counts, in the
        requested language.
    format
        ``"geojson"``, ``"gpkg"``, ``"shapefile-zip"``, ``"csv"`` or ``"kml"`` (the
        format of the content; a zipped GeoJSON reports ``"geojson"``).
    layer
        The layer read from a multi-layer source (GeoPackage layer, shapefile inside
        the zip, KML folder; ``"*"`` for all KML folders), else ``None``.
    source_name
        The file name as the person gave it (never a server path).
    """

    frame: gpd.GeoDataFrame
    warnings: list[str]
    format: str
    layer: str | None
    source_name: str


# --------------------------------------------------------------------------- context


@dataclass
class _Ctx:
    """What every step needs: the file name for messages, the language, answers, caps."""

    name: str
    lang: str
    choices: Mapping[str, str]
    settings: Settings
    started: float = field(default_factory=time.monotonic)
    warnings: list[str] = field(default_factory=list)

    def text(self, key: str, *, n: int = 0, **values: Any) -> str:
        """Say the catalog message ``file_<key>`` in the upload's language."""
        return _say(f"file_{key}", self.lang, name=self.name, n=n, **values)

    def params(self, n: int = 0, **values: Any) -> dict[str, Any]:
        """The values of a message: the file name, the count and the rest."""
        return {"name": self.name, "n": n, **values}

    def error(self, key: str, **values: Any) -> LayerError:
        return LayerError(
            self.text(key, **values), code=f"file_{key}", params=self.params(**values)
        )

    def ask(self, question: str, key: str, options: Sequence[Choice], **values: Any) -> NeedsChoice:
        return NeedsChoice(
            self.text(key, **values),
            question=question,
            options=list(options),
            code=f"file_{key}",
            params=self.params(**values),
        )

    def word(self, key: str, **values: Any) -> str:
        """A phrase of the catalog (``file_<key>``) in the upload's language."""
        return catalog.text(f"file_{key}", self.lang, **values)

    def ask_again(
        self, question: str, value: str, why: str, options: Sequence[Choice]
    ) -> NeedsChoice:
        shown = _strip_controls(value)[0][:60]
        return self.ask(question, "ask_again", options, value=shown, why=why)

    def warn(self, key: str, *, n: int = 0, **values: Any) -> None:
        self.warnings.append(self.text(key, n=n, **values))

    def rows(self, positions: Iterable[int]) -> str:
        """1-based row numbers from 0-based positions, the first few and how many more."""
        numbers = sorted(p + 1 for p in positions)
        shown = ", ".join(str(r) for r in numbers[:MAX_LISTED])
        more = len(numbers) - MAX_LISTED
        if more > 0:
            shown = catalog.text("file_rows_more", self.lang, rows=shown, more=more)
        return shown

    def check_time(self) -> None:
        if time.monotonic() - self.started > self.settings.max_parse_seconds:
            raise self.error("cap_seconds", cap=_num(self.settings.max_parse_seconds))

    def check_features(self, count: int) -> None:
        if count > self.settings.max_features:
            raise self.error("cap_features", n=count, cap=self.settings.max_features)

    def check_vertices(self, count: int) -> None:
        if count > self.settings.max_vertices:
            raise self.error("cap_vertices", cap=self.settings.max_vertices)


def _say(key: str, lang: str, *, n: int = 0, **values: Any) -> str:
    """A catalog message: the form for ``n`` when it has plural forms."""
    if isinstance(catalog.entries(lang)[key], tuple):
        return catalog.ntext(key, n, lang, **values)
    return catalog.text(key, lang, n=n, **values)


def choice(value: str, key: str, *, n: int | None = None, **values: Any) -> Choice:
    """An answer labelled with the catalog phrase ``file_<key>`` in both languages."""
    es, en = (
        catalog.text(f"file_{key}", lang, **values)
        if n is None
        else catalog.ntext(f"file_{key}", n, lang, **values)
        for lang in ("es", "en")
    )
    return Choice(value, es, en)


def _num(value: float) -> str:
    return f"{value:g}"


def _megabytes(size: int) -> str:
    value = size / MB
    return f"{value:.1f}" if value >= 0.1 else f"{value:.2g}"


@dataclass
class _Source:
    """What a format reader hands to the common clean-up: one entry per original feature."""

    format: str
    records: pd.DataFrame
    geoms: np.ndarray  # object array of shapely geometries or None
    crs: CRS | None = None
    layer: str | None = None
    #: coordinates are longitude/latitude by definition (KML): never ask for a CRS
    geographic_only: bool = False
    #: say so when EPSG:4326 is assumed (a shapefile without .prj, CSV x/y)
    note_assumed: bool = False
    #: positions already known to be unusable, with the reason
    drops: dict[int, str] = field(default_factory=dict)
    #: positions with a repair made while parsing: "z", "unclosed", "fixed"
    flags: dict[str, set[int]] = field(default_factory=dict)
    #: property names the reader already renamed (repeated keys), as (old, new)
    renamed: list[tuple[str, str]] = field(default_factory=list)

    def flag(self, what: str, position: int) -> None:
        self.flags.setdefault(what, set()).add(position)


class _GeometryError(ValueError):
    """A GeoJSON geometry that cannot be used; ``reason`` names it (``file_drop_<reason>``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _display_name(filename: str | None, path: str | Path) -> str:
    """The last component of the given name, without control characters."""
    raw = str(filename) if filename else str(path)
    last = re.split(r"[\\/]", raw)[-1]
    clean = _strip_controls(last)[0].strip()
    return clean[:120] or "upload"


# C0 controls but tab, DEL, C1 controls, and the bidirectional embeddings, overrides
# and isolates that can make a name read differently from what it is.
_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _strip_controls(text: str) -> tuple[str, int]:
    """Remove control and bidi-override characters; line breaks become one space."""
    if not _CONTROLS.search(text):
        return text, 0
    count = len(_CONTROLS.findall(text))
    text = re.sub(r"\r\n|[\r\n]", " ", text)
    return _CONTROLS.sub("", text), count
