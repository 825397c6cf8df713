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
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import logging
import math
import re
import time
import unicodedata
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from geo.errors import Choice, LayerError, NeedsChoice
from geo.settings import Settings, get_settings

log = logging.getLogger(__name__)

__all__ = ["FORMATS", "Choice", "NeedsChoice", "Upload", "read_upload"]

FORMATS = ("geojson", "gpkg", "shapefile-zip", "csv", "kml")
LANGUAGES = ("es", "en")
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

# --------------------------------------------------------------------------- messages
# One sentence each, naming the file ({name}), the problem and the fix. A tuple holds
# the singular and plural forms, chosen by ``n``.
_MESSAGES: dict[str, dict[str, str | tuple[str, str]]] = {
    # caps
    "cap_upload": {
        "es": "{name}: el archivo pesa {size} MB y el límite de subida es {cap} MB (ajuste max_upload_mb, CARE_ATLAS_MAX_UPLOAD_MB); recórtelo o simplifíquelo antes de subirlo.",
        "en": "{name}: the file is {size} MB, over the {cap} MB upload limit (setting max_upload_mb, CARE_ATLAS_MAX_UPLOAD_MB); clip or simplify it before uploading.",
    },
    "cap_unpacked": {
        "es": "{name}: descomprimido ocuparía {size} MB y el límite es {cap} MB (ajuste max_unpacked_mb, CARE_ATLAS_MAX_UNPACKED_MB); comprima solo los archivos de la capa que necesita.",
        "en": "{name}: unpacked it would take {size} MB, over the {cap} MB limit (setting max_unpacked_mb, CARE_ATLAS_MAX_UNPACKED_MB); zip only the files of the layer you need.",
    },
    "cap_ratio": {
        "es": "{name}: la entrada «{entry}» está comprimida {ratio}:1, más que el máximo de {cap}:1 (ajuste max_compression_ratio, CARE_ATLAS_MAX_COMPRESSION_RATIO), como una bomba de descompresión; vuelva a comprimir los archivos originales con un programa habitual.",
        "en": "{name}: the entry '{entry}' is compressed {ratio}:1, over the {cap}:1 maximum (setting max_compression_ratio, CARE_ATLAS_MAX_COMPRESSION_RATIO), like a decompression bomb; zip the original files again with an ordinary tool.",
    },
    "cap_features": {
        "es": "{name}: tiene {n} elementos y el límite es {cap} (ajuste max_features, CARE_ATLAS_MAX_FEATURES); divídalo en archivos más pequeños.",
        "en": "{name}: it has {n} features, over the {cap} limit (setting max_features, CARE_ATLAS_MAX_FEATURES); split it into smaller files.",
    },
    "cap_vertices": {
        "es": "{name}: tiene más de {cap} vértices, el límite (ajuste max_vertices, CARE_ATLAS_MAX_VERTICES); simplifique las geometrías (p. ej. con mapshaper o «Simplificar» de QGIS) y vuelva a subirlo.",
        "en": "{name}: it has more than {cap} vertices, the limit (setting max_vertices, CARE_ATLAS_MAX_VERTICES); simplify the geometries (e.g. with mapshaper or QGIS 'Simplify') and upload it again.",
    },
    "cap_seconds": {
        "es": "{name}: leerlo tomó más de {cap} s, el límite (ajuste max_parse_seconds, CARE_ATLAS_MAX_PARSE_SECONDS); simplifíquelo o divídalo y vuelva a subirlo.",
        "en": "{name}: reading it took more than {cap} s, the limit (setting max_parse_seconds, CARE_ATLAS_MAX_PARSE_SECONDS); simplify or split it and upload it again.",
    },
    # the file as a whole
    "empty": {
        "es": "{name}: el archivo está vacío; vuelva a exportar la capa y súbala de nuevo.",
        "en": "{name}: the file is empty; export the layer again and upload it.",
    },
    "unknown_format": {
        "es": "{name}: no se reconoce el formato del contenido; suba GeoJSON, GeoPackage, un Shapefile comprimido en .zip, CSV con coordenadas o KML.",
        "en": "{name}: the content is in no format this page reads; upload GeoJSON, GeoPackage, a zipped Shapefile, CSV with coordinates or KML.",
    },
    "fmt_excel": {
        "es": "{name}: es un libro de Excel u hoja de cálculo, no un CSV; guárdelo como «CSV UTF-8» con columnas de latitud y longitud y súbalo.",
        "en": "{name}: it is an Excel workbook or spreadsheet, not a CSV; save it as 'CSV UTF-8' with latitude and longitude columns and upload that.",
    },
    "fmt_compressed": {
        "es": "{name}: está comprimido en {kind}, que no se lee aquí; descomprímalo y suba la capa o comprímala en .zip.",
        "en": "{name}: it is compressed as {kind}, which is not read here; decompress it and upload the layer, or zip it.",
    },
    "fmt_bare_shp": {
        "es": "{name}: es solo la parte .shp de un shapefile; comprima en un .zip los archivos .shp, .shx, .dbf y .prj de la capa y suba el .zip.",
        "en": "{name}: it is only the .shp part of a shapefile; zip the layer's .shp, .shx, .dbf and .prj files together and upload the zip.",
    },
    "fmt_sqlite": {
        "es": "{name}: es una base de datos SQLite pero no un GeoPackage; exporte la capa como GeoPackage (.gpkg) y súbala.",
        "en": "{name}: it is an SQLite database but not a GeoPackage; export the layer as GeoPackage (.gpkg) and upload that.",
    },
    "fmt_html": {
        "es": "{name}: es una página web (HTML), no una capa; descargue el archivo de datos en sí (GeoJSON, KML, CSV...) y súbalo.",
        "en": "{name}: it is a web page (HTML), not a layer; download the data file itself (GeoJSON, KML, CSV...) and upload that.",
    },
    "fmt_xml": {
        "es": "{name}: es XML pero no KML (quizá GML o GPX); expórtelo como GeoJSON o KML y súbalo.",
        "en": "{name}: it is XML but not KML (maybe GML or GPX); export it as GeoJSON or KML and upload that.",
    },
    "fmt_other": {
        "es": "{name}: es un archivo {kind}, no una capa geográfica; suba GeoJSON, GeoPackage, un Shapefile en .zip, CSV con coordenadas o KML.",
        "en": "{name}: it is a {kind} file, not a map layer; upload GeoJSON, GeoPackage, a zipped Shapefile, CSV with coordinates or KML.",
    },
    "internal": {
        "es": "{name}: no se pudo leer por un error interno; vuelva a exportarlo (por ejemplo como GeoJSON) y, si el error sigue, avísenos.",
        "en": "{name}: it could not be read because of an internal error; export it again (for example as GeoJSON) and tell us if the error persists.",
    },
    "memory": {
        "es": "{name}: es demasiado grande para procesarlo en memoria; divídalo o simplifíquelo y vuelva a subirlo.",
        "en": "{name}: it is too large to process in memory; split or simplify it and upload it again.",
    },
    "no_features": {
        "es": "{name}: la capa no tiene elementos; exporte una capa con al menos un elemento.",
        "en": "{name}: the layer has no features; export a layer with at least one feature.",
    },
    "all_dropped": {
        "es": "{name}: no se puede usar ninguno de sus {n} elementos ({reasons}); {fix} y vuelva a subirlo.",
        "en": "{name}: none of its {n} features can be used ({reasons}); {fix} and upload it again.",
    },
    "claimed_json": {
        "es": "{name}: el nombre dice JSON, pero el contenido no es JSON (no empieza por una llave ni un corchete); vuelva a exportar la capa como GeoJSON y súbala.",
        "en": "{name}: the name says JSON, but the content is not JSON (it does not start with a brace or a bracket); export the layer again as GeoJSON and upload that.",
    },
    "claimed_gpkg": {
        "es": "{name}: el nombre dice GeoPackage, pero el contenido no es un GeoPackage (una base SQLite); vuelva a exportar la capa como GeoPackage y súbala.",
        "en": "{name}: the name says GeoPackage, but the content is not a GeoPackage (an SQLite database); export the layer again as GeoPackage and upload that.",
    },
    "claimed_zip": {
        "es": "{name}: el nombre dice .zip, pero el contenido no es un archivo zip; vuelva a comprimir los archivos de la capa en un .zip y súbalo.",
        "en": "{name}: the name says .zip, but the content is not a zip archive; zip the layer's files again and upload the .zip.",
    },
    "damaged": {
        "es": "{name}: el {kind} está dañado o incompleto y no se puede leer; vuelva a exportarlo y súbalo de nuevo.",
        "en": "{name}: the {kind} is damaged or incomplete and cannot be read; export it again and upload it.",
    },
    "text_damaged": {
        "es": "{name}: el texto no se puede decodificar como {encoding}; guárdelo como UTF-8 y vuelva a subirlo.",
        "en": "{name}: the text cannot be decoded as {encoding}; save it as UTF-8 and upload it again.",
    },
    # JSON
    "json_invalid": {
        "es": "{name}: no es JSON válido (error en la línea {line}, columna {col}); corrija esa parte o vuelva a exportarlo como GeoJSON.",
        "en": "{name}: it is not valid JSON (error at line {line}, column {col}); fix that part or export it again as GeoJSON.",
    },
    "json_truncated": {
        "es": "{name}: el JSON termina antes de tiempo, como si el archivo estuviera cortado; vuelva a exportarlo o descárguelo de nuevo completo.",
        "en": "{name}: the JSON ends too early, as if the file were cut off; export it again or download it again in full.",
    },
    "json_deep": {
        "es": "{name}: el JSON anida más de {cap} niveles, mucho más que cualquier GeoJSON; revise el archivo o vuelva a exportarlo.",
        "en": "{name}: the JSON nests more than {cap} levels deep, far more than any GeoJSON; check the file or export it again.",
    },
    "json_not_geojson": {
        "es": '{name}: es JSON pero no GeoJSON (no tiene "type": "FeatureCollection", "Feature" ni una geometría); expórtelo como GeoJSON.',
        "en": '{name}: it is JSON but not GeoJSON (no "type": "FeatureCollection", "Feature" or geometry); export it as GeoJSON.',
    },
    "topojson": {
        "es": "{name}: es TopoJSON, no GeoJSON; conviértalo a GeoJSON, por ejemplo con mapshaper (mapshaper archivo.json -o format=geojson, o en mapshaper.org) y suba el resultado.",
        "en": "{name}: it is TopoJSON, not GeoJSON; convert it to GeoJSON, for example with mapshaper (mapshaper file.json -o format=geojson, or at mapshaper.org) and upload the result.",
    },
    "esrijson": {
        "es": "{name}: es Esri JSON, no GeoJSON; expórtelo como GeoJSON (en ArcGIS «Features To JSON» con la opción GeoJSON, o con ogr2ogr) y súbalo.",
        "en": "{name}: it is Esri JSON, not GeoJSON; export it as GeoJSON (in ArcGIS 'Features To JSON' with the GeoJSON option, or with ogr2ogr) and upload that.",
    },
    # zip
    "zip_damaged": {
        "es": "{name}: el .zip está dañado o incompleto; vuelva a comprimir los archivos y súbalo de nuevo.",
        "en": "{name}: the zip is damaged or incomplete; zip the files again and upload it.",
    },
    "zip_unsafe": {
        "es": "{name}: el .zip contiene una entrada con ruta absoluta o con «..», lo que no es seguro; comprima solo los archivos de la capa, sin rutas, y vuelva a subirlo.",
        "en": "{name}: the zip holds an entry with an absolute path or '..', which is unsafe; zip only the layer's files, without paths, and upload it again.",
    },
    "zip_symlink": {
        "es": "{name}: el .zip contiene un enlace simbólico («{entry}»), que no se acepta; comprima los archivos reales y vuelva a subirlo.",
        "en": "{name}: the zip holds a symbolic link ('{entry}'), which is not accepted; zip the real files and upload it again.",
    },
    "zip_encrypted": {
        "es": "{name}: el .zip está protegido con contraseña; comprímalo sin contraseña y vuelva a subirlo.",
        "en": "{name}: the zip is password-protected; zip it without a password and upload it again.",
    },
    "zip_entries": {
        "es": "{name}: el .zip tiene {n} entradas, más de {cap}; comprima solo los archivos de la capa.",
        "en": "{name}: the zip has {n} entries, more than {cap}; zip only the layer's files.",
    },
    "zip_nested": {
        "es": "{name}: el .zip contiene otro .zip («{entry}»); descomprima el de fuera y suba el de dentro.",
        "en": "{name}: the zip holds another zip ('{entry}'); unzip the outer one and upload the inner one.",
    },
    "zip_no_layer": {
        "es": "{name}: el .zip no contiene ningún shapefile (.shp) ni otra capa reconocible; incluya los archivos .shp, .shx, .dbf y .prj de la capa.",
        "en": "{name}: the zip holds no shapefile (.shp) or other layer this page reads; include the layer's .shp, .shx, .dbf and .prj files.",
    },
    "zip_inner_layers": {
        "es": "{name}: «{entry}» dentro del .zip tiene varias capas; descomprímalo y suba ese archivo directamente.",
        "en": "{name}: '{entry}' inside the zip has several layers; unzip it and upload that file directly.",
    },
    "shp_missing": {
        "es": "{name}: al shapefile «{layer}» le falta {missing}; añada {missing} al .zip junto al .shp y vuelva a subirlo.",
        "en": "{name}: the shapefile '{layer}' lacks {missing}; add {missing} to the zip next to the .shp and upload it again.",
    },
    # GeoPackage / KML
    "gpkg_no_layers": {
        "es": "{name}: el GeoPackage no tiene ninguna capa con geometría; exporte una capa espacial.",
        "en": "{name}: the GeoPackage has no layer with geometries; export a spatial layer.",
    },
    "kml_entities": {
        "es": "{name}: el KML declara entidades XML (<!DOCTYPE>/<!ENTITY>), que no se aceptan por seguridad; vuelva a exportarlo desde Google Earth, Google My Maps o QGIS.",
        "en": "{name}: the KML declares XML entities (<!DOCTYPE>/<!ENTITY>), which are refused for safety; export it again from Google Earth, Google My Maps or QGIS.",
    },
    # CSV
    "csv_columns": {
        "es": "{name}: no se encontraron columnas separadas por «;», «,» o tabulador; guarde la hoja como CSV con una fila de encabezados.",
        "en": "{name}: no columns separated by ';', ',' or tab were found; save the sheet as CSV with a header row.",
    },
    "csv_header_numbers": {
        "es": "{name}: la primera fila tiene números en vez de nombres de columna; añada una fila de encabezados (p. ej. nombre;lat;lon).",
        "en": "{name}: the first row holds numbers instead of column names; add a header row (e.g. name,lat,lon).",
    },
    "csv_malformed": {
        "es": "{name}: el CSV está mal formado cerca de la fila {row}; revise las comillas y vuelva a guardarlo.",
        "en": "{name}: the CSV is malformed near row {row}; check the quotes and save it again.",
    },
    "csv_no_coords": {
        "es": "{name}: no hay columnas de coordenadas; añada columnas «lat» y «lon» en grados (o «x» y «y») o una columna «wkt» con la geometría.",
        "en": "{name}: there are no coordinate columns; add 'lat' and 'lon' columns in degrees (or 'x' and 'y') or a 'wkt' column with the geometry.",
    },
    "crs_none_fits": {
        "es": "{name}: las coordenadas parecen estar en metros, pero ningún sistema de coordenadas habitual en América Latina las sitúa en la región; vuelva a exportar la capa en EPSG:4326 (longitud/latitud) o con su sistema declarado (.prj).",
        "en": "{name}: the coordinates look like metres, but no coordinate system common in Latin America places them in the region; export the layer again in EPSG:4326 (longitude/latitude) or with its system declared (.prj).",
    },
    # questions
    "ask_crs": {
        "es": "{name}: las coordenadas parecen estar en metros y el archivo no dice en qué sistema de coordenadas están; elija uno.",
        "en": "{name}: the coordinates look like metres and the file does not say which coordinate system they are in; choose one.",
    },
    "ask_crs_mismatch": {
        "es": "{name}: el archivo declara {crs}, pero sus coordenadas no encajan con ese sistema; elija el correcto.",
        "en": "{name}: the file declares {crs}, but its coordinates do not fit that system; choose the right one.",
    },
    "ask_coordinates": {
        "es": "{name}: varias columnas podrían tener las coordenadas; elija cuáles usar.",
        "en": "{name}: several columns could hold the coordinates; choose which to use.",
    },
    "ask_coordinates_unnamed": {
        "es": "{name}: ninguna columna se llama como unas coordenadas (lat/lon, x/y, wkt); elija cuáles tienen la longitud y la latitud.",
        "en": "{name}: no column is named like coordinates (lat/lon, x/y, wkt); choose which hold longitude and latitude.",
    },
    "ask_swap": {
        "es": "{name}: la latitud y la longitud parecen intercambiadas (así los puntos caen fuera de América Latina); confirme si hay que intercambiarlas.",
        "en": "{name}: latitude and longitude look swapped (as they are, the points fall outside Latin America); confirm whether to swap them.",
    },
    "ask_layer": {
        "es": "{name}: contiene {n} capas; elija cuál cargar.",
        "en": "{name}: it holds {n} layers; choose which one to load.",
    },
    "ask_encoding": {
        "es": "{name}: el texto no está en UTF-8 ni en Windows-1252; elija su codificación.",
        "en": "{name}: the text is neither UTF-8 nor Windows-1252; choose its encoding.",
    },
    "ask_again": {
        "es": "{name}: «{value}» no sirve como respuesta ({why}); elija una de las opciones.",
        "en": "{name}: '{value}' does not work as an answer ({why}); choose one of the options.",
    },
    # warnings
    "w_repaired_polygons": {
        "es": (
            "Se reparó 1 polígono no válido: fila {rows}.",
            "Se repararon {n} polígonos no válidos: filas {rows}.",
        ),
        "en": (
            "1 invalid polygon was repaired: row {rows}.",
            "{n} invalid polygons were repaired: rows {rows}.",
        ),
    },
    "w_repaired": {
        "es": (
            "Se reparó 1 geometría no válida: fila {rows}.",
            "Se repararon {n} geometrías no válidas: filas {rows}.",
        ),
        "en": (
            "1 invalid geometry was repaired: row {rows}.",
            "{n} invalid geometries were repaired: rows {rows}.",
        ),
    },
    "w_unclosed": {
        "es": (
            "Se cerraron anillos de polígono abiertos en 1 elemento: fila {rows}.",
            "Se cerraron anillos de polígono abiertos en {n} elementos: filas {rows}.",
        ),
        "en": (
            "Unclosed polygon rings were closed in 1 feature: row {rows}.",
            "Unclosed polygon rings were closed in {n} features: rows {rows}.",
        ),
    },
    "w_z": {
        "es": (
            "1 elemento tenía valores Z o M (altura o medida); se conservaron solo longitud y latitud.",
            "{n} elementos tenían valores Z o M (altura o medida); se conservaron solo longitud y latitud.",
        ),
        "en": (
            "1 feature had Z or M values (height or measure); only longitude and latitude were kept.",
            "{n} features had Z or M values (height or measure); only longitude and latitude were kept.",
        ),
    },
    "w_dropped": {
        "es": (
            "Se descartó 1 elemento {what}: fila {rows}.",
            "Se descartaron {n} elementos {what}: filas {rows}.",
        ),
        "en": (
            "1 feature {what} was dropped: row {rows}.",
            "{n} features {what} were dropped: rows {rows}.",
        ),
    },
    "w_mixed": {
        "es": "La capa mezcla tipos de geometría ({counts}); se conservaron todos.",
        "en": "The layer mixes geometry types ({counts}); all were kept.",
    },
    "w_reprojected": {
        "es": "Las coordenadas se convirtieron de {crs} a EPSG:4326 (longitud/latitud).",
        "en": "The coordinates were converted from {crs} to EPSG:4326 (longitude/latitude).",
    },
    "w_assumed_4326": {
        "es": "El archivo no indica su sistema de coordenadas; sus coordenadas parecen longitud/latitud y se leyeron como EPSG:4326.",
        "en": "The file does not say which coordinate system it uses; its coordinates look like longitude/latitude and were read as EPSG:4326.",
    },
    "w_swapped": {
        "es": (
            "Se intercambiaron latitud y longitud en 1 elemento, como se eligió.",
            "Se intercambiaron latitud y longitud en {n} elementos, como se eligió.",
        ),
        "en": (
            "Latitude and longitude were swapped in 1 feature, as chosen.",
            "Latitude and longitude were swapped in {n} features, as chosen.",
        ),
    },
    "w_encoding": {
        "es": "El texto no está en UTF-8; se leyó como {encoding}: si las tildes se ven mal, elija otra codificación.",
        "en": "The text is not UTF-8; it was read as {encoding}: if accents look wrong, choose another encoding.",
    },
    "w_shp_no_cpg": {
        "es": "El shapefile no trae archivo .cpg; su texto se leyó como {encoding}.",
        "en": "The shapefile has no .cpg file; its text was read as {encoding}.",
    },
    "w_shp_cpg_wrong": {
        "es": "El archivo .cpg dice {declared}, pero el texto no está en esa codificación; se leyó como {encoding}.",
        "en": "The .cpg file says {declared}, but the text is not in that encoding; it was read as {encoding}.",
    },
    "w_renamed": {
        "es": (
            "Se cambió 1 nombre de columna vacío, repetido, reservado o con caracteres de control: {pairs}.",
            "Se cambiaron {n} nombres de columna vacíos, repetidos, reservados o con caracteres de control: {pairs}.",
        ),
        "en": (
            "1 column name that was empty, repeated, reserved or had control characters was changed: {pairs}.",
            "{n} column names that were empty, repeated, reserved or had control characters were changed: {pairs}.",
        ),
    },
    "w_json_values": {
        "es": (
            "1 valor que era una lista o un objeto se guardó como texto JSON (columnas: {cols}).",
            "{n} valores que eran listas u objetos se guardaron como texto JSON (columnas: {cols}).",
        ),
        "en": (
            "1 value that was a list or an object was stored as JSON text (columns: {cols}).",
            "{n} values that were lists or objects were stored as JSON text (columns: {cols}).",
        ),
    },
    "w_control": {
        "es": (
            "Se quitó 1 carácter de control o de dirección del texto (columnas: {cols}).",
            "Se quitaron {n} caracteres de control o de dirección del texto (columnas: {cols}).",
        ),
        "en": (
            "1 control or text-direction character was removed (columns: {cols}).",
            "{n} control or text-direction characters were removed (columns: {cols}).",
        ),
    },
    "w_truncated": {
        "es": (
            "1 valor de más de {cap} caracteres se recortó a {cap} (columnas: {cols}; filas: {rows}).",
            "{n} valores de más de {cap} caracteres se recortaron a {cap} (columnas: {cols}; filas: {rows}).",
        ),
        "en": (
            "1 value longer than {cap} characters was cut to {cap} (columns: {cols}; rows: {rows}).",
            "{n} values longer than {cap} characters were cut to {cap} (columns: {cols}; rows: {rows}).",
        ),
    },
    "w_decimal_comma": {
        "es": "Las comas decimales se leyeron como puntos decimales en {cols}.",
        "en": "Decimal commas were read as decimal points in {cols}.",
    },
    "w_crs_member": {
        "es": "No se entiende el miembro «crs» del archivo ({value}); se ignoró.",
        "en": "The file's 'crs' member ({value}) is not understood; it was ignored.",
    },
}

