"""The upload's messages in Spanish and English: one sentence each, naming the file,
the problem and the fix."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

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
