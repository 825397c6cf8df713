"""Write the upload test corpus: ``tests/data/good/`` and ``tests/data/bad/``.

Run ``python tests/data/bad/make_corpus.py`` from the project root. Every file is
small and written the same way each time (fixed zip timestamps, fixed GeoPackage
dates, a fixed .dbf date), so the committed files can be checked against a fresh run.
``tests/geo/test_upload.py`` documents what each file must produce.
"""

from __future__ import annotations

import gzip
import io
import json
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from pyproj import Transformer
from shapely.geometry import Point

BAD = Path(__file__).resolve().parent
GOOD = BAD.parent / "good"
STAMP = (2025, 1, 1, 0, 0, 0)

# Three care places in Bogotá: name, locality, capacity, longitude, latitude.
PLACES = [
    ("Manzana del Cuidado Ciudad Bolívar", "Ciudad Bolívar", 40, -74.1536, 4.5436),
    ("Manzana del Cuidado Bosa", "Bosa", 35, -74.1900, 4.6187),
    ("Manzana del Cuidado Usme", "Usme", 25, -74.1260, 4.4740),
]


def feature(geometry: object, **props: object) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def square(lon: float, lat: float, size: float = 0.01) -> list[list[float]]:
    return [
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
    ]


def collection(features: list[dict], **extra: object) -> dict:
    return {"type": "FeatureCollection", **extra, "features": features}


def places_features() -> list[dict]:
    return [
        feature(point(lon, lat), nombre=name, localidad=loc, capacidad=cap)
        for name, loc, cap, lon, lat in PLACES
    ]


def places_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "nombre": [p[0] for p in PLACES],
            "localidad": [p[1] for p in PLACES],
            "capacidad": [p[2] for p in PLACES],
        },
        geometry=[Point(p[3], p[4]) for p in PLACES],
        crs="EPSG:4326",
    )


def write_json(path: Path, doc: object, *, encoding: str = "utf-8") -> None:
    path.write_bytes(json.dumps(doc, ensure_ascii=False, indent=1).encode(encoding))