# Why a feature was dropped: the phrase in the drop warning, and a short label.
_DROP_REASONS: dict[str, dict[str, tuple[str, str]]] = {
    "not_feature": {
        "es": ("que no es un «Feature» de GeoJSON", "no es «Feature»"),
        "en": ("that is not a GeoJSON Feature", "not a Feature"),
    },
    "no_geometry": {
        "es": ("sin geometría", "sin geometría"),
        "en": ("without geometry", "no geometry"),
    },
    "empty": {
        "es": ("con geometría vacía", "geometría vacía"),
        "en": ("with an empty geometry", "empty geometry"),
    },
    "unreadable": {
        "es": (
            "con geometría ilegible (tipo desconocido o coordenadas que no son números)",
            "geometría ilegible",
        ),
        "en": (
            "with an unreadable geometry (unknown type or coordinates that are not numbers)",
            "unreadable geometry",
        ),
    },
    "nonfinite": {
        "es": ("con coordenadas NaN o infinitas", "coordenadas NaN o infinitas"),
        "en": ("with NaN or infinite coordinates", "NaN or infinite coordinates"),
    },
    "out_of_range": {
        "es": (
            "con coordenadas fuera de rango (longitud −180…180, latitud −90…90)",
            "coordenadas fuera de rango",
        ),
        "en": (
            "with coordinates out of range (longitude −180…180, latitude −90…90)",
            "coordinates out of range",
        ),
    },
    "degenerate": {
        "es": ("con geometría degenerada (sin longitud ni área)", "geometría degenerada"),
        "en": ("with a degenerate geometry (no length or area)", "degenerate geometry"),
    },
    "bad_number": {
        "es": ("con coordenadas que no son números", "coordenadas no numéricas"),
        "en": ("whose coordinates are not numbers", "coordinates not numbers"),
    },
    "wrong_fields": {
        "es": ("con un número de campos distinto al del encabezado", "campos de más"),
        "en": ("with a different number of fields than the header", "extra fields"),
    },
    "empty_coords": {
        "es": ("con celdas de coordenadas vacías", "coordenadas vacías"),
        "en": ("with empty coordinate cells", "empty coordinates"),
    },
}

