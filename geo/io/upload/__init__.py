"""Read a layer someone uploads, in any common format and whatever state it is in.

:func:`read_upload` identifies the format from the bytes (never from the file name),
reads it without writing anything to disk and returns an :class:`Upload`: a
GeoDataFrame in EPSG:4326 with valid geometries, string column names and a
``feature_id`` column (the 1-based position of each feature in the file), plus
warnings in plain words saying what was repaired, converted or dropped.

One bad feature does not sink a good file: invalid geometries are repaired when
``shapely.make_valid`` keeps their dimension, and features that cannot be used are
dropped and listed by row. What only the person can decide (the coordinate system,
which columns hold coordinates, whether latitude and longitude are swapped, which
layer, which text encoding) raises :class:`~geo.errors.NeedsChoice` with the options;
the page asks and calls again with ``choices={question: option.value, ...}``, earlier
answers included. Any other problem raises :class:`~geo.errors.LayerError` with one
sentence in the requested language naming the file, the problem and the fix; nothing
else escapes. The caps of :class:`~geo.settings.Settings` (upload size, unpacked size,
compression ratio, features, vertices, parse time) are checked before the step they
guard.

Formats: GeoJSON (RFC 7946, the legacy ``crs`` member, GeoJSON text sequences),
GeoPackage, zipped Shapefile (read in memory through GDAL's ``/vsizip/``, never
extracted), CSV with latitude/longitude, x/y or WKT columns, and KML/KMZ.

One job per module:

==========================  ==========================================================
:mod:`.read`                entry point: caps, format from the bytes, dispatch
:mod:`.sniff`               format identification and text decoding
:mod:`.geojson`             GeoJSON
:mod:`.archive`             GeoPackage, KML/KMZ, zipped shapefiles (GDAL, in memory)
:mod:`.tabular`             CSV
:mod:`.repair`              geometries, properties and warnings after any reader
:mod:`.crs_guess`           the coordinate system: parsed, guessed, or asked
:mod:`.context`             caps, the result type, the per-upload context
:mod:`.messages`            the messages in Spanish and English
==========================  ==========================================================
"""

from __future__ import annotations

from geo.errors import Choice, NeedsChoice
from geo.io.upload.context import ALL_LAYERS, FORMATS, MAX_CRS_OPTIONS, Upload
from geo.io.upload.read import read_upload
from geo.io.upload.repair import cap_text_values, check_upload_size

__all__ = [
    "ALL_LAYERS",
    "FORMATS",
    "MAX_CRS_OPTIONS",
    "Choice",
    "NeedsChoice",
    "Upload",
    "cap_text_values",
    "check_upload_size",
    "read_upload",
]