def zip_bytes(entries: list[tuple[str | zipfile.ZipInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = name if isinstance(name, zipfile.ZipInfo) else zipfile.ZipInfo(name, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def shapefile_parts(
    frame: gpd.GeoDataFrame, *, encoding: str = "UTF-8", crs: bool = True
) -> dict[str, bytes]:
    """The files of a shapefile written by GDAL, by extension (without .cpg/.prj as asked)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "layer.shp"
        pyogrio.write_dataframe(frame, path, encoding=encoding)
        parts = {p.suffix[1:]: p.read_bytes() for p in Path(folder).iterdir()}
    dbf = bytearray(parts["dbf"])
    dbf[1:4] = bytes([125, 1, 1])  # fixed "last update" date: 2025-01-01
    parts["dbf"] = bytes(dbf)
    parts.pop("cpg", None)
    if not crs:
        parts.pop("prj", None)
    return parts


def shapefile_zip(
    stem: str, parts: dict[str, bytes], *, extra: list[tuple[str, bytes]] | None = None
) -> bytes:
    entries: list[tuple[str | zipfile.ZipInfo, bytes]] = [
        (f"{stem}.{ext}", data) for ext, data in sorted(parts.items())
    ]
    return zip_bytes(entries + list(extra or []))


def gpkg_bytes(layers: dict[str, gpd.GeoDataFrame | pd.DataFrame]) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "layers.gpkg"
        for name, frame in layers.items():
            pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", append=path.exists())
        return path.read_bytes()


def kml(placemarks: str, *, folders: bool = False, encoding: str = "UTF-8") -> str:
    body = placemarks
    if folders:
        body = (
            "<Folder><name>Manzanas</name>"
            + placemarks
            + "</Folder><Folder><name>Jardines</name><Placemark><name>Jardín Usme</name>"
            "<Point><coordinates>-74.1260,4.4740,0</coordinates></Point></Placemark></Folder>"
        )
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Cuidado</name>\n'
        f"{body}\n</Document></kml>\n"
    )


def placemarks() -> str:
    return "\n".join(
        f'<Placemark><name>{name}</name><ExtendedData><Data name="capacidad"><value>{cap}'
        f"</value></Data></ExtendedData><Point><coordinates>{lon},{lat},0</coordinates>"
        "</Point></Placemark>"
        for name, _loc, cap, lon, lat in PLACES
    )


def to_crs(epsg: int, lon: float, lat: float) -> tuple[float, float]:
    x, y = Transformer.from_crs(4326, epsg, always_xy=True).transform(lon, lat)
    return round(x, 2), round(y, 2)


def write_good() -> None:
    GOOD.mkdir(exist_ok=True)
    write_json(GOOD / "places.geojson", collection(places_features()))
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2025-01-01T00:00:00Z"})
    (GOOD / "places.gpkg").write_bytes(gpkg_bytes({"manzanas": places_frame()}))
    parts = shapefile_parts(places_frame())
    (GOOD / "places_shp.zip").write_bytes(shapefile_zip("manzanas", {**parts, "cpg": b"UTF-8"}))
    rows = ["nombre;localidad;latitud;longitud;capacidad"]
    rows += [
        f"{name};{loc};{str(lat).replace('.', ',')};{str(lon).replace('.', ',')};{cap}"
        for name, loc, cap, lon, lat in PLACES
    ]
    (GOOD / "places.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    wkt_rows = ["name,wkt"] + [
        f'"{loc}","POLYGON (({", ".join(f"{x} {y}" for x, y in square(lon, lat))}))"'
        for _name, loc, _cap, lon, lat in PLACES
    ]
    (GOOD / "areas_wkt.csv").write_text("\n".join(wkt_rows) + "\n", encoding="utf-8")
    (GOOD / "places.kml").write_text(kml(placemarks()), encoding="utf-8")
    (GOOD / "places.kmz").write_bytes(zip_bytes([("doc.kml", kml(placemarks()).encode())]))


def write_bad() -> None:
    good_json = json.dumps(collection(places_features()), ensure_ascii=False)
    bogota = PLACES[0][3:]

    # --- the file as a whole
    (BAD / "empty.geojson").write_bytes(b"")
    (BAD / "truncated.geojson").write_text(good_json[: len(good_json) // 2], encoding="utf-8")
    (BAD / "not_json.geojson").write_text(
        '{"type": "FeatureCollection",\n "features": [{type: "Feature"}]}\n', encoding="utf-8"
    )
    (BAD / "binary.geojson").write_bytes(bytes((i * 7919 + 13) % 256 for i in range(2048)))
    write_json(BAD / "not_geojson.json", {"name": "capas", "values": [1, 2, 3]})
    write_json(
        BAD / "topojson.json",
        {
            "type": "Topology",
            "objects": {"localidades": {"type": "GeometryCollection", "geometries": []}},
            "arcs": [],
        },
    )
    write_json(
        BAD / "esri.json",
        {
            "geometryType": "esriGeometryPoint",
            "spatialReference": {"wkid": 4326},
            "features": [{"attributes": {"nombre": "Bosa"}, "geometry": {"x": -74.19, "y": 4.61}}],
        },
    )
    (BAD / "deep.json").write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    (BAD / "page.geojson").write_text(
        "<!DOCTYPE html>\n<html><head><title>Descargas</title></head><body></body></html>\n",
        encoding="utf-8",
    )
    (BAD / "places.geojson.gz").write_bytes(
        gzip.compress(good_json.encode(), mtime=0)  # fixed header time
    )
    (BAD / "bare.shp").write_bytes(shapefile_parts(places_frame())["shp"])
    (BAD / "workbook.csv").write_bytes(
        zip_bytes(
            [
                ("[Content_Types].xml", b"<Types/>"),
                ("xl/workbook.xml", b"<workbook/>"),
            ]
        )
    )
    (BAD / "geojson_named.csv").write_text(good_json, encoding="utf-8")

    # --- features and geometries
    lon, lat = bogota
    write_json(
        BAD / "null_empty_geometry.geojson",
        collection(
            [
                feature(point(lon, lat), nombre="bien"),
                feature(None, nombre="sin geometría"),
                feature({"type": "Point", "coordinates": []}, nombre="punto vacío"),
                feature({"type": "Polygon", "coordinates": []}, nombre="polígono vacío"),
                feature(point(lon + 0.01, lat), nombre="bien 2"),
                {"type": "Feature", "properties": {"nombre": "sin miembro geometry"}},
            ]
        ),
    )
    bowtie = [
        [lon, lat],
        [lon + 0.01, lat + 0.01],
        [lon + 0.01, lat],
        [lon, lat + 0.01],
        [lon, lat],
    ]
    shell = square(lon, lat)
    outside_hole = square(lon + 0.05, lat + 0.05, 0.002)
    unclosed = square(lon + 0.1, lat)[:-1]
    flat = [[lon, lat], [lon, lat + 0.01], [lon, lat + 0.02], [lon, lat]]  # no area
    write_json(
        BAD / "invalid_polygons.geojson",
        collection(
            [
                feature({"type": "Polygon", "coordinates": [square(lon, lat)]}, nombre="bien"),
                feature({"type": "Polygon", "coordinates": [bowtie]}, nombre="moño"),
                feature(
                    {"type": "Polygon", "coordinates": [shell, outside_hole]},
                    nombre="hueco afuera",
                ),
                feature({"type": "Polygon", "coordinates": [unclosed]}, nombre="sin cerrar"),
                feature({"type": "Polygon", "coordinates": [flat]}, nombre="plano"),
                feature({"type": "LineString", "coordinates": [[lon, lat]]}, nombre="un punto"),
            ]
        ),
    )
    write_json(
        BAD / "mixed_types.geojson",
        collection(
            [
                feature(point(lon, lat), nombre="a"),
                feature(point(lon + 0.01, lat), nombre="b"),
                feature({"type": "Polygon", "coordinates": [square(lon, lat)]}, nombre="c"),
                feature(
                    {"type": "LineString", "coordinates": [[lon, lat], [lon + 0.01, lat]]},
                    nombre="d",
                ),
            ]
        ),
    )
    write_json(
        BAD / "z_coords.geojson",
        collection(
            [
                feature({"type": "Point", "coordinates": [lon, lat, 2600.0]}, nombre="3D"),
                feature({"type": "Point", "coordinates": [lon, lat, 2600.0, 7.0]}, nombre="4D"),
                feature(point(lon, lat), nombre="2D"),
                feature(
                    {"type": "LineString", "coordinates": [[lon, lat, 1.0], [lon + 0.01, lat]]},
                    nombre="mezcla",
                ),
            ]
        ),
    )
    nan_text = (
        '{"type": "FeatureCollection", "features": [\n'
        f'{{"type": "Feature", "geometry": {{"type": "Point", "coordinates": [{lon}, {lat}]}}, "properties": {{"nombre": "bien"}}}},\n'
        '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [NaN, 4.6]}, "properties": {"nombre": "NaN"}},\n'
        '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [-74.1, Infinity]}, "properties": {"nombre": "Infinity"}},\n'
        '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [-74.1, 95.0]}, "properties": {"nombre": "latitud 95"}},\n'
        '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [200.0, 4.6]}, "properties": {"nombre": "longitud 200"}},\n'
        '{"type": "Feature", "geometry": {"type": "Point", "coordinates": ["-74.1", "4.6"]}, "properties": {"nombre": "texto"}}\n'
        "]}\n"
    )
    (BAD / "nan_inf_range.geojson").write_text(nan_text, encoding="utf-8")
    write_json(
        BAD / "swapped_latlon.geojson",
        collection(
            [feature(point(lat, lon), nombre=name) for name, _loc, _cap, lon, lat in PLACES]
        ),
    )
    swapped_rows = ["nombre,lat,lon", "Zócalo,-99.1332,19.4326", "Coyoacán,-99.1620,19.3467"]
    (BAD / "swapped_mexico.csv").write_text("\n".join(swapped_rows) + "\n", encoding="utf-8")

    # --- coordinate systems
    metres = [
        feature(point(*to_crs(3116, lon, lat)), nombre=name) for name, _l, _c, lon, lat in PLACES
    ]
    write_json(
        BAD / "projected_declared.geojson",
        collection(
            metres, crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3116"}}
        ),
    )
    write_json(BAD / "projected_nocrs.geojson", collection(metres))
    national = ["nombre;este;norte"] + [
        f"{name};{x};{y}".replace(".", ",")
        for name, _l, _c, lon, lat in PLACES
        for x, y in [to_crs(9377, lon, lat)]
    ]
    (BAD / "origen_nacional.csv").write_text("\n".join(national) + "\n", encoding="utf-8")

    # --- text
    write_json(BAD / "latin1.geojson", collection(places_features()), encoding="cp1252")
    latin_rows = ["nombre;localidad;lat;lon"] + [
        f"{name};{loc};{str(lat).replace('.', ',')};{str(lon).replace('.', ',')}"
        for name, loc, _cap, lon, lat in PLACES
    ]
    (BAD / "latin1.csv").write_bytes(("\r\n".join(latin_rows) + "\r\n").encode("cp1252"))
    tab_rows = ["nombre\tlatitud\tlongitud"] + [
        f"{name}\t{lat}\t{lon}" for name, _loc, _cap, lon, lat in PLACES
    ]
    (BAD / "utf16.csv").write_bytes(("\r\n".join(tab_rows) + "\r\n").encode("utf-16"))
    (BAD / "utf8_bom.csv").write_bytes(("\r\n".join(latin_rows) + "\r\n").encode("utf-8-sig"))
    (BAD / "undecodable.csv").write_bytes(
        b"nombre;lat;lon\r\n" + b"Ciudad Bol\x81var;4,5436;-74,1536\r\n"
    )
    odd_keys = (
        '{"type": "FeatureCollection", "features": [{"type": "Feature", '
        f'"geometry": {{"type": "Point", "coordinates": [{lon}, {lat}]}}, '
        '"properties": {"nombre": "uno", "nombre": "dos", "": "vacía", "geometry": "texto", '
        '"feature_id": 7, " capacidad ": 3, "Nombre": "tres"}}]}\n'
    )
    (BAD / "odd_keys.geojson").write_text(odd_keys, encoding="utf-8")
    write_json(
        BAD / "nested_values.geojson",
        collection(
            [
                feature(
                    point(lon, lat),
                    nombre="a",
                    servicios=["cuidado infantil", "respiro"],
                    contacto={"tel": "601 000 0000"},
                ),
                feature(
                    point(lon + 0.01, lat), nombre="b", servicios=["lavandería"], contacto=None
                ),
            ]
        ),
    )
    write_json(
        BAD / "control_chars.geojson",
        collection(
            [
                feature(point(lon, lat), nombre="Manzana \u202eBosa\u202c", nota="ok"),
                feature(point(lon + 0.01, lat), nombre="Usme\x07\x00", nota="línea 1\nlínea 2"),
                feature(point(lon + 0.02, lat), nombre="\u2066Suba\u2069", nota="sin cambios"),
            ]
        ),
    )

    # --- zip archives
    parts = shapefile_parts(places_frame())
    (BAD / "shp_missing_shx.zip").write_bytes(
        shapefile_zip("manzanas", {k: v for k, v in parts.items() if k != "shx"})
    )
    (BAD / "shp_missing_dbf.zip").write_bytes(
        shapefile_zip("manzanas", {k: v for k, v in parts.items() if k not in ("dbf", "shx")})
    )
    usme = places_frame().iloc[[2]]
    (BAD / "shp_two_layers.zip").write_bytes(
        zip_bytes(
            [(f"manzanas.{ext}", data) for ext, data in sorted(parts.items())]
            + [(f"usme.{ext}", data) for ext, data in sorted(shapefile_parts(usme).items())]
        )
    )
    (BAD / "shp_nested_folder.zip").write_bytes(
        zip_bytes(
            [(zipfile.ZipInfo("capas/", STAMP), b"")]
            + [(f"capas/bogota/manzanas.{ext}", data) for ext, data in sorted(parts.items())]
            + [("__MACOSX/capas/bogota/._manzanas.shp", b"\x00\x05\x16\x07junk")]
        )
    )
    (BAD / "zip_slip.zip").write_bytes(
        zip_bytes([("../../manzanas.shp", parts["shp"]), ("manzanas.dbf", parts["dbf"])])
    )
    (BAD / "zip_absolute.zip").write_bytes(
        # an absolute entry name on purpose: the reader must refuse it
        zip_bytes([("/tmp/manzanas.shp", parts["shp"]), ("manzanas.dbf", parts["dbf"])])  # noqa: S108
    )
    link = zipfile.ZipInfo("manzanas.dbf", STAMP)
    link.create_system = 3
    link.external_attr = (0o120777 << 16) & 0xFFFFFFFF
    (BAD / "zip_symlink.zip").write_bytes(
        zip_bytes(
            [
                ("manzanas.shp", parts["shp"]),
                ("manzanas.shx", parts["shx"]),
                (link, b"/etc/passwd"),
            ]
        )
    )
    (BAD / "zip_bomb.zip").write_bytes(
        zip_bytes(
            [
                ("manzanas.shp", parts["shp"]),
                ("manzanas.shx", parts["shx"]),
                ("manzanas.dbf", b"\x00" * (20 * 1024 * 1024)),
            ]
        )
    )
    encrypted = bytearray(shapefile_zip("manzanas", parts))
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := encrypted.find(signature, start)) != -1:
            encrypted[start + flag_offset] |= 0x01
            start += 4
    (BAD / "zip_encrypted.zip").write_bytes(bytes(encrypted))
    (BAD / "zip_nested.zip").write_bytes(
        zip_bytes([("manzanas.zip", shapefile_zip("manzanas", parts))])
    )
    (BAD / "zip_no_layer.zip").write_bytes(zip_bytes([("LEAME.txt", b"nada que ver")]))
    (BAD / "zip_geojson.zip").write_bytes(
        zip_bytes([("datos/manzanas.geojson", good_json.encode())])
    )
    latin_parts = shapefile_parts(places_frame(), encoding="cp1252")
    (BAD / "shp_latin1_nocpg.zip").write_bytes(shapefile_zip("manzanas", latin_parts))
    (BAD / "shp_cpg_1252.zip").write_bytes(
        shapefile_zip("manzanas", {**latin_parts, "cpg": b"1252"})
    )
    (BAD / "shp_cpg_wrong.zip").write_bytes(
        shapefile_zip("manzanas", {**latin_parts, "cpg": b"UTF-8"})
    )
    metric = places_frame().to_crs(3116)
    (BAD / "shp_noprj_metres.zip").write_bytes(
        shapefile_zip("manzanas", shapefile_parts(metric, crs=False))
    )
    (BAD / "shp_noprj_degrees.zip").write_bytes(
        shapefile_zip("manzanas", shapefile_parts(places_frame(), crs=False))
    )
    wrong_prj = {**parts, "prj": shapefile_parts(metric)["prj"]}
    (BAD / "shp_wrong_prj.zip").write_bytes(shapefile_zip("manzanas", wrong_prj))

    # --- GeoPackage
    (BAD / "two_layers.gpkg").write_bytes(
        gpkg_bytes({"manzanas": places_frame(), "usme": places_frame().iloc[[2]]})
    )
    (BAD / "no_spatial.gpkg").write_bytes(
        gpkg_bytes({"tabla": pd.DataFrame({"nombre": ["a", "b"]})})
    )
    (BAD / "truncated.gpkg").write_bytes(gpkg_bytes({"manzanas": places_frame()})[:3000])

    # --- KML
    (BAD / "two_folders.kml").write_text(kml(placemarks(), folders=True), encoding="utf-8")
    laughs = (
        '<?xml version="1.0"?>\n<!DOCTYPE kml [<!ENTITY a "jajaja">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>&c;</name>'
        "<Point><coordinates>-74.1,4.6</coordinates></Point></Placemark></Document></kml>\n"
    )
    (BAD / "entities.kml").write_text(laughs, encoding="utf-8")
    (BAD / "latin1.kml").write_bytes(kml(placemarks(), encoding="windows-1252").encode("cp1252"))

    # --- CSV
    (BAD / "ambiguous_coords.csv").write_text(
        "nombre,lat,lon,x,y\nBosa,4.6187,-74.19,992000.5,1003000.5\n", encoding="utf-8"
    )
    (BAD / "unnamed_coords.csv").write_text(
        "nombre;a;b\nBosa;-74,19;4,6187\nUsme;-74,126;4,474\n", encoding="utf-8"
    )
    (BAD / "no_coords.csv").write_text("nombre;localidad\nBosa;Bosa\nUsme;Usme\n", encoding="utf-8")
    (BAD / "bad_numbers.csv").write_text(
        "nombre;lat;lon;nota\n"
        "bien;4,6187;-74,19;a\n"
        "texto;cuatro;-74,19;b\n"
        "vacía;;;c\n"
        "campos de más;4,5;-74,1;d;sobra;más\n"
        "hemisferio;4,4740 N;74,1260 W;e\n",
        encoding="utf-8",
    )
    (BAD / "header_numbers.csv").write_text("4.6187,-74.19\n4.474,-74.126\n", encoding="utf-8")


if __name__ == "__main__":
    write_good()
    write_bad()