#: What to do when every feature was dropped, by reason (reasons not listed: the geometries).
_DROP_FIXES: dict[str, dict[str, str]] = {
    "wrong_fields": {
        "es": (
            "deje en cada fila tantos campos como en el encabezado (ponga entre comillas los "
            "valores que contienen el separador)"
        ),
        "en": (
            "give every row as many fields as the header (quote values that contain the separator)"
        ),
    },
    "bad_number": {
        "es": "escriba las coordenadas como números en grados",
        "en": "write the coordinates as numbers in degrees",
    },
    "empty_coords": {
        "es": "complete las coordenadas vacías",
        "en": "fill in the empty coordinates",
    },
    "geometry": {"es": "corrija las geometrías", "en": "fix the geometries"},
}

_KIND_NAMES = {
    "gpkg": {"es": "GeoPackage", "en": "GeoPackage"},
    "shapefile": {"es": "shapefile", "en": "shapefile"},
    "kml": {"es": "KML", "en": "KML"},
}
_ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "cp1252": "Windows-1252",
    "latin-1": "ISO-8859-1 (Latin-1)",
    "cp850": "DOS 850",
    "cp437": "DOS 437",
    "mac-roman": "Mac Roman",
}
_ENCODING_OPTIONS = ("latin-1", "cp850", "cp437", "mac-roman")


def _plural(n: int, forms: str | tuple[str, str]) -> str:
    if isinstance(forms, str):
        return forms
    return forms[0] if n == 1 else forms[1]


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
        forms = _MESSAGES[key][self.lang]
        return _plural(n, forms).format(name=self.name, n=n, **values)

    def error(self, key: str, **values: Any) -> LayerError:
        return LayerError(self.text(key, **values))

    def ask(self, question: str, key: str, options: Sequence[Choice], **values: Any) -> NeedsChoice:
        return NeedsChoice(self.text(key, **values), question=question, options=list(options))

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
            shown += f" (y {more} más)" if self.lang == "es" else f" (and {more} more)"
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
    """A GeoJSON geometry that cannot be used; ``reason`` is a key of ``_DROP_REASONS``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------- entry point


def read_upload(
    path: str | Path,
    *,
    filename: str | None = None,
    choices: Mapping[str, str] | None = None,
    settings: Settings | None = None,
    lang: str = "es",
) -> Upload:
    """Read an uploaded layer, repairing what can be repaired and saying what was done.

    Parameters
    ----------
    path
        The uploaded file (e.g. a private temporary file); never shown.
    filename
        The name the person gave the file, used in every message; defaults to the
        base name of ``path``. Only its last component is shown.
    choices
        Answers to earlier :class:`~geo.errors.NeedsChoice` questions, keyed by the
        question: ``{"crs": "EPSG:3116"}``, ``{"coordinates": "lon=x;lat=y"}`` or
        ``{"coordinates": "wkt=geom"}``, ``{"swap": "yes"}``, ``{"layer": "name"}``,
        ``{"encoding": "cp1252"}``; pass all answers given so far.
    settings
        The caps to enforce; :func:`~geo.settings.get_settings` by default.
    lang
        Language of messages and warnings: ``"es"`` or ``"en"``.

    Returns
    -------
    Upload
        The layer in EPSG:4326 with valid geometries and a ``feature_id`` column, and
        the warnings.

    Raises
    ------
    NeedsChoice
        When only the person can decide; it carries the question and the options.
    LayerError
        For anything else, with one sentence naming the file, the problem and the fix.
        No other exception escapes.
    """
    name = _display_name(filename, path)
    lang = str(lang).strip().lower()[:2]
    lang = lang if lang in LANGUAGES else "es"
    ctx = _Ctx(name=name, lang=lang, choices=dict(choices or {}), settings=Settings())
    try:
        ctx.settings = settings if settings is not None else get_settings()
        data = _read_capped(Path(path), ctx)
        upload = _read_bytes(data, ctx)
    except LayerError:
        raise
    except RecursionError:
        log.warning("upload %s nests too deeply", name)
        raise ctx.error("json_deep", cap=MAX_JSON_DEPTH) from None
    except MemoryError:
        log.warning("upload %s does not fit in memory", name)
        raise ctx.error("memory") from None
    except Exception:
        log.exception("unexpected error reading upload %s", name)
        raise ctx.error("internal") from None
    log.info(
        "read upload %s (%s%s): %d features, %d warnings",
        name,
        upload.format,
        f", layer {upload.layer}" if upload.layer else "",
        len(upload.frame),
        len(upload.warnings),
    )
    return upload


def _display_name(filename: str | None, path: str | Path) -> str:
    """The last component of the given name, without control characters."""
    raw = str(filename) if filename else str(path)
    last = re.split(r"[\\/]", raw)[-1]
    clean = _strip_controls(last)[0].strip()
    return clean[:120] or "upload"


def _read_capped(path: Path, ctx: _Ctx) -> bytes:
    """The file's bytes, refusing before reading anything over the upload cap."""
    cap = ctx.settings.max_upload_mb * MB
    try:
        size = path.stat().st_size
        if size > cap:
            raise ctx.error(
                "cap_upload", size=_megabytes(size), cap=_num(ctx.settings.max_upload_mb)
            )
        with path.open("rb") as handle:
            data = handle.read(int(cap) + 1)
    except OSError as exc:
        log.error("cannot read upload %s: %s", ctx.name, exc)
        raise ctx.error("internal") from None
    if len(data) > cap:  # grew while reading
        raise ctx.error(
            "cap_upload", size=_megabytes(len(data)), cap=_num(ctx.settings.max_upload_mb)
        )
    return data


# --------------------------------------------------------------------------- sniffing


def _read_bytes(data: bytes, ctx: _Ctx, *, inside_zip: bool = False) -> Upload:
    """Identify the format from the bytes and read it."""
    if not data.strip():
        raise ctx.error("empty")
    kind = _sniff(data)
    log.debug("upload %s sniffed as %s", ctx.name, kind)
    if kind == "zip":
        if inside_zip:
            raise ctx.error("zip_nested", entry=ctx.name)
        return _finish(_read_zip(data, ctx), ctx)
    if kind == "gpkg":
        return _finish(_read_gpkg(data, ctx, inside_zip=inside_zip), ctx)
    if kind == "json":
        return _finish(_read_geojson(data, ctx), ctx)
    if kind == "kml":
        return _finish(_read_kml(data, ctx), ctx)
    claimed = _CLAIMED_FORMATS.get(Path(ctx.name).suffix.lower())
    try:
        if kind == "text":
            return _finish(_read_csv(data, ctx), ctx)
        _refuse_format(kind, ctx)
    except NeedsChoice:
        raise
    except LayerError:
        # The name promised a format the content is not: say that, not what the
        # content failed to be as a CSV ("no coordinate columns").
        if claimed is not None and kind == "text":
            raise ctx.error(f"claimed_{claimed}") from None
        raise
    raise AssertionError(kind)  # pragma: no cover - _refuse_format always raises


#: File name endings that promise a format; the content decides how a file is read,
#: the ending only which problem a failed read is reported as.
_CLAIMED_FORMATS = {
    ".json": "json",
    ".geojson": "json",
    ".topojson": "json",
    ".gpkg": "gpkg",
    ".zip": "zip",
    ".kmz": "zip",
}


def _sniff(data: bytes) -> str:
    """Name the format of ``data`` from its first bytes."""
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if data.startswith(b"SQLite format 3\x00"):
        return "gpkg" if data[68:72] in (b"GPKG", b"GP10", b"GP11") else "sqlite"
    signatures = {
        b"\x1f\x8b": "gzip",
        b"BZh": "bzip2",
        b"\xfd7zXZ\x00": "xz",
        b"Rar!": "rar",
        b"7z\xbc\xaf\x27\x1c": "7z",
        b"\xd0\xcf\x11\xe0": "excel",
        b"%PDF": "PDF",
        b"\x89PNG": "image",
        b"\xff\xd8\xff": "image",
        b"GIF8": "image",
        b"\x00\x00\x27\x0a": "bare_shp",
    }
    for signature, kind in signatures.items():
        if data.startswith(signature):
            return kind
    head = _head_text(data)
    stripped = head.lstrip("\ufeff\x1e \t\r\n")
    if not _looks_like_text(data):
        return "binary"
    if stripped.startswith(("{", "[")):
        return "json"
    lowered = stripped[:4096].lower()
    if stripped.startswith("<"):
        if "<kml" in lowered:
            return "kml"
        if "<html" in lowered or "<!doctype html" in lowered:
            return "html"
        return "xml"
    return "text"


def _head_text(data: bytes) -> str:
    """The first bytes as text, well enough to see which format they start."""
    head = data[:8192]
    encoding = _bom_encoding(head) or _utf16_guess(head)
    if encoding:
        return head.decode(encoding, errors="replace")
    return head.decode("latin-1")


def _bom_encoding(data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _utf16_guess(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark: ASCII text with every other byte zero."""
    head = data[:4096]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


_BINARY_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])


def _looks_like_text(data: bytes) -> bool:
    """Whether ``data`` is text: no zero bytes (outside UTF-16/32), few control bytes."""
    head = data[:65536]
    if _bom_encoding(head) in ("utf-16", "utf-32") or _utf16_guess(head):
        return True
    controls = len(head) - len(head.translate(None, _BINARY_BYTES))
    return b"\x00" not in head and controls <= 0.01 * len(head)


def _refuse_format(kind: str, ctx: _Ctx) -> None:
    if kind == "excel":
        raise ctx.error("fmt_excel")
    if kind in ("gzip", "bzip2", "xz", "rar", "7z"):
        raise ctx.error("fmt_compressed", kind=kind)
    if kind == "bare_shp":
        raise ctx.error("fmt_bare_shp")
    if kind == "sqlite":
        raise ctx.error("fmt_sqlite")
    if kind == "html":
        raise ctx.error("fmt_html")
    if kind == "xml":
        raise ctx.error("fmt_xml")
    if kind in ("PDF", "image"):
        shown = {"PDF": "PDF", "image": "imagen" if ctx.lang == "es" else "image"}[kind]
        raise ctx.error("fmt_other", kind=shown)
    raise ctx.error("unknown_format")


# --------------------------------------------------------------------------- text


def _decode_text(data: bytes, ctx: _Ctx) -> str:
    """Decode text: a chosen encoding, a byte-order mark, UTF-8, else Windows-1252.

    Falling back to Windows-1252 adds a warning; text that is neither raises
    :class:`NeedsChoice` ``"encoding"``.
    """
    chosen = ctx.choices.get("encoding")
    if chosen:
        codec = _codec(chosen)
        options = _encoding_options()
        if codec is None:
            raise ctx.ask_again("encoding", chosen, _why_encoding(ctx), options)
        try:
            return _strip_bom(data.decode(codec))
        except (UnicodeDecodeError, LookupError, ValueError):
            raise ctx.ask_again("encoding", chosen, _why_encoding(ctx), options) from None
    encoding = _bom_encoding(data) or _utf16_guess(data)
    if encoding:
        try:
            return _strip_bom(data.decode(encoding))
        except UnicodeDecodeError:
            raise ctx.error("text_damaged", encoding=encoding.upper()) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise ctx.ask("encoding", "ask_encoding", _encoding_options()) from None
    ctx.warn("w_encoding", encoding=_ENCODING_NAMES["cp1252"])
    return text


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def _codec(name: str) -> str | None:
    """The Python codec for an encoding name (``"1252"``, ``"ANSI 1252"``, ``"UTF8"``...)."""
    text = name.strip().lower()
    text = re.sub(r"^(ansi|oem|windows|win|cp|codepage)[ _-]*(?=\d)", "cp", text)
    if text.isdigit():
        text = {"88591": "latin-1", "65001": "utf-8"}.get(text, f"cp{text}")
    aliases = {"88591": "latin-1", "8859-1": "latin-1", "iso88591": "latin-1"}
    text = aliases.get(text, text)
    try:
        info = codecs.lookup(text)
        "".encode(info.name)  # refuses bytes-to-bytes codecs such as base64
    except (LookupError, ValueError):
        return None
    return info.name


def _encoding_options() -> list[Choice]:
    return [
        Choice(codec, _ENCODING_NAMES.get(codec, codec), _ENCODING_NAMES.get(codec, codec))
        for codec in _ENCODING_OPTIONS
    ]


def _why_encoding(ctx: _Ctx) -> str:
    return (
        "el texto no se puede leer con esa codificación"
        if ctx.lang == "es"
        else "the text cannot be read with that encoding"
    )


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


# --------------------------------------------------------------------------- GeoJSON

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _json_depth(text: str) -> int:
    """Deepest nesting of arrays and objects, counted on the text (strings removed)."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    if not brackets:
        return 0
    codes = np.frombuffer(brackets.encode("ascii"), dtype=np.uint8)
    steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1).astype(np.int32)
    return int(np.cumsum(steps).max())


class _KeyedDict(dict):  # type: ignore[type-arg]
    """A JSON object whose repeated keys were renamed (``name``, ``name_2``)."""

    renamed: list[tuple[str, str]]


def _object_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) == len(pairs):
        return result
    renamed: list[tuple[str, str]] = []
    out = _KeyedDict()
    for key, value in pairs:
        new, n = key, 2
        while new in out:
            new, n = f"{key}_{n}", n + 1
        if new != key:
            renamed.append((key, new))
        out[new] = value
    out.renamed = renamed
    return out


def _read_geojson(data: bytes, ctx: _Ctx) -> _Source:
    text = _decode_text(data, ctx)
    if _json_depth(text) > MAX_JSON_DEPTH:
        raise ctx.error("json_deep", cap=MAX_JSON_DEPTH)
    ctx.check_time()
    try:
        doc = json.loads(text, object_pairs_hook=_object_pairs)
    except json.JSONDecodeError as exc:
        doc = _geojson_sequence(text, exc)
        if doc is None:
            if exc.pos >= len(text.rstrip()) - 1 or exc.msg.startswith("Unterminated"):
                raise ctx.error("json_truncated") from None
            raise ctx.error("json_invalid", line=exc.lineno, col=exc.colno) from None
    ctx.check_time()
    features = _features_of(doc, ctx)
    ctx.check_features(len(features))
    crs = _legacy_crs(doc, ctx) if isinstance(doc, dict) else None
    records: list[dict[str, Any]] = []
    geoms: list[shapely.Geometry | None] = []
    source = _Source("geojson", pd.DataFrame(), np.empty(0, dtype=object), crs=crs)
    vertices = [0]
    renamed: list[tuple[str, str]] = []
    points: list[int] = []
    point_xy: list[list[float]] = []
    for position, feature in enumerate(features):
        if position % _CHECK_EVERY == 0:
            ctx.check_time()
        if not isinstance(feature, dict) or feature.get("type", "Feature") != "Feature":
            records.append({})
            geoms.append(None)
            source.drops[position] = "not_feature"
            continue
        records.append(_feature_properties(feature, renamed))
        xy = _plain_point(feature.get("geometry"))
        if xy is not None:  # most features: build all such points at once, below
            geoms.append(None)
            points.append(position)
            point_xy.append(xy)
            continue
        try:
            flags: set[str] = set()
            geoms.append(_geojson_geometry(feature.get("geometry"), flags, vertices, ctx, 0))
            for what in flags:
                source.flag(what, position)
        except _GeometryError as issue:
            geoms.append(None)
            source.drops[position] = issue.reason
    source.renamed = renamed
    source.records = pd.DataFrame(records, index=pd.RangeIndex(len(records)))
    source.geoms = _object_array(geoms)
    if points:
        ctx.check_vertices(vertices[0] + len(points))
        source.geoms[points] = shapely.points(np.asarray(point_xy, dtype=float))
    return source


def _plain_point(geometry: Any) -> list[float] | None:
    """The [x, y] of a plain, finite 2D GeoJSON point, else None (the careful path)."""
    if type(geometry) is not dict or geometry.get("type") != "Point":
        return None
    coords = geometry.get("coordinates")
    if type(coords) is not list or len(coords) != 2:
        return None
    x, y = coords
    if type(x) not in (float, int) or type(y) not in (float, int):
        return None
    if not (math.isfinite(x) and math.isfinite(y)):
        return None
    return coords


def _geojson_sequence(text: str, error: json.JSONDecodeError) -> Any | None:
    """Features of a GeoJSON text sequence (one feature per line, RFC 8142), else None."""
    if not (error.msg.startswith("Extra data") or text.lstrip().startswith("\x1e")):
        return None
    features = []
    for line in text.splitlines():
        line = line.strip().lstrip("\x1e").strip()
        if not line:
            continue
        try:
            item = json.loads(line, object_pairs_hook=_object_pairs)
        except json.JSONDecodeError:
            return None
        if not isinstance(item, dict) or item.get("type") != "Feature":
            return None
        features.append(item)
    return {"type": "FeatureCollection", "features": features} if features else None


_GEOMETRY_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}


def _features_of(doc: Any, ctx: _Ctx) -> list[Any]:
    """The list of features of a GeoJSON document, or a message saying what it is instead."""
    if isinstance(doc, list):
        if doc and all(isinstance(f, dict) and f.get("type") == "Feature" for f in doc):
            return doc
        raise ctx.error("json_not_geojson")
    if not isinstance(doc, dict):
        raise ctx.error("json_not_geojson")
    kind = doc.get("type")
    if kind == "Topology" or ("arcs" in doc and "objects" in doc):
        raise ctx.error("topojson")
    if kind == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise ctx.error("json_not_geojson")
        if not features:
            raise ctx.error("no_features")
        return features
    if kind == "Feature":
        return [doc]
    if kind in _GEOMETRY_TYPES:
        return [{"type": "Feature", "geometry": doc, "properties": {}}]
    if _is_esri_json(doc):
        raise ctx.error("esrijson")
    raise ctx.error("json_not_geojson")


def _is_esri_json(doc: Mapping[str, Any]) -> bool:
    if "spatialReference" in doc or "geometryType" in doc:
        return True
    features = doc.get("features")
    if isinstance(features, list) and features and isinstance(features[0], dict):
        return "attributes" in features[0]
    return False


def _legacy_crs(doc: Mapping[str, Any], ctx: _Ctx) -> CRS | None:
    """The CRS of the pre-RFC 7946 ``crs`` member, e.g. ``urn:ogc:def:crs:EPSG::3116``."""
    member = doc.get("crs")
    if member is None:
        return None
    props = member.get("properties") if isinstance(member, dict) else None
    value: Any = None
    if isinstance(props, dict):
        value = props.get("name")
        if value is None and props.get("code") is not None:
            value = f"EPSG:{props['code']}"
    crs = _parse_crs(str(value)) if isinstance(value, str | int) else None
    if crs is None:
        shown = json.dumps(member, ensure_ascii=False, default=str)[:60]
        ctx.warn("w_crs_member", value=_strip_controls(shown)[0])
    return crs


def _feature_properties(feature: Mapping[str, Any], renamed: list[tuple[str, str]]) -> dict:
    props = feature.get("properties")
    if props is None:
        props = {}
    elif not isinstance(props, dict):
        props = {"properties": props}
    elif isinstance(props, _KeyedDict):
        renamed.extend(props.renamed)
    fid = feature.get("id")
    if fid is not None and "id" not in props:
        props = {"id": fid, **props}
    return props


def _geojson_geometry(
    obj: Any, flags: set[str], vertices: list[int], ctx: _Ctx, depth: int
) -> shapely.Geometry | None:
    """Build a shapely geometry from a GeoJSON geometry object, flagging repairs."""
    if obj is None:
        return None
    if not isinstance(obj, dict):
        raise _GeometryError("unreadable")
    kind = obj.get("type")
    if kind == "GeometryCollection":
        parts = obj.get("geometries")
        if depth >= MAX_COLLECTION_DEPTH or not isinstance(parts, list):
            raise _GeometryError("unreadable")
        built = [_geojson_geometry(p, flags, vertices, ctx, depth + 1) for p in parts]
        return shapely.GeometryCollection([g for g in built if g is not None and not g.is_empty])
    if kind not in _GEOMETRY_TYPES:
        raise _GeometryError("unreadable")
    coords = obj.get("coordinates")
    if not isinstance(coords, list):
        raise _GeometryError("unreadable")

    def positions(items: Any) -> np.ndarray:
        return _positions(items, flags, vertices, ctx)

    if kind == "Point":
        if not coords:
            return shapely.Point()
        xy = positions([coords])
        return shapely.Point(xy[0])
    if kind == "MultiPoint":
        xy = positions(coords)
        return shapely.MultiPoint(xy) if len(xy) else shapely.MultiPoint()
    if kind == "LineString":
        return _line(positions(coords))
    if kind == "MultiLineString":
        lines = [_line(positions(part)) for part in _parts(coords)]
        return shapely.MultiLineString([g for g in lines if not g.is_empty])
    if kind == "Polygon":
        return _polygon(coords, flags, positions)
    polygons = [_polygon(part, flags, positions) for part in _parts(coords)]
    return shapely.MultiPolygon([g for g in polygons if not g.is_empty])


def _parts(coords: list[Any]) -> list[Any]:
    if not all(isinstance(part, list) for part in coords):
        raise _GeometryError("unreadable")
    return coords


def _positions(items: Any, flags: set[str], vertices: list[int], ctx: _Ctx) -> np.ndarray:
    """An (n, 2) float array from a list of GeoJSON positions; Z and M are dropped."""
    if not isinstance(items, list):
        raise _GeometryError("unreadable")
    if not items:
        return np.empty((0, 2))
    try:
        array = np.asarray(items)
    except (ValueError, TypeError, OverflowError):
        array = None
    if array is None or array.ndim != 2 or array.dtype.kind not in "if":
        rows = []
        for position in items:
            if (
                not isinstance(position, list)
                or len(position) < 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position)
            ):
                raise _GeometryError("unreadable")
            if any(v != 0 for v in position[2:]):
                flags.add("z")
            rows.append(position[:2])
        try:
            array = np.asarray(rows, dtype=float)
        except OverflowError:
            raise _GeometryError("nonfinite") from None
    else:
        if array.shape[1] < 2:
            raise _GeometryError("unreadable")
        if array.shape[1] > 2 and np.any(array[:, 2:] != 0):
            flags.add("z")
        array = array[:, :2].astype(float)
    if not np.isfinite(array).all():
        raise _GeometryError("nonfinite")
    vertices[0] += len(array)
    ctx.check_vertices(vertices[0])
    return array


def _line(xy: np.ndarray) -> shapely.Geometry:
    if len(xy) == 0:
        return shapely.LineString()
    if len(xy) < 2:
        raise _GeometryError("degenerate")
    return shapely.LineString(xy)


def _polygon(
    rings: Any, flags: set[str], positions: Callable[[Any], np.ndarray]
) -> shapely.Geometry:
    if not isinstance(rings, list):
        raise _GeometryError("unreadable")
    built = []
    for index, ring in enumerate(rings):
        xy = positions(ring)
        if len(xy) == 0:
            continue
        if not np.array_equal(xy[0], xy[-1]):
            xy = np.vstack([xy, xy[:1]])
            flags.add("unclosed")
        if len(xy) < 4:
            if index == 0:
                raise _GeometryError("degenerate")
            flags.add("fixed")  # a hole too small to be one is left out
            continue
        built.append(xy)
    if not built:
        return shapely.Polygon()
    return shapely.Polygon(built[0], built[1:])


def _object_array(items: Sequence[Any]) -> np.ndarray:
    array = np.empty(len(items), dtype=object)
    array[:] = list(items)
    return array


# --------------------------------------------------------------------------- GDAL formats


def _gdal(ctx: _Ctx, kind: str, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a pyogrio call; GDAL's complaints about a bad file become one message."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = call(*args, **kwargs)
        except (RuntimeError, OSError, ValueError, KeyError, IndexError) as exc:
            if isinstance(exc, UnicodeDecodeError):
                raise
            log.info("GDAL could not read upload %s: %s", ctx.name, exc)
            raise ctx.error("damaged", kind=_KIND_NAMES[kind][ctx.lang]) from None
    for warning in caught:
        log.debug("GDAL on upload %s: %s", ctx.name, warning.message)
    return result


def _read_gdal_layer(
    data: bytes, ctx: _Ctx, *, kind: str, layer: str | None, encoding: str | None = None
) -> gpd.GeoDataFrame:
    info = _gdal(ctx, kind, pyogrio.read_info, data, layer=layer, encoding=encoding)
    ctx.check_features(int(info.get("features") or 0))
    ctx.check_time()
    frame = _gdal(ctx, kind, pyogrio.read_dataframe, data, layer=layer, encoding=encoding)
    ctx.check_time()
    return frame


def _source_from_frame(frame: gpd.GeoDataFrame, fmt: str, layer: str | None) -> _Source:
    geometry = frame.geometry.name
    records = pd.DataFrame(frame.drop(columns=geometry))
    records.index = pd.RangeIndex(len(records))
    return _Source(
        fmt,
        records,
        _object_array(list(frame.geometry.array)),
        crs=CRS.from_user_input(frame.crs) if frame.crs is not None else None,
        layer=layer,
    )


def _choose_layer(
    names: Sequence[str],
    counts: Mapping[str, int | None],
    ctx: _Ctx,
    *,
    allow_all: bool = False,
) -> str:
    """The layer to read: the only one, or the person's choice among several."""
    if len(names) == 1:
        return names[0]
    options = [_layer_choice(n, counts.get(n)) for n in names]
    if allow_all:
        total = sum(c or 0 for c in counts.values())
        options.append(
            Choice(
                ALL_LAYERS,
                f"Todas las capas juntas ({total} elementos)",
                f"All layers together ({total} features)",
            )
        )
    chosen = ctx.choices.get("layer")
    if chosen is None:
        raise ctx.ask("layer", "ask_layer", options, n=len(names))
    valid = {o.value for o in options}
    if chosen not in valid:
        why = (
            "no hay una capa con ese nombre"
            if ctx.lang == "es"
            else "there is no layer by that name"
        )
        raise ctx.ask_again("layer", chosen, why, options)
    return chosen


def _layer_choice(name: str, count: int | None) -> Choice:
    if count is None:
        return Choice(name, name, name)
    es = f"{name} ({count} elemento{'s' if count != 1 else ''})"
    en = f"{name} ({count} feature{'s' if count != 1 else ''})"
    return Choice(name, es, en)


def _read_gpkg(data: bytes, ctx: _Ctx, *, inside_zip: bool) -> _Source:
    listed = _gdal(ctx, "gpkg", pyogrio.list_layers, data)
    names = [str(row[0]) for row in listed if row[1] is not None]
    if not names:
        raise ctx.error("gpkg_no_layers")
    counts: dict[str, int | None] = {}
    if len(names) > 1:
        if inside_zip:
            raise ctx.error("zip_inner_layers", entry="GeoPackage")
        for layer_name in names:
            info = _gdal(ctx, "gpkg", pyogrio.read_info, data, layer=layer_name)
            counts[layer_name] = int(info.get("features") or 0)
    layer = _choose_layer(names, counts, ctx)
    frame = _read_gdal_layer(data, ctx, kind="gpkg", layer=layer)
    return _source_from_frame(frame, "gpkg", layer)


# KML fields libkml adds to every placemark; dropped when they hold nothing.
_KML_STYLE_FIELDS = {
    "id": None,
    "timestamp": None,
    "begin": None,
    "end": None,
    "altitudeMode": None,
    "tessellate": -1,
    "extrude": 0,
    "visibility": -1,
    "drawOrder": None,
    "icon": None,
    "snippet": None,
    "description": None,
}
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


def _read_kml(data: bytes, ctx: _Ctx) -> _Source:
    data = _utf8_xml(_kml_text(data, ctx))
    if re.search(rb"<!(DOCTYPE|ENTITY)", data, flags=re.IGNORECASE):
        raise ctx.error("kml_entities")
    listed = _gdal(ctx, "kml", pyogrio.list_layers, data)
    names = [str(row[0]) for row in listed]
    if not names:
        raise ctx.error("no_features")
    counts: dict[str, int | None] = {}
    if len(names) > 1:
        for layer_name in names:
            info = _gdal(ctx, "kml", pyogrio.read_info, data, layer=layer_name)
            counts[layer_name] = int(info.get("features") or 0)
    layer = _choose_layer(names, counts, ctx, allow_all=True)
    chosen = names if layer == ALL_LAYERS else [layer]
    ctx.check_features(sum(counts.get(n) or 0 for n in chosen))
    frames = []
    for layer_name in chosen:
        frame = _read_gdal_layer(data, ctx, kind="kml", layer=layer_name)
        if layer == ALL_LAYERS:
            frame.insert(0, "layer", layer_name)
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    empty = [
        col
        for col, default in _KML_STYLE_FIELDS.items()
        if col in frame.columns and _all_default(frame[col], default)
    ]
    frame = gpd.GeoDataFrame(frame.drop(columns=empty), geometry=frame.geometry.name)
    source = _source_from_frame(frame, "kml", layer)
    source.crs = CRS.from_epsg(4326)
    source.geographic_only = True
    return source


def _all_default(column: pd.Series, default: Any) -> bool:
    values = column.dropna()
    return values.empty or (default is not None and bool((values == default).all()))


def _kml_text(data: bytes, ctx: _Ctx) -> str:
    """The KML as text: its declared encoding when it is not UTF-8, else as other text.

    GDAL's XML parser knows few encodings, so the text is handed over as UTF-8.
    """
    if "encoding" not in ctx.choices and not (_bom_encoding(data) or _utf16_guess(data)):
        match = _XML_DECLARATION.match(data[:512])
        declared = _codec(match.group(1).decode("ascii")) if match else None
        if declared is not None and declared not in ("utf-8", "ascii"):
            try:
                return data.decode(declared)
            except UnicodeDecodeError:
                pass
    return _decode_text(data, ctx)


def _utf8_xml(text: str) -> bytes:
    text = re.sub(
        r"^(\s*<\?xml[^>]*encoding\s*=\s*)[\"'][^\"']*[\"']",
        r'\1"UTF-8"',
        _strip_bom(text),
        count=1,
    )
    return text.encode("utf-8")


# --------------------------------------------------------------------------- zip


def _read_zip(data: bytes, ctx: _Ctx) -> _Source | Upload:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, EOFError):
        raise ctx.error("zip_damaged") from None
    with archive:
        _check_zip(infos, ctx)
        names = {info.filename for info in infos}
        if "[Content_Types].xml" in names or "mimetype" in names:
            raise ctx.error("fmt_excel")
        entries = [
            info
            for info in infos
            if not info.is_dir()
            and not info.filename.startswith("__MACOSX/")
            and not PurePosixPath(info.filename).name.startswith("._")
        ]
        by_lower = {info.filename.lower(): info for info in entries}
        shps = sorted(i.filename for i in entries if i.filename.lower().endswith(".shp"))
        if shps:
            return _read_shapefile(archive, shps, by_lower, ctx)
        layers = sorted(
            i.filename
            for i in entries
            if i.filename.lower().endswith((".geojson", ".json", ".gpkg", ".csv", ".kml"))
        )
        if not layers:
            nested = next(
                (i.filename for i in entries if i.filename.lower().endswith(".zip")), None
            )
            if nested:
                raise ctx.error("zip_nested", entry=PurePosixPath(nested).name)
            raise ctx.error("zip_no_layer")
        counts: dict[str, int | None] = dict.fromkeys(layers)
        entry = _choose_layer(layers, counts, ctx)
        inner = _read_entry(archive, by_lower[entry.lower()], ctx)
    if len(layers) > 1:
        # the answer was the entry; a multi-layer file inside must be uploaded on its own
        ctx = _Ctx(
            name=ctx.name,
            lang=ctx.lang,
            choices={k: v for k, v in ctx.choices.items() if k != "layer"},
            settings=ctx.settings,
            started=ctx.started,
            warnings=ctx.warnings,
        )
    return _read_bytes(inner, ctx, inside_zip=True)


def _check_zip(infos: Sequence[zipfile.ZipInfo], ctx: _Ctx) -> None:
    """Refuse unsafe or oversized archives from their directory, before reading any entry."""
    if len(infos) > MAX_ZIP_ENTRIES:
        raise ctx.error("zip_entries", n=len(infos), cap=MAX_ZIP_ENTRIES)
    for info in infos:
        name = info.filename
        parts = re.split(r"[\\/]", name)
        if (
            name.startswith(("/", "\\"))
            or re.match(r"^[A-Za-z]:", name)
            or ".." in parts
            or "\x00" in name
        ):
            raise ctx.error("zip_unsafe")
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise ctx.error("zip_symlink", entry=_strip_controls(PurePosixPath(name).name)[0])
        if info.flag_bits & 0x1:
            raise ctx.error("zip_encrypted")
    total = sum(info.file_size for info in infos)
    if total > ctx.settings.max_unpacked_mb * MB:
        raise ctx.error(
            "cap_unpacked", size=_megabytes(total), cap=_num(ctx.settings.max_unpacked_mb)
        )
    for info in infos:
        if info.file_size < RATIO_FLOOR_BYTES:
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > ctx.settings.max_compression_ratio:
            raise ctx.error(
                "cap_ratio",
                entry=_strip_controls(PurePosixPath(info.filename).name)[0],
                ratio=f"{ratio:.0f}",
                cap=_num(ctx.settings.max_compression_ratio),
            )


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, ctx: _Ctx) -> bytes:
    """One entry's bytes, never more than its directory says (already checked)."""
    try:
        with archive.open(info) as handle:
            data = handle.read(info.file_size + 1)
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError):
        raise ctx.error("zip_damaged") from None
    if len(data) != info.file_size:
        raise ctx.error("zip_damaged")
    return data


def _read_shapefile(
    archive: zipfile.ZipFile,
    shps: Sequence[str],
    by_lower: Mapping[str, zipfile.ZipInfo],
    ctx: _Ctx,
) -> _Source:
    stems = [shp[:-4] for shp in shps]
    counts: dict[str, int | None] = {}
    if len(stems) > 1:
        for stem in stems:
            dbf = by_lower.get(f"{stem}.dbf".lower())
            counts[stem] = _dbf_count(archive, dbf, ctx) if dbf else None
    stem = _choose_layer(stems, counts, ctx)
    base = PurePosixPath(stem).name
    parts = {
        ext: by_lower.get(f"{stem}.{ext}".lower()) for ext in ("shp", "shx", "dbf", "prj", "cpg")
    }
    missing = [f"{base}.{ext}" for ext in ("shx", "dbf") if parts[ext] is None]
    if missing:
        joiner = " y " if ctx.lang == "es" else " and "
        raise ctx.error("shp_missing", layer=base, missing=joiner.join(missing))
    blobs = {ext: _read_entry(archive, info, ctx) for ext, info in parts.items() if info}
    encoding = _shapefile_encoding(blobs, ctx)
    repacked = io.BytesIO()
    with zipfile.ZipFile(repacked, "w", compression=zipfile.ZIP_STORED) as out:
        for ext, blob in blobs.items():
            if ext != "cpg":
                out.writestr(f"layer.{ext}", blob)
    try:
        frame = _read_gdal_layer(
            repacked.getvalue(), ctx, kind="shapefile", layer=None, encoding=encoding
        )
    except UnicodeDecodeError:
        raise ctx.ask("encoding", "ask_encoding", _encoding_options()) from None
    source = _source_from_frame(frame, "shapefile-zip", stem)
    source.note_assumed = "prj" not in blobs
    return source


def _dbf_count(archive: zipfile.ZipFile, info: zipfile.ZipInfo, ctx: _Ctx) -> int | None:
    try:
        with archive.open(info) as handle:
            header = handle.read(8)
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError):
        raise ctx.error("zip_damaged") from None
    return int.from_bytes(header[4:8], "little") if len(header) == 8 else None


def _shapefile_encoding(blobs: Mapping[str, bytes], ctx: _Ctx) -> str:
    """The .dbf text encoding: the choice, the .cpg, else UTF-8 or Windows-1252 by content."""
    dbf = blobs["dbf"]
    header_size = int.from_bytes(dbf[8:10], "little") if len(dbf) >= 10 else len(dbf)
    body = dbf[header_size:]
    chosen = ctx.choices.get("encoding")
    if chosen:
        codec = _codec(chosen)
        if codec is None or not _decodes(body, codec):
            raise ctx.ask_again("encoding", chosen, _why_encoding(ctx), _encoding_options())
        return codec
    declared_text = blobs.get("cpg", b"").decode("ascii", errors="replace").strip()
    declared = _codec(declared_text) if declared_text else None
    if declared and _decodes(body, declared):
        return declared
    if body.isascii():
        return "utf-8"
    for codec in ("utf-8", "cp1252"):
        if _decodes(body, codec):
            shown = _ENCODING_NAMES[codec]
            if declared_text:
                ctx.warn("w_shp_cpg_wrong", declared=declared_text[:40], encoding=shown)
            else:
                ctx.warn("w_shp_no_cpg", encoding=shown)
            return codec
    raise ctx.ask("encoding", "ask_encoding", _encoding_options())


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


# --------------------------------------------------------------------------- CSV

_LAT_NAMES = {"lat", "latitud", "latitude", "lati"}
_LON_NAMES = {"lon", "long", "lng", "longitud", "longitude", "longi"}
_X_NAMES = {"x", "este", "easting", "east", "coordx", "xcoord", "coordenadax", "coordeste"}
_Y_NAMES = {"y", "norte", "northing", "north", "coordy", "ycoord", "coordenaday", "coordnorte"}
_WKT_NAMES = {"wkt", "geometry", "geom", "geometria", "thegeom", "wktgeom", "geometrywkt", "shape"}
_WKT_VALUE = re.compile(
    r"^\s*(SRID=\d+;\s*)?(POINT|MULTIPOINT|LINESTRING|MULTILINESTRING|POLYGON|MULTIPOLYGON|"
    r"GEOMETRYCOLLECTION)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+\.\d+$|^[+-]?\d{1,3}(,\d{3}){2,}$")
_HEMISPHERE = re.compile(r"^([NSEWO])?\s*(.*?)\s*°?\s*([NSEWO])?$", re.IGNORECASE)
_NONFINITE = {"nan": math.nan, "inf": math.inf, "infinity": math.inf}


def _read_csv(data: bytes, ctx: _Ctx) -> _Source:
    text = _decode_text(data, ctx)
    delimiter, text = _delimiter(text)
    if delimiter is None:
        raise ctx.error("csv_columns")
    ctx.check_time()
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(row)
                if len(rows) > ctx.settings.max_features + 1:
                    ctx.check_features(len(rows) - 1)
            if len(rows) % _CHECK_EVERY == 0:
                ctx.check_time()
    except csv.Error:
        raise ctx.error("csv_malformed", row=reader.line_num) from None
    if not rows:
        raise ctx.error("empty")
    header, body = [cell.strip() for cell in rows[0]], rows[1:]
    named = [cell for cell in header if cell]
    if len(header) > 1 and named and all(_parse_number(cell)[0] is not None for cell in named):
        raise ctx.error("csv_header_numbers")
    if len(header) < 2 and not any(_norm(h) in _WKT_NAMES for h in header):
        raise ctx.error("csv_columns")
    if not body:
        raise ctx.error("no_features")
    ctx.check_features(len(body))
    header, renamed = _unique_header(header)
    drops: dict[int, str] = {}
    table = []
    width = len(header)
    for position, row in enumerate(body):
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            drops[position] = "wrong_fields"
        table.append((row + [""] * width)[:width])
    frame = pd.DataFrame(table, columns=header, dtype=object)
    spec = _coordinate_columns(frame, ctx)
    source = _Source("csv", frame, _object_array([None] * len(frame)), drops=drops, renamed=renamed)
    if spec[0] == "wkt":
        _csv_wkt(frame, spec[1], source, ctx)
        source.records = frame.drop(columns=[spec[1]])
        source.note_assumed = True
    else:
        lon_col, lat_col = spec[1], spec[2]
        _csv_points(frame, lon_col, lat_col, source, ctx)
        source.note_assumed = not (_norm(lon_col) in _LON_NAMES and _norm(lat_col) in _LAT_NAMES)
    source.records = _infer_numbers(source.records, skip=set(spec[1:]))
    return source


def _delimiter(text: str) -> tuple[str | None, str]:
    """The field separator (``sep=`` line, else the one giving consistent columns)."""
    first, _, rest = text.partition("\n")
    hint = re.fullmatch(r"\s*\"?sep=(.)\"?\s*", first)
    if hint:
        return hint.group(1), rest
    sample_text = text[:65536]
    if len(text) > len(sample_text) and "\n" in sample_text:
        sample_text = sample_text[: sample_text.rindex("\n")]
    best: tuple[tuple[float, int], str] | None = None
    for candidate in (";", ",", "\t", "|"):
        try:
            counts = [
                len(row)
                for row in csv.reader(io.StringIO(sample_text, newline=""), delimiter=candidate)
                if any(cell.strip() for cell in row)
            ][:200]
        except csv.Error:
            continue
        if not counts:
            continue
        consistency = sum(c == counts[0] for c in counts) / len(counts)
        score = (consistency if counts[0] > 1 else 0.0, counts[0])
        if best is None or score > best[0]:
            best = (score, candidate)
    if best is None:
        return None, text
    if best[0][1] == 1:
        return ",", text  # one column: maybe a lone WKT column
    return best[1], text


def _norm(name: str) -> str:
    """A column name folded for matching: no accents, lower case, letters and digits only."""
    decomposed = unicodedata.normalize("NFKD", name)
    return re.sub(
        r"[^a-z0-9]", "", "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    )


def _unique_header(header: Sequence[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Header names made unique, and the renames (reported with the other columns')."""
    seen: set[str] = set()
    out = []
    renamed = []
    for index, name in enumerate(header, start=1):
        new = name or f"column_{index}"
        base, n = new, 2
        while new in seen:
            new, n = f"{base}_{n}", n + 1
        seen.add(new)
        out.append(new)
        if new != name:
            renamed.append((name, new))
    return out, renamed


def _coordinate_columns(frame: pd.DataFrame, ctx: _Ctx) -> tuple[str, ...]:
    """``("wkt", col)`` or ``("xy", lon_col, lat_col)``: from the choice, names or asking."""
    columns = list(frame.columns)
    numeric = [c for c in columns if _mostly_numbers(frame[c])]
    wkt = [c for c in columns if _norm(c) in _WKT_NAMES and _mostly_wkt(frame[c])]
    lats = [c for c in numeric if _norm(c) in _LAT_NAMES]
    lons = [c for c in numeric if _norm(c) in _LON_NAMES]
    xs = [c for c in numeric if _norm(c) in _X_NAMES]
    ys = [c for c in numeric if _norm(c) in _Y_NAMES]
    candidates: list[tuple[str, ...]] = [("xy", lon, lat) for lat in lats for lon in lons]
    candidates += [("xy", x, y) for y in ys for x in xs]
    candidates += [("wkt", w) for w in wkt]
    key = "ask_coordinates"
    if not candidates:
        key = "ask_coordinates_unnamed"
        candidates = [("xy", a, b) for a in numeric for b in numeric if a != b][:12]
    options = [_coordinate_choice(spec) for spec in candidates]
    chosen = ctx.choices.get("coordinates")
    if chosen is not None:
        spec = _parse_coordinate_choice(chosen)
        if spec is None or any(col not in columns for col in spec[1:]):
            why = (
                "no corresponde a columnas del archivo"
                if ctx.lang == "es"
                else "it does not name columns of the file"
            )
            if not options:
                raise ctx.error("csv_no_coords")
            raise ctx.ask_again("coordinates", chosen, why, options)
        return spec
    if not candidates:
        raise ctx.error("csv_no_coords")
    if len(candidates) == 1 and key == "ask_coordinates":
        return candidates[0]
    raise ctx.ask("coordinates", key, options)


def _coordinate_choice(spec: tuple[str, ...]) -> Choice:
    if spec[0] == "wkt":
        return Choice(
            f"wkt={spec[1]}",
            f"Geometría WKT en la columna «{spec[1]}»",
            f"WKT geometry in column '{spec[1]}'",
        )
    lon, lat = spec[1], spec[2]
    return Choice(
        f"lon={lon};lat={lat}",
        f"Longitud: «{lon}» · Latitud: «{lat}»",
        f"Longitude: '{lon}' · Latitude: '{lat}'",
    )


def _parse_coordinate_choice(value: str) -> tuple[str, ...] | None:
    wkt = re.fullmatch(r"wkt=(.+)", value, flags=re.DOTALL)
    if wkt:
        return ("wkt", wkt.group(1))
    pair = re.fullmatch(r"lon=(.+);lat=(.+)", value, flags=re.DOTALL)
    if pair:
        return ("xy", pair.group(1), pair.group(2))
    return None


#: Cells a spreadsheet uses for "no value": counted as empty, not as text.
_MISSING = {
    "",
    "na",
    "n/a",
    "#n/a",
    "nd",
    "n.d.",
    "null",
    "none",
    "-",
    "--",
    "s/d",
    "sd",
    "sin dato",
    "sin datos",
}


def _missing(cell: object) -> bool:
    """Whether a CSV cell holds no value (blank or a common "no data" marker)."""
    return not isinstance(cell, str) or cell.strip().lower() in _MISSING


def _mostly_numbers(column: pd.Series) -> bool:
    # the first 500 cells that hold something: a column may start with empty cells
    values = list(itertools.islice((v for v in column if not _missing(v)), 500))
    if not values:
        return False
    good = sum(_parse_number(v)[0] is not None for v in values)
    return good >= 0.5 * len(values)


def _mostly_wkt(column: pd.Series) -> bool:
    values = [v for v in column.head(500) if isinstance(v, str) and v.strip()]
    return bool(values) and sum(bool(_WKT_VALUE.match(v)) for v in values) >= 0.5 * len(values)


def _parse_number(text: str) -> tuple[float | None, bool]:
    """A number as spreadsheets in Latin America write it: ``(value, used_decimal_comma)``.

    ``4,6097`` and ``4.6097`` are both 4.6097; ``1.000.000,5`` and ``1,000,000.5`` use
    thousands separators; a lone comma is always decimal. A hemisphere letter turns
    into a sign (``74.08 W`` is -74.08). ``None`` when it is not a number.
    """
    value = text.strip().replace("\u2212", "-")
    dms = _dms(value)
    if dms is not None:
        return dms
    value = re.sub(r"[\s\u00a0\u202f]", "", value)
    if not value:
        return None, False
    lowered = value.lower().lstrip("+")
    sign = -1.0 if lowered.startswith("-") else 1.0
    if lowered.lstrip("-") in _NONFINITE:
        return sign * _NONFINITE[lowered.lstrip("-")], False
    hemisphere = _HEMISPHERE.match(value)
    if hemisphere and hemisphere.group(1) and hemisphere.group(3):
        return None, False  # two hemispheres (N 4°3' S): not guessed
    if hemisphere and (hemisphere.group(1) or hemisphere.group(3)):
        letter = (hemisphere.group(1) or hemisphere.group(3)).upper()
        number, comma = _parse_number(hemisphere.group(2))
        if number is None or number < 0:
            return None, False
        return (-number if letter in "SWO" else number), comma
    value = value.rstrip("°")
    if _NUMBER.match(value):
        return float(value), False
    if _DECIMAL_COMMA.match(value):
        return float(value.replace(",", ".")), True
    if _THOUSANDS_DOT.match(value) and (value.count(".") > 1 or "," in value):
        return float(value.replace(".", "").replace(",", ".")), "," in value
    if _THOUSANDS_COMMA.match(value):
        return float(value.replace(",", "")), False
    return None, False


_SIMPLE_NUMBER = r"[+-]?\d+(?:[.,]\d+)?"

_DMS_PART = r"\d+(?:[.,]\d+)?"
#: Degrees, minutes and seconds: 4°36'35"N, 74°4'W, 74º 4' 30'' O, 4d36m35s, N 4 36 35.
_DMS_SYMBOLS = re.compile(
    rf"^(?P<pre>[NSEWO])?\s*(?P<sign>[+-])?\s*(?P<d>{_DMS_PART})\s*(?:°|º|˚|d)\s*"
    rf"(?:(?P<m>{_DMS_PART})\s*(?:'|′|’|m)\s*)?"
    rf"(?:(?P<s>{_DMS_PART})\s*(?:\"|″|”|''|′′|’’|s)\s*)?"
    r"(?P<post>[NSEWO])?$",
    re.IGNORECASE,
)
#: The same with spaces only (4 36 35 N, 74 4 W): minutes and seconds have one or two
#: digits, so a number with thousands spaces (1 000) is not taken for one.
_DMS_SPACES = re.compile(
    r"^(?P<pre>[NSEWO])?\s*(?P<sign>[+-])?(?P<d>\d{1,3})\s+(?P<m>\d{1,2}(?:[.,]\d+)?)"
    r"(?:\s+(?P<s>\d{1,2}(?:[.,]\d+)?))?\s*(?P<post>[NSEWO])?$",
    re.IGNORECASE,
)


def _dms(text: str) -> tuple[float, bool] | None:
    """Decimal degrees from degrees, minutes and seconds; ``None`` when it is not that form.

    A hemisphere letter (``S``, ``W`` or ``O``) or a minus sign makes it negative;
    minutes and seconds must be below 60.
    """
    found = _DMS_SYMBOLS.match(text)
    if found is None or not (found.group("m") or found.group("s")):
        found = _DMS_SPACES.match(text)
        if found is not None and not (
            found.group("s") or found.group("pre") or found.group("post")
        ):
            return None  # "4 36" alone may be a number with a space: not guessed
    if found is None or (found.group("pre") and found.group("post")):
        return None
    parts = [found.group(k) for k in ("d", "m", "s")]
    degrees, minutes, seconds = (float(p.replace(",", ".")) if p else 0.0 for p in parts)
    if minutes >= 60 or seconds >= 60:
        return None
    value = degrees + minutes / 60 + seconds / 3600
    letter = (found.group("pre") or found.group("post") or "").upper()
    negative = found.group("sign") == "-"
    if letter and negative:
        return None
    used_comma = any(p and "," in p for p in parts)
    return (-value if negative or letter in ("S", "W", "O") else value), used_comma


def _csv_points(
    frame: pd.DataFrame, lon_col: str, lat_col: str, source: _Source, ctx: _Ctx
) -> None:
    """Points from two coordinate columns; rows without usable numbers are dropped."""
    values: dict[str, np.ndarray] = {}
    comma_cols = []
    for column in (lon_col, lat_col):
        cells = frame[column].map(lambda v: v.strip() if isinstance(v, str) else "")
        simple = cells.str.fullmatch(_SIMPLE_NUMBER).to_numpy(dtype=bool)
        numbers = np.full(len(frame), np.nan)
        numbers[simple] = cells[simple].str.replace(",", ".", regex=False).astype(float)
        comma = bool(cells[simple].str.contains(",", regex=False).any())
        for position in np.flatnonzero(~simple):  # the rare forms: 1.000.000,5 or 74.08 W
            cell = cells.iloc[position]
            number, used_comma = _parse_number(cell)
            if number is None:
                reason = "empty_coords" if _missing(cell) else "bad_number"
                if source.drops.get(int(position)) not in ("bad_number", "wrong_fields"):
                    source.drops[int(position)] = reason
                continue
            numbers[position] = number
            comma = comma or used_comma
        values[column] = numbers
        if comma:
            comma_cols.append(column)
        ctx.check_time()
    lons, lats = values[lon_col], values[lat_col]
    usable = np.array([p not in source.drops for p in range(len(frame))], dtype=bool)
    finite = np.isfinite(lons) & np.isfinite(lats)
    for position in np.flatnonzero(usable & ~finite):
        source.drops[int(position)] = "nonfinite"
    good = usable & finite
    geoms = np.full(len(frame), None, dtype=object)
    geoms[good] = shapely.points(lons[good], lats[good])
    source.geoms = geoms
    frame[lon_col] = lons
    frame[lat_col] = lats
    if comma_cols:
        ctx.warn("w_decimal_comma", cols=", ".join(comma_cols))


def _csv_wkt(frame: pd.DataFrame, column: str, source: _Source, ctx: _Ctx) -> None:
    geoms: list[shapely.Geometry | None] = [None] * len(frame)
    srids: set[str] = set()
    vertices = 0
    for position, cell in enumerate(frame[column]):
        if position in source.drops:
            continue
        text = cell.strip() if isinstance(cell, str) else ""
        if not text:
            source.drops[position] = "no_geometry"
            continue
        srid = re.match(r"^SRID=(\d+);\s*", text, flags=re.IGNORECASE)
        if srid:
            srids.add(srid.group(1))
            text = text[srid.end() :]
        geom = shapely.from_wkt(text, on_invalid="ignore")
        if geom is None:
            geom = shapely.from_wkt(text, on_invalid="fix")
            if geom is None:
                source.drops[position] = "unreadable"
                continue
            source.flag("unclosed", position)
        geoms[position] = geom
        vertices += shapely.get_num_coordinates(geom)
        ctx.check_vertices(vertices)
        if position % _CHECK_EVERY == 0:
            ctx.check_time()
    source.geoms = _object_array(geoms)
    if len(srids) == 1:
        source.crs = _parse_crs(f"EPSG:{srids.pop()}")


_INT_TEXT = re.compile(r"^[+-]?(0|[1-9]\d{0,17})$")
_FLOAT_TEXT = re.compile(r"^[+-]?(0|[1-9]\d*)?\.\d+([eE][+-]?\d+)?$|^[+-]?(0|[1-9]\d*)\.\d*$")


def _infer_numbers(frame: pd.DataFrame, *, skip: set[str]) -> pd.DataFrame:
    """CSV text columns whose every value is a plain number become numbers.

    Codes with leading zeros (``05001``) and decimal commas stay text: only the
    coordinate columns are read as Latin American numbers.
    """
    out = frame.copy()
    for column in out.columns:
        if column in skip:
            continue
        values = out[column]
        text = [v.strip() for v in values if isinstance(v, str) and v.strip()]
        blank = values.map(lambda v: not (isinstance(v, str) and v.strip()))
        if not text:
            out[column] = pd.Series([None] * len(out), index=out.index, dtype=object)
            continue
        if all(_INT_TEXT.match(v) for v in text):
            out[column] = pd.array(
                [None if b else int(v) for v, b in zip(values, blank, strict=True)], dtype="Int64"
            )
        elif all(_INT_TEXT.match(v) or _FLOAT_TEXT.match(v) for v in text):
            out[column] = [np.nan if b else float(v) for v, b in zip(values, blank, strict=True)]
        else:
            out[column] = pd.Series(
                [None if b else v for v, b in zip(values, blank, strict=True)],
                index=out.index,
                dtype=object,
            )
    return out


# --------------------------------------------------------------------------- clean-up


def _finish(source: _Source | Upload, ctx: _Ctx) -> Upload:
    """Turn what a reader found into an :class:`Upload`: the steps every format shares."""
    if isinstance(source, Upload):
        return source
    n = len(source.geoms)
    if n == 0:
        raise ctx.error("no_features")
    ctx.check_features(n)
    geoms = source.geoms.copy()
    drops = dict(source.drops)
    flags = {k: set(v) for k, v in source.flags.items()}
    for position in drops:
        geoms[position] = None
    present = np.array([g is not None for g in geoms])
    ctx.check_vertices(
        int(shapely.get_num_coordinates(geoms[present]).sum()) if present.any() else 0
    )
    ctx.check_time()

    records = _clean_records(source.records, source.renamed, ctx)
    ctx.check_time()

    # geometries that cannot be used whatever the CRS: missing, empty, Z/M, NaN
    for position in range(n):
        geom = geoms[position]
        if position in drops:
            continue
        if geom is None:
            drops[position] = "no_geometry"
        elif geom.is_empty:
            drops[position] = "empty"
            geoms[position] = None
    alive = _alive(geoms, drops)
    if alive.any():
        with_z = alive & (shapely.has_z(geoms) | _has_m(geoms))
        for position in _informative_z(geoms, with_z):
            flags.setdefault("z", set()).add(position)
        geoms[with_z] = shapely.force_2d(geoms[with_z])
        _drop_nonfinite(geoms, drops)
    ctx.check_time()

    geoms = _to_wgs84(geoms, drops, source, ctx)
    ctx.check_time()
    _drop_out_of_range(geoms, drops)
    _repair(geoms, drops, flags)
    ctx.check_time()

    keep = np.array([p not in drops for p in range(n)])
    if not keep.any():
        summary = Counter(drops.values())
        reasons = ", ".join(
            f"{count} {_DROP_REASONS[reason][ctx.lang][1]}"
            for reason, count in summary.most_common()
        )
        fixes = dict.fromkeys(
            r if r in _DROP_FIXES else "geometry" for r, _ in summary.most_common()
        )
        joined = (" y " if ctx.lang == "es" else " and ").join(
            _DROP_FIXES[f][ctx.lang] for f in fixes
        )
        raise ctx.error("all_dropped", n=n, reasons=reasons, fix=joined)
    _warn_geometry_changes(flags, drops, geoms, keep, ctx)

    kept = records.loc[keep].reset_index(drop=True)
    kept.insert(0, "feature_id", [str(p + 1) for p in np.flatnonzero(keep)])
    frame = gpd.GeoDataFrame(kept, geometry=gpd.GeoSeries(list(geoms[keep])), crs="EPSG:4326")
    frame.columns = [str(c) for c in frame.columns]
    return Upload(
        frame=frame,
        warnings=list(ctx.warnings),
        format=source.format,
        layer=source.layer,
        source_name=ctx.name,
    )


def _alive(geoms: np.ndarray, drops: Mapping[int, str]) -> np.ndarray:
    return np.array([g is not None and p not in drops for p, g in enumerate(geoms)], dtype=bool)


def _has_m(geoms: np.ndarray) -> np.ndarray:
    has_m = getattr(shapely, "has_m", None)
    return has_m(geoms) if has_m is not None else np.zeros(len(geoms), dtype=bool)


def _informative_z(geoms: np.ndarray, with_z: np.ndarray) -> list[int]:
    """Positions whose Z holds something other than zero (KML writes 0), or that have M."""
    positions = np.flatnonzero(with_z)
    if not len(positions):
        return []
    coords, index = shapely.get_coordinates(geoms[positions], include_z=True, return_index=True)
    with np.errstate(invalid="ignore"):
        nonzero = np.isfinite(coords[:, 2]) & (coords[:, 2] != 0)
    found = set(positions[index[nonzero]].tolist())
    found |= set(positions[_has_m(geoms[positions])].tolist())
    return sorted(found)


def _drop_nonfinite(geoms: np.ndarray, drops: dict[int, str]) -> None:
    alive = np.flatnonzero(_alive(geoms, drops))
    if not len(alive):
        return
    coords, index = shapely.get_coordinates(geoms[alive], return_index=True)
    bad = ~np.isfinite(coords).all(axis=1)
    for position in np.unique(alive[index[bad]]):
        drops[int(position)] = "nonfinite"
        geoms[position] = None


def _drop_out_of_range(geoms: np.ndarray, drops: dict[int, str]) -> None:
    alive = np.flatnonzero(_alive(geoms, drops))
    if not len(alive):
        return
    with np.errstate(invalid="ignore"):
        bounds = shapely.bounds(geoms[alive])
        ok = (
            np.isfinite(bounds).all(axis=1)
            & (bounds[:, 0] >= -180)
            & (bounds[:, 2] <= 180)
            & (bounds[:, 1] >= -90)
            & (bounds[:, 3] <= 90)
        )
    for position in alive[~ok]:
        drops[int(position)] = "out_of_range"
        geoms[position] = None


def _repair(geoms: np.ndarray, drops: dict[int, str], flags: dict[str, set[int]]) -> None:
    """Repair invalid geometries when that keeps their dimension; drop the degenerate."""
    alive = np.flatnonzero(_alive(geoms, drops))
    if not len(alive):
        return
    invalid = alive[~shapely.is_valid(geoms[alive])]
    for position in invalid:
        fixed = _make_valid(geoms[position])
        if fixed is None:
            drops[int(position)] = "degenerate"
            geoms[position] = None
        else:
            geoms[position] = fixed
            flags.setdefault("fixed", set()).add(int(position))


def _make_valid(geom: shapely.Geometry) -> shapely.Geometry | None:
    """A valid geometry of the same dimension, or None when nothing of it is left."""
    dimension = shapely.get_dimensions(geom)
    if geom.geom_type == "GeometryCollection":
        fixed = shapely.make_valid(geom)
        return None if fixed.is_empty else fixed
    if dimension == 2:
        fixed = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    else:
        fixed = shapely.make_valid(geom)
    if fixed.is_empty:
        return None
    if fixed.geom_type != "GeometryCollection" and shapely.get_dimensions(fixed) == dimension:
        return fixed
    parts = [
        part
        for part in shapely.get_parts(shapely.get_parts(fixed))
        if not part.is_empty and shapely.get_dimensions(part) == dimension
    ]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    if dimension == 2:
        return shapely.union_all(parts)
    if dimension == 1:
        return shapely.MultiLineString(parts)
    return shapely.MultiPoint(parts)


def _warn_geometry_changes(
    flags: Mapping[str, set[int]],
    drops: Mapping[int, str],
    geoms: np.ndarray,
    keep: np.ndarray,
    ctx: _Ctx,
) -> None:
    def kept(positions: Iterable[int]) -> list[int]:
        return sorted(p for p in positions if keep[p])

    z_rows = kept(flags.get("z", ()))
    if z_rows:
        ctx.warn("w_z", n=len(z_rows))
    unclosed = kept(flags.get("unclosed", ()))
    if unclosed:
        ctx.warn("w_unclosed", n=len(unclosed), rows=ctx.rows(unclosed))
    fixed = kept(flags.get("fixed", ()))
    if fixed:
        polygons = all(geoms[p].geom_type in ("Polygon", "MultiPolygon") for p in fixed)
        key = "w_repaired_polygons" if polygons else "w_repaired"
        ctx.warn(key, n=len(fixed), rows=ctx.rows(fixed))
    by_reason: dict[str, list[int]] = {}
    for position, reason in sorted(drops.items()):
        by_reason.setdefault(reason, []).append(position)
    for reason, positions in by_reason.items():
        what = _DROP_REASONS[reason][ctx.lang][0]
        ctx.warn("w_dropped", n=len(positions), what=what, rows=ctx.rows(positions))
    types = Counter(geoms[p].geom_type for p in np.flatnonzero(keep))
    families = {_family(t) for t in types}
    if len(families) > 1:
        counts = ", ".join(f"{count} {kind}" for kind, count in types.most_common())
        ctx.warn("w_mixed", counts=counts)


def _family(geom_type: str) -> str:
    return geom_type.removeprefix("Multi")


# --------------------------------------------------------------------------- properties

_RESERVED = {"geometry", "feature_id"}


def _clean_records(
    records: pd.DataFrame, renamed_before: Sequence[tuple[str, str]], ctx: _Ctx
) -> pd.DataFrame:
    """Columns named by unique, printable strings; lists and objects as JSON; no controls."""
    out = records.copy()
    renamed: list[tuple[str, str]] = list(renamed_before)
    seen: set[str] = set()
    names = []
    for index, raw in enumerate(out.columns, start=1):
        original = "" if raw is None else str(raw)
        name = _strip_controls(original)[0].strip() or f"column_{index}"
        base, n = name, 2
        while name.casefold() in seen or name.casefold() in _RESERVED:
            name, n = f"{base}_{n}", n + 1
        seen.add(name.casefold())
        names.append(name)
        if name != original:
            renamed.append((original, name))
    out.columns = names
    if renamed:
        _warn_renamed(renamed, ctx)

    json_values = 0
    json_cols: list[str] = []
    control_count = 0
    control_cols: list[str] = []
    cap = ctx.settings.max_value_chars
    long_rows: set[int] = set()
    long_cols: list[str] = []
    long_count = 0
    for column in out.columns:
        series = out[column]
        if series.dtype.kind not in "OSU" and not pd.api.types.is_string_dtype(series.dtype):
            continue
        values = list(series)
        changed = False
        nested = 0
        stripped = 0
        cut = 0
        for i, value in enumerate(values):
            if isinstance(value, list | dict):
                values[i] = json.dumps(value, ensure_ascii=False, default=str)
                nested += 1
                changed = True
            if isinstance(values[i], str):
                if len(values[i]) > cap:  # one value may not hold a whole file (setting)
                    values[i] = values[i][:cap]
                    long_rows.add(i)
                    cut += 1
                    changed = True
                clean, count = _strip_controls(values[i])
                if count:
                    values[i] = clean
                    stripped += count
                    changed = True
        if cut:
            long_count += cut
            long_cols.append(column)
        if nested:
            json_values += nested
            json_cols.append(column)
        if stripped:
            control_count += stripped
            control_cols.append(column)
        if changed:
            out[column] = pd.Series(values, index=out.index, dtype=object)
    if json_values:
        ctx.warn("w_json_values", n=json_values, cols=_list_names(json_cols))
    if control_count:
        ctx.warn("w_control", n=control_count, cols=_list_names(control_cols))
    if long_count:
        ctx.warn(
            "w_truncated",
            n=long_count,
            cap=f"{cap:,}",
            cols=_list_names(long_cols),
            rows=ctx.rows(long_rows),
        )
    return out


def cap_text_values(
    frame: gpd.GeoDataFrame,
    *,
    name: str,
    settings: Settings | None = None,
    lang: str = "es",
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Cut text values longer than ``settings.max_value_chars``, for layers that do not
    come through :func:`read_upload` (imports from a service).

    Returns
    -------
    A copy of ``frame`` and the warnings (one, naming the columns and rows, when
    anything was cut).
    """
    settings = settings or get_settings()
    ctx = _Ctx(
        name=_display_name(name, "layer"),
        lang=lang if lang in LANGUAGES else "es",
        choices={},
        settings=settings,
    )
    cap = settings.max_value_chars
    out = frame.copy()
    rows: set[int] = set()
    cols: list[str] = []
    count = 0
    for column in out.columns:
        if column == out.geometry.name:
            continue
        values = list(out[column])
        long = [i for i, v in enumerate(values) if isinstance(v, str) and len(v) > cap]
        if not long:
            continue
        for i in long:
            values[i] = values[i][:cap]
        out[column] = pd.Series(values, index=out.index, dtype=object)
        rows.update(long)
        cols.append(str(column))
        count += len(long)
    if count:
        ctx.warn(
            "w_truncated", n=count, cap=f"{cap:,}", cols=_list_names(cols), rows=ctx.rows(rows)
        )
    return out, list(ctx.warnings)


def check_upload_size(
    size_bytes: int, *, filename: str, settings: Settings | None = None, lang: str = "es"
) -> None:
    """Refuse a file over the upload cap from its size alone, before its bytes are copied.

    Raises
    ------
    LayerError
        The same message :func:`read_upload` gives a file over ``max_upload_mb``.
    """
    settings = settings or get_settings()
    if size_bytes > settings.max_upload_mb * MB:
        ctx = _Ctx(
            name=_display_name(filename, "upload"),
            lang=lang if lang in LANGUAGES else "es",
            choices={},
            settings=settings,
        )
        raise ctx.error("cap_upload", size=_megabytes(size_bytes), cap=_num(settings.max_upload_mb))


def _warn_renamed(renamed: Sequence[tuple[str, str]], ctx: _Ctx) -> None:
    pairs = ", ".join(
        f"'{_strip_controls(old)[0][:30]}' → '{new[:30]}'" for old, new in renamed[:MAX_LISTED]
    )
    if len(renamed) > MAX_LISTED:
        pairs += "…"
    ctx.warn("w_renamed", n=len(renamed), pairs=pairs)


def _list_names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:MAX_LISTED])
    return shown + ("…" if len(names) > MAX_LISTED else "")


# --------------------------------------------------------------------------- CRS


def _parse_crs(value: str) -> CRS | None:
    text = value.strip()
    if not text or len(text) > 10_000:
        return None
    if text.isdigit():
        text = f"EPSG:{text}"
    try:
        return CRS.from_user_input(text)
    except (CRSError, ValueError, TypeError):
        return None


def _is_wgs84(crs: CRS) -> bool:
    return crs.equals(CRS.from_epsg(4326), ignore_axis_order=True)


def _crs_label(crs: CRS) -> str:
    code = crs.to_epsg(min_confidence=90)
    return f"EPSG:{code} ({crs.name})" if code else crs.name


@lru_cache(maxsize=128)
def _transformer(code: str) -> Transformer:
    return Transformer.from_crs(CRS.from_user_input(code), 4326, always_xy=True)


@lru_cache(maxsize=128)
def _area(code: str) -> tuple[float, float, float, float] | None:
    area = CRS.from_user_input(code).area_of_use
    return (area.west, area.south, area.east, area.north) if area else None


def _sample(geoms: np.ndarray, drops: Mapping[int, str], limit: int = 5000) -> np.ndarray:
    alive = _alive(geoms, drops)
    if not alive.any():
        return np.empty((0, 2))
    coords = shapely.get_coordinates(geoms[alive])
    if len(coords) > limit:
        coords = coords[np.linspace(0, len(coords) - 1, limit).astype(int)]
    return coords


def _inside(xy: np.ndarray, box: Sequence[float], margin: float = 0.0) -> np.ndarray:
    west, south, east, north = box
    with np.errstate(invalid="ignore"):
        return (
            np.isfinite(xy).all(axis=1)
            & (xy[:, 0] >= west - margin)
            & (xy[:, 0] <= east + margin)
            & (xy[:, 1] >= south - margin)
            & (xy[:, 1] <= north + margin)
        )


def _in_degrees(xy: np.ndarray) -> np.ndarray:
    return _inside(xy, (-180.0, -90.0, 180.0, 90.0))


def _metric_share(xy: np.ndarray) -> float:
    """Share of coordinates far beyond any longitude/latitude: metres (or feet)."""
    with np.errstate(invalid="ignore"):
        return float((np.abs(xy) > 1000).any(axis=1).mean())


def _placed(code: str, xy: np.ndarray) -> tuple[float, np.ndarray] | None:
    """Where ``xy`` in ``code`` lands: (share inside the CRS's area of use, lon/lat), if in LatAm."""
    try:
        lon, lat = _transformer(code).transform(xy[:, 0], xy[:, 1], errcheck=False)
    except (RuntimeError, ValueError):  # PROJ refuses some inputs: such a CRS does not fit
        log.debug("cannot transform sample from %s", code, exc_info=True)
        return None
    lonlat = np.column_stack([lon, lat])
    if _inside(lonlat, LATAM_BOUNDS).mean() < 0.9:
        return None
    area = _area(code)
    if area is not None and _inside(lonlat, area, margin=2.0).mean() < 0.9:
        return None
    strict = float(_inside(lonlat, area).mean()) if area is not None else 1.0
    return strict, lonlat


def _crs_choice(code: str, lonlat: np.ndarray, *, note_es: str = "", note_en: str = "") -> Choice:
    lon, lat = float(np.nanmedian(lonlat[:, 0])), float(np.nanmedian(lonlat[:, 1]))
    name = CRS.from_user_input(code).name
    ns = "N" if lat >= 0 else "S"
    where_es = f"{abs(lat):.2f}° {ns}, {abs(lon):.2f}° {'O' if lon < 0 else 'E'}"
    where_en = f"{abs(lat):.2f}° {ns}, {abs(lon):.2f}° {'W' if lon < 0 else 'E'}"
    return Choice(
        code,
        f"{code} · {name}{note_es}: los datos quedarían en ≈ {where_es}",
        f"{code} · {name}{note_en}: the data would fall near {where_en}",
    )


def _crs_options(xy: np.ndarray) -> list[Choice]:
    found = []
    for rank, epsg in enumerate(CRS_CANDIDATES):
        code = f"EPSG:{epsg}"
        placed = _placed(code, xy)
        if placed is not None:
            found.append((placed[0] < 0.99, rank, code, placed[1]))
    found.sort(key=lambda item: (item[0], item[1]))
    return [_crs_choice(code, lonlat) for _, _, code, lonlat in found[:MAX_CRS_OPTIONS]]


def _to_wgs84(geoms: np.ndarray, drops: dict[int, str], source: _Source, ctx: _Ctx) -> np.ndarray:
    """Settle the CRS (declared, chosen or asked), swap axes if chosen, reproject."""
    xy = _sample(geoms, drops)
    if not len(xy):
        return geoms
    chosen = ctx.choices.get("crs")
    tentative = _parse_crs(chosen) if chosen and not source.geographic_only else source.crs
    if tentative is None or tentative.is_geographic:
        # before guessing a CRS: swapped Mexican points have "latitudes" beyond -90
        geoms = _maybe_swap(geoms, drops, xy, ctx)
        xy = _sample(geoms, drops)
    crs = _settle_crs(xy, source, ctx)
    if crs is None or _is_wgs84(crs):
        return geoms
    alive = _alive(geoms, drops)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            series = gpd.GeoSeries(list(geoms[alive]), crs=crs).to_crs(4326)
    except (CRSError, ValueError, RuntimeError) as exc:
        log.info("cannot reproject upload %s from %s: %s", ctx.name, crs, exc)
        why = "no se puede convertir" if ctx.lang == "es" else "it cannot be converted"
        raise ctx.ask_again("crs", _crs_label(crs), why, _crs_options(xy)) from None
    out = geoms.copy()
    out[alive] = series.array
    ctx.warn("w_reprojected", crs=_crs_label(crs))
    return out


def _settle_crs(xy: np.ndarray, source: _Source, ctx: _Ctx) -> CRS | None:
    """The CRS the coordinates are in; None means longitude/latitude as they stand."""
    degrees = _in_degrees(xy).mean()
    metric = _metric_share(xy) >= 0.5
    chosen = ctx.choices.get("crs")
    if chosen is not None and not source.geographic_only:
        crs = _parse_crs(chosen)
        if crs is None:
            why = (
                "no es un sistema de coordenadas conocido"
                if ctx.lang == "es"
                else "it is not a known coordinate system"
            )
            raise ctx.ask_again("crs", chosen, why, _crs_options(xy))
        return crs
    declared = source.crs
    if source.geographic_only:
        return declared
    if declared is not None:
        code = _crs_code(declared)
        wrong_prj = (
            declared.is_projected
            and degrees >= 0.9
            and _looks_latam(xy)
            and (code is None or _placed(code, xy) is None)
        )
        if wrong_prj:  # degrees declared as metres
            options = [
                _crs_choice(
                    "EPSG:4326",
                    xy,
                    note_es=" (longitud/latitud en grados)",
                    note_en=" (longitude/latitude in degrees)",
                )
            ]
            if code is not None:
                options.append(
                    Choice(
                        code,
                        f"{code} · {declared.name} (como declara el archivo)",
                        f"{code} · {declared.name} (as the file declares)",
                    )
                )
            raise ctx.ask("crs", "ask_crs_mismatch", options, crs=_crs_label(declared))
        if declared.is_geographic and metric:
            # metres declared as degrees
            options = _crs_options(xy)
            if not options:
                raise ctx.error("crs_none_fits")
            raise ctx.ask("crs", "ask_crs_mismatch", options, crs=_crs_label(declared))
        return declared
    if metric:
        options = _crs_options(xy)
        if not options:
            raise ctx.error("crs_none_fits")
        raise ctx.ask("crs", "ask_crs", options)
    if source.note_assumed:
        ctx.warn("w_assumed_4326")
    return None


def _crs_code(crs: CRS) -> str | None:
    code = crs.to_epsg(min_confidence=70)
    return f"EPSG:{code}" if code else None


def _looks_latam(xy: np.ndarray) -> bool:
    return bool(_inside(xy, LATAM_BOUNDS).mean() >= 0.9)


_SWAP_OPTIONS = [
    Choice("yes", "Sí, intercambiar latitud y longitud", "Yes, swap latitude and longitude"),
    Choice("no", "No, dejarlas como están", "No, leave them as they are"),
]


def _maybe_swap(
    geoms: np.ndarray, drops: Mapping[int, str], xy: np.ndarray, ctx: _Ctx
) -> np.ndarray:
    """Swap x and y when chosen; ask when the points only fall in Latin America swapped."""
    answer = ctx.choices.get("swap")
    if answer is None:
        suspicious = (
            bool((np.abs(xy[:, 0]) <= 90).all())
            and _inside(xy, LATAM_BOUNDS).mean() < 0.1
            and _inside(xy[:, ::-1], LATAM_BOUNDS).mean() >= 0.9
        )
        if suspicious:
            raise ctx.ask("swap", "ask_swap", _SWAP_OPTIONS)
        return geoms
    if answer not in ("yes", "no"):
        why = "responda yes o no" if ctx.lang == "es" else "answer yes or no"
        raise ctx.ask_again("swap", answer, why, _SWAP_OPTIONS)
    if answer == "no":
        return geoms
    alive = _alive(geoms, drops)
    out = geoms.copy()
    out[alive] = shapely.transform(geoms[alive], lambda coords: coords[:, ::-1])
    ctx.warn("w_swapped", n=int(alive.sum()))
    return out
