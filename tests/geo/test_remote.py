"""geo.io.remote: ArcGIS REST and WFS layers arrive whole, once, in order, or fail clearly.

A ``ThreadingHTTPServer`` on 127.0.0.1 serves the canned answers in
``tests/data/remote/`` (see its README); the importers reach it through their real
urllib path. No test touches the internet: name resolution is refused for any host
but the loopback one.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import threading
import time
import urllib.error
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import pandas as pd
import pytest
from shapely.geometry import Point

from geo.errors import LayerError
from geo.io import remote
from geo.io.remote import import_arcgis, import_wfs
from geo.settings import Settings

DATA = Path(__file__).resolve().parents[1] / "data" / "remote"
ARC = "/arcgis/rest/services/mujeres/manzanascuidado/MapServer"
SLOW_S = 1.5  # the slow handler's delay, well past the 0.5 s timeout

Answer = tuple[int, str, bytes, dict[str, str]]


def _file(name: str) -> bytes:
    return (DATA / name).read_bytes()


def _json(doc: object) -> Answer:
    return 200, "application/json; charset=utf-8", json.dumps(doc).encode(), {}


def _canned(name: str, ctype: str = "application/json; charset=utf-8") -> Answer:
    return 200, ctype, _file(name), {}


def _endless_page(offset: int, size: int) -> dict:
    """A page of new features that always claims there are more."""
    features = [
        {
            "type": "Feature",
            "id": i,
            "geometry": {"type": "Point", "coordinates": [-74.1, 4.6]},
            "properties": {"OBJECTID": i, "NOMBRE": f"Sin fin {i}"},
        }
        for i in range(offset + 1, offset + size + 1)
    ]
    return {"type": "FeatureCollection", "exceededTransferLimit": True, "features": features}


def _esri_features(wanted: set[int]) -> dict:
    """The Esri JSON answer holding the fixture polygons with these object ids."""
    doc = json.loads(_file("arcgis_nopaging_features.json"))
    doc["features"] = [f for f in doc["features"] if f["attributes"]["OBJECTID"] in wanted]
    return doc


def _by_object_ids(params: dict[str, str]) -> Answer:
    return _json(_esri_features({int(i) for i in params["objectIds"].split(",")}))


def _arcgis_route(path: str, params: dict[str, str]) -> Answer | None:
    """Answers of the fake ArcGIS server, or None for an unknown path."""
    layer_meta = {
        ARC: "arcgis_root.json",
        f"{ARC}/0": "arcgis_layer_paged.json",
        f"{ARC}/1": "arcgis_layer_nopaging.json",
        f"{ARC}/2": "arcgis_layer_paged.json",
        f"{ARC}/5": "arcgis_layer_paged.json",
        f"{ARC}/6": "arcgis_layer_paged.json",
    }
    if path in layer_meta:
        return _canned(layer_meta[path])
    if path == f"{ARC}/7":
        return 500, "text/plain", b"Internal Server Error", {}
    if path == f"{ARC}/0/query":
        if params.get("where") == "1=0":
            return _json({"count": 0} if "returnCountOnly" in params else {"features": []})
        if params.get("returnCountOnly") == "true":
            return _json({"count": 5})
        pages = {"0": "arcgis_page_0.geojson", "2": "arcgis_page_1.geojson"}
        return _canned(pages.get(params.get("resultOffset", ""), "arcgis_page_2.geojson"))
    if path == f"{ARC}/1/query":
        if params.get("returnIdsOnly") == "true":
            return _canned("arcgis_ids.json")
        return _by_object_ids(params)
    if path == f"{ARC}/2/query":
        return _canned("arcgis_error.json")
    if path == f"{ARC}/5/query":  # says 4, then pages forever
        if params.get("returnCountOnly") == "true":
            return _json({"count": 4})
        return _json(_endless_page(int(params["resultOffset"]), int(params["resultRecordCount"])))
    if path == f"{ARC}/6/query":  # ignores resultOffset: the same page again and again
        if params.get("returnCountOnly") == "true":
            return _json({"count": 2})
        return _canned("arcgis_page_0.geojson")
    return None


def _wfs_route(path: str, params: dict[str, str]) -> Answer | None:
    """Answers of the fake WFS servers, or None for an unknown path."""
    xml = "application/xml; charset=utf-8"
    request = params.get("request")
    if path in ("/geoserver/wfs", "/broken/wfs") and request == "GetCapabilities":
        return _canned("wfs_capabilities_2_0_0.xml", xml)
    if path == "/geoserver/wfs" and request == "GetFeature":
        if params.get("typeNames") == "cuidado:localidades":
            return _json({"type": "FeatureCollection", "numberMatched": 0, "features": []})
        if params.get("typeNames") != "cuidado:servicios":
            return _canned("wfs_exception.xml", xml)
        pages = {"0": "wfs_page_0.json", "2": "wfs_page_1.json"}
        if params.get("startIndex") in pages:
            return _canned(pages[params["startIndex"]])
        return _json({"type": "FeatureCollection", "features": []})
    if path == "/broken/wfs":
        return _canned("wfs_exception.xml", xml)
    if path == "/mapserver/wfs" and request == "GetCapabilities":
        return _canned("wfs_capabilities_1_1_0.xml", xml)
    if path == "/mapserver/wfs" and request == "GetFeature":
        return _canned("wfs_1_1_0.gml", "text/xml; subtype=gml/3.1.1")
    return None


def _route(path: str, params: dict[str, str]) -> Answer:
    """Every answer of the fixture server."""
    if path.startswith("/slow/"):
        time.sleep(SLOW_S)
        return _canned("arcgis_layer_paged.json")
    if path.startswith("/html/"):
        page = "<!DOCTYPE html><html><body>Iniciar sesión</body></html>".encode()
        return 200, "text/html; charset=utf-8", page, {}
    if path.startswith("/redirect/"):
        return 302, "text/plain", b"", {"Location": "file:///etc/passwd"}
    if path.startswith("/loop/"):
        return 302, "text/plain", b"", {"Location": path}
    if path.startswith("/to/"):  # /to/<host:port>/<path>: a redirect there, same query
        target = f"http://{unquote(path.removeprefix('/to/'))}?{urlencode(params)}"
        return 302, "text/plain", b"", {"Location": target}
    answer = _arcgis_route(path, params) or _wfs_route(path, params)
    return answer or (404, "text/plain", b"Not Found", {})


class _Handler(BaseHTTPRequestHandler):
    server: FixtureServer

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""

    def do_GET(self) -> None:
        self._answer(dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True)))

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        params.update(parse_qsl(body, keep_blank_values=True))
        self._answer(params)

    def _answer(self, params: dict[str, str]) -> None:
        path = urlsplit(self.path).path
        self.server.log.append((self.command, path, params))
        self.server.hosts.append(self.headers.get("Host", ""))
        status, ctype, body, headers = _route(path, params)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


class FixtureServer(ThreadingHTTPServer):
    """The canned services on a loopback address, with a log of the requests received."""

    daemon_threads = True

    def __init__(self, address: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((address, port), _Handler)
        self.log: list[tuple[str, str, dict[str, str]]] = []
        self.hosts: list[str] = []  # the Host header of each request

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that gave up (timeout test) closed its socket: nothing to report."""

    def requests_to(self, path: str) -> list[dict[str, str]]:
        return [params for _, p, params in self.log if p == path]


@contextmanager
def serving(server: FixtureServer) -> Iterator[FixtureServer]:
    """Serve ``server`` on a daemon thread for the ``with`` block, then shut it down."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def running_server() -> Iterator[FixtureServer]:
    with serving(FixtureServer()) as server:
        yield server


@pytest.fixture
def server(running_server: FixtureServer, monkeypatch: pytest.MonkeyPatch) -> FixtureServer:
    for name in ("no_proxy", "NO_PROXY"):  # a proxy from the environment must not get these
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    # the canned services live on 127.0.0.1: allowed only by the administrator's setting
    # (CARE_ATLAS_ALLOW_PRIVATE_IMPORTS=1)
    monkeypatch.setattr(remote, "get_settings", lambda: Settings(allow_private_imports=True))
    running_server.log.clear()
    running_server.hosts.clear()
    return running_server


def _is_loopback_literal(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse to resolve any host but the loopback one."""
    real = socket.getaddrinfo

    def loopback_only(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host != "localhost" and not _is_loopback_literal(host):
            raise OSError(f"a test tried to reach {host!r}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)


@pytest.fixture(autouse=True)
def loopback_connections_only(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Refuse to open a connection to anything but a loopback address; list those opened."""
    real = socket.create_connection
    opened: list[str] = []

    def guarded(address, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not ipaddress.ip_address(address[0]).is_loopback:
            raise AssertionError(f"a test tried to connect to {address!r}")
        opened.append(address[0])
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    return opened


def _recording_opener(answers: dict[str, bytes] | None = None) -> tuple[list[str], Callable]:
    """An opener answering by URL path from ``answers``; records every URL asked for."""
    calls: list[str] = []

    def opener(url: str, *, data: bytes | None = None, timeout_s: float) -> bytes:
        calls.append(url if data is None else f"{url}?{data.decode()}")
        path = urlsplit(url).path
        if answers is None or path not in answers:
            raise AssertionError(f"unexpected request {url}")
        return answers[path]

    return calls, opener


# -- ArcGIS: paging --------------------------------------------------------------------------


@pytest.mark.parametrize("page_size", [None, 1000])
def test_arcgis_pages_arrive_once_in_order(server: FixtureServer, page_size: int | None) -> None:
    gdf = import_arcgis(f"{server.url}{ARC}/0", page_size=page_size, timeout_s=5)

    assert gdf["OBJECTID"].tolist() == [1, 2, 3, 4, 5]
    assert gdf["LOCALIDAD"].tolist() == [
        "Bosa",
        "Ciudad Bolívar",
        "Usaquén",
        "Engativá",
        "San Cristóbal",
    ]
    assert gdf.loc[4, "NOMBRE"] == "Manzana del Cuidado de San Cristóbal — Atención ñ"
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.iloc[0].equals(Point(-74.19, 4.62))
    assert (gdf["source"] == f"{server.url}{ARC}/0").all()
    assert (gdf["location_precision"] == "exact").all()
    # esriFieldTypeDate (epoch milliseconds) becomes a UTC datetime; null stays missing
    assert gdf.loc[0, "FECHA_APERTURA"] == pd.Timestamp("2020-11-01", tz="UTC")
    assert pd.isna(gdf.loc[2, "FECHA_APERTURA"])

    pages = [p for p in server.requests_to(f"{ARC}/0/query") if "resultOffset" in p]
    assert [p["resultOffset"] for p in pages] == ["0", "2", "4"]
    for p in pages:
        assert p["resultRecordCount"] == "2"  # never more than maxRecordCount
        assert (p["f"], p["outSR"], p["returnGeometry"], p["outFields"]) == (
            "geojson",
            "4326",
            "true",
            "*",
        )
        assert p["where"] == "1=1"
        assert p["orderByFields"] == "OBJECTID"
    assert gdf.attrs["remote"]["name"] == "Equipamiento ancla"


def test_arcgis_query_url_with_token_keeps_token_out_of_source(server: FixtureServer) -> None:
    url = f"{server.url}{ARC}/0/query?where=1%3D1&outFields=*&f=geojson&token=s3cret"

    gdf = import_arcgis(url, timeout_s=5)

    assert len(gdf) == 5
    assert set(gdf["source"]) == {f"{server.url}{ARC}/0"}
    assert all(params.get("token") == "s3cret" for _, _, params in server.log)
    assert server.requests_to(f"{ARC}/0")[0] == {"f": "json", "token": "s3cret"}


def test_arcgis_layer_without_pagination_is_read_by_object_ids(server: FixtureServer) -> None:
    gdf = import_arcgis(f"{server.url}{ARC}/1", timeout_s=5)

    assert gdf["OBJECTID"].tolist() == [10, 11, 12]
    assert gdf["LOCALIDAD"].tolist() == ["Kennedy", "Fontibón", "Los Mártires"]
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geom_type.tolist() == ["Polygon"] * 3
    assert len(gdf.geometry.iloc[0].interiors) == 1  # Esri's counter-clockwise ring: a hole
    assert gdf.geometry.is_valid.all()
    queries = server.requests_to(f"{ARC}/1/query")
    assert queries[0]["returnIdsOnly"] == "true"
    batches = [(p["objectIds"], p["f"]) for p in queries[1:]]
    assert batches == [("10,11", "json"), ("12", "json")]  # sorted, maxRecordCount a batch
    assert [m for m, p, _ in server.log if p == f"{ARC}/1/query"] == ["GET", "POST", "POST"]


def test_empty_result_says_so(server: FixtureServer) -> None:
    with pytest.raises(LayerError, match="no devolvió ninguna entidad para where=1=0"):
        import_arcgis(f"{server.url}{ARC}/0", where="1=0", timeout_s=5)
    with pytest.raises(LayerError, match="returned no features for typeNames=cuidado:localidades"):
        import_wfs(f"{server.url}/geoserver/wfs", type_name="localidades", timeout_s=5, lang="en")


def test_accented_folder_names_are_percent_encoded() -> None:
    calls: list[str] = []

    def failing(url: str, *, data: bytes | None = None, timeout_s: float) -> bytes:
        calls.append(url)
        raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)

    with pytest.raises(LayerError, match="HTTP 404"):
        import_arcgis("https://example.org/arcgis/rest/services/niñez/MapServer/0", opener=failing)
    assert calls[0].startswith("https://example.org/arcgis/rest/services/ni%C3%B1ez/MapServer/0?")


def test_mapserver_root_lists_its_layers(server: FixtureServer) -> None:
    with pytest.raises(LayerError, match="varias capas") as info:
        import_arcgis(f"{server.url}{ARC}", timeout_s=5)
    assert "0 Equipamiento ancla" in str(info.value)
    assert "3 Área de influencia" in str(info.value)
    with pytest.raises(LayerError, match=r"several layers.*1 Manzana"):
        import_arcgis(f"{server.url}{ARC}/", timeout_s=5, lang="en")


def test_arcgis_error_body_names_service_and_message(server: FixtureServer) -> None:
    with pytest.raises(LayerError) as info:
        import_arcgis(f"{server.url}{ARC}/2", where="LOCALIDAD = 'Suba'", timeout_s=5, lang="en")
    message = str(info.value)
    assert f"{server.url}{ARC}/2" in message
    assert "error 400 'Unable to complete operation. Unable to perform query operation.'" in message
    assert "LOCALIDAD = 'Suba'" in message


# -- ArcGIS: caps and loops ------------------------------------------------------------------


def test_cap_stops_before_any_feature_is_downloaded(server: FixtureServer) -> None:
    with pytest.raises(LayerError, match="tiene 5 entidades, más que el máximo admitido de 3"):
        import_arcgis(f"{server.url}{ARC}/0", max_features=3, timeout_s=5)
    assert not [p for p in server.requests_to(f"{ARC}/0/query") if "resultOffset" in p]


def test_server_that_always_exceeds_transfer_limit_stops_at_the_cap(server: FixtureServer) -> None:
    with pytest.raises(LayerError, match="more than 5 features"):
        import_arcgis(f"{server.url}{ARC}/5", max_features=5, timeout_s=5, lang="en")
    pages = [p for p in server.requests_to(f"{ARC}/5/query") if "resultOffset" in p]
    assert [p["resultOffset"] for p in pages] == ["0", "2", "4"]  # 2 + 2 + 2 > 5: stop


def test_repeated_page_stops_the_loop(
    server: FixtureServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="geo.io.remote"):
        gdf = import_arcgis(f"{server.url}{ARC}/6", timeout_s=5)
    assert gdf["OBJECTID"].tolist() == [1, 2]
    assert len([p for p in server.requests_to(f"{ARC}/6/query") if "resultOffset" in p]) == 2
    assert "page it had sent before" in caplog.text


# -- failures of the transport ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("es", "respondió con el error HTTP 500"), ("en", "answered with HTTP error 500")],
)
def test_http_500_gives_a_clear_message(server: FixtureServer, lang: str, expected: str) -> None:
    with pytest.raises(LayerError, match=expected) as info:
        import_arcgis(f"{server.url}{ARC}/7", timeout_s=5, lang=lang)
    assert f"{server.url}{ARC}/7" in str(info.value)


def test_slow_server_times_out(server: FixtureServer) -> None:
    started = time.monotonic()
    with pytest.raises(LayerError, match=r"did not answer within 0\.5 s"):
        import_arcgis(f"{server.url}/slow/MapServer/0", timeout_s=0.5, lang="en")
    assert time.monotonic() - started < SLOW_S - 0.2


def test_html_answer_is_not_json(server: FixtureServer) -> None:
    with pytest.raises(LayerError, match=r"no respondió con JSON.*<!DOCTYPE html>"):
        import_arcgis(f"{server.url}/html/MapServer/0", timeout_s=5)


def test_redirect_to_a_file_url_is_refused(server: FixtureServer) -> None:
    with pytest.raises(LayerError, match="redirects to 'file:///etc/passwd'"):
        import_arcgis(f"{server.url}/redirect/MapServer/0", timeout_s=5, lang="en")


def test_answer_larger_than_the_upload_cap_is_refused(
    server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        remote,
        "get_settings",
        lambda: Settings(max_upload_mb=0.0001, allow_private_imports=True),
    )
    with pytest.raises(LayerError, match=r"larger than 0\.0001 MB"):
        import_arcgis(f"{server.url}{ARC}/0", timeout_s=5, lang="en")


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.org/layer.json",
        "data:application/json,{}",
        "javascript:alert(1)",
        "sig.catastrobogota.gov.co/arcgis/rest/services/mujeres/manzanascuidado/MapServer/0",
        "http:///no-host",
        "https://example.org:port/",
    ],
)
def test_non_http_urls_are_rejected_before_any_request(url: str) -> None:
    calls, opener = _recording_opener()
    with pytest.raises(LayerError, match="no es una URL http"):
        import_arcgis(url, opener=opener)
    with pytest.raises(LayerError, match="not a valid http"):
        import_wfs(url, type_name="x", opener=opener, lang="en")
    assert calls == []


def test_credentials_in_the_url_are_refused() -> None:
    calls, opener = _recording_opener()
    with pytest.raises(LayerError, match="user name or password") as info:
        import_arcgis("https://ana:secreto@example.org/MapServer/0", opener=opener, lang="en")
    assert "secreto" not in str(info.value)
    assert calls == []


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (TimeoutError("timed out"), "did not answer within 2 s"),
        (urllib.error.URLError(TimeoutError()), "did not answer within 2 s"),
        (urllib.error.URLError(ConnectionRefusedError(111, "refused")), "Could not connect"),
        (urllib.error.HTTPError("u", 403, "Forbidden", {}, None), r"HTTP error 403 \(Forbidden\)"),
    ],
)
def test_opener_failures_become_layer_errors(failure: Exception, expected: str) -> None:
    def failing(url: str, *, data: bytes | None = None, timeout_s: float) -> bytes:
        raise failure

    with pytest.raises(LayerError, match=expected):
        import_arcgis("https://example.org/MapServer/0", opener=failing, timeout_s=2, lang="en")


def test_injected_opener_reads_the_official_service_shape() -> None:
    """The Bogotá URL from the facts file, answered by canned bytes: no network."""
    layer = (
        "https://sig.catastrobogota.gov.co/arcgis/rest/services/mujeres/manzanascuidado/MapServer/1"
    )
    answers = iter(
        [
            _file("arcgis_layer_nopaging.json"),
            json.dumps({"objectIds": [12, 11, 10]}).encode(),
            json.dumps(_esri_features({10, 11})).encode(),
            json.dumps(_esri_features({12})).encode(),
        ]
    )
    calls: list[tuple[str, bytes | None]] = []

    def canned(url: str, *, data: bytes | None = None, timeout_s: float) -> bytes:
        calls.append((url, data))
        return next(answers)

    gdf = import_arcgis(
        f"{layer}?token=abc", opener=canned, page_size=5, location_precision="address"
    )

    assert gdf["OBJECTID"].tolist() == [10, 11, 12]
    assert set(gdf["source"]) == {layer}
    assert set(gdf["location_precision"]) == {"address"}
    query = f"{layer}/query"
    assert [url.split("?")[0] for url, _ in calls] == [layer, query, query, query]
    assert all("token=abc" in url + (data or b"").decode() for url, data in calls)
    # page_size=5 is lowered to the layer's maxRecordCount (2); ids go in POST bodies
    assert [data for _, data in calls][2:] == [
        b"token=abc&where=1%3D1&outFields=%2A&returnGeometry=true&outSR=4326&f=json&objectIds=10%2C11",
        b"token=abc&where=1%3D1&outFields=%2A&returnGeometry=true&outSR=4326&f=json&objectIds=12",
    ]


def test_arguments_are_checked() -> None:
    calls, opener = _recording_opener()
    with pytest.raises(ValueError, match="lang"):
        import_arcgis("https://example.org/MapServer/0", opener=opener, lang="fr")
    with pytest.raises(ValueError, match="max_features"):
        import_arcgis("https://example.org/MapServer/0", opener=opener, max_features=0)
    with pytest.raises(ValueError, match="timeout_s"):
        import_wfs("https://example.org/wfs", type_name="a", opener=opener, timeout_s=0)
    with pytest.raises(ValueError, match="location_precision"):
        import_wfs("https://example.org/wfs", type_name="a", opener=opener, location_precision="x")
    assert calls == []


# -- WFS -------------------------------------------------------------------------------------


@pytest.mark.parametrize("type_name", ["cuidado:servicios", "servicios"])
def test_wfs_2_pages_with_start_index(server: FixtureServer, type_name: str) -> None:
    gdf = import_wfs(f"{server.url}/geoserver/wfs", type_name=type_name, page_size=2, timeout_s=5)

    assert gdf["nombre"].tolist() == [
        "Casa de Igualdad de Oportunidades de Teusaquillo",
        "Jardín infantil Niños de Colombia",
        "Centro día para persona mayor de Rafael Uribe Uribe",
    ]
    assert gdf.loc[2, "servicio"] == "Cuidado de personas mayores"
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.iloc[0].equals(Point(-74.066, 4.628))  # GeoJSON stays lon/lat
    assert set(gdf["source"]) == {f"{server.url}/geoserver/wfs"}
    assert (gdf["location_precision"] == "exact").all()
    features = [p for p in server.requests_to("/geoserver/wfs") if p["request"] == "GetFeature"]
    assert [(p["startIndex"], p["count"]) for p in features] == [("0", "2"), ("2", "2")]
    for p in features:
        assert p["version"] == "2.0.0"
        assert p["typeNames"] == "cuidado:servicios"
        assert p["outputFormat"] == "application/json"
        assert p["srsName"] == "EPSG:4326"


def test_wfs_cap_uses_number_matched(server: FixtureServer) -> None:
    with pytest.raises(LayerError, match="has 3 features, more than the 2 allowed"):
        import_wfs(
            f"{server.url}/geoserver/wfs",
            type_name="cuidado:servicios",
            page_size=2,
            max_features=2,
            timeout_s=5,
            lang="en",
        )
    features = [p for p in server.requests_to("/geoserver/wfs") if p["request"] == "GetFeature"]
    assert len(features) == 1


def test_wfs_unknown_type_lists_the_offered_ones(server: FixtureServer) -> None:
    with pytest.raises(LayerError, match="cuidado:servicios, cuidado:localidades"):
        import_wfs(f"{server.url}/geoserver/wfs", type_name="cuidado:otra", timeout_s=5)
    assert [p["request"] for p in server.requests_to("/geoserver/wfs")] == ["GetCapabilities"]


def test_wfs_exception_report_is_reported(server: FixtureServer) -> None:
    with pytest.raises(LayerError, match="InvalidParameterValue: Feature type cuidado:otra"):
        import_wfs(f"{server.url}/broken/wfs", type_name="cuidado:servicios", timeout_s=5)


def test_wfs_1_1_0_reads_gml_in_one_request_and_warns(
    server: FixtureServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="geo.io.remote"):
        gdf = import_wfs(f"{server.url}/mapserver/wfs", type_name="ms:cuidado", timeout_s=5)

    assert gdf["nombre"].tolist() == [
        "Manzana del Cuidado de Tunjuelito",
        "Usaquén — atención a cuidadoras",
    ]
    assert gdf["cupos"].tolist() == [12, 8]
    assert gdf.crs.to_epsg() == 4326
    # the GML says lat/lon (urn:ogc:def:crs:EPSG::4326); the frame is lon/lat
    assert gdf.geometry.iloc[0].equals(Point(-74.1, 4.6))
    assert "gml_id" not in gdf.columns
    assert "cannot page" in caplog.text
    (request,) = [p for p in server.requests_to("/mapserver/wfs") if p["request"] == "GetFeature"]
    assert request["version"] == "1.1.0"
    assert request["typeName"] == "ms:cuidado"
    assert request["maxFeatures"] == str(remote.get_settings().max_features + 1)
    assert "outputFormat" not in request  # GML only: the server's default


def test_wfs_url_that_is_not_a_wfs(server: FixtureServer) -> None:
    with pytest.raises(LayerError, match="did not return a WFS capabilities document"):
        import_wfs(f"{server.url}/html/wfs", type_name="a", timeout_s=5, lang="en")


def _gml_3_2_page(ids: list[int]) -> bytes:
    """A WFS 2.0.0 GML 3.2 answer with lat/lon points, three features matched in all."""
    members = "".join(
        f'<wfs:member><cuidado:servicios gml:id="servicios.{i}">'
        f"<cuidado:nombre>Jardín {i}</cuidado:nombre><cuidado:geom>"
        f'<gml:Point gml:id="p{i}" srsName="urn:ogc:def:crs:EPSG::4326">'
        f"<gml:pos>4.6{i} -74.1{i}</gml:pos></gml:Point></cuidado:geom>"
        "</cuidado:servicios></wfs:member>"
        for i in ids
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><wfs:FeatureCollection'
        ' xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"'
        ' xmlns:cuidado="https://example.org/cuidado"'
        f' numberMatched="3" numberReturned="{len(ids)}">{members}</wfs:FeatureCollection>'
    ).encode()


def test_wfs_2_pages_gml_when_json_is_not_offered() -> None:
    caps = _file("wfs_capabilities_2_0_0.xml").replace(
        b"<ows:Value>application/json</ows:Value>", b""
    )
    answers = iter([caps, _gml_3_2_page([1, 2]), _gml_3_2_page([3])])
    calls: list[str] = []

    def canned(url: str, *, data: bytes | None = None, timeout_s: float) -> bytes:
        calls.append(url)
        return next(answers)

    gdf = import_wfs(
        "https://example.org/geoserver/wfs?map=cuidado.map&SERVICE=WFS",
        type_name="cuidado:servicios",
        page_size=2,
        opener=canned,
    )

    assert gdf["nombre"].tolist() == ["Jardín 1", "Jardín 2", "Jardín 3"]
    assert gdf.geometry.iloc[0].equals(Point(-74.11, 4.61))
    assert set(gdf["source"]) == {"https://example.org/geoserver/wfs"}
    assert all("map=cuidado.map" in url and "SERVICE" not in url for url in calls)
    assert ["outputFormat" in url for url in calls] == [False, False, False]


# -- no request to internal hosts (server-side request forgery) ------------------------------
#
# Every server below listens on a loopback address. A name "looks public" because the
# test injects two things into the module: a resolver (socket.getaddrinfo) that maps
# the invented name to 127.0.0.2, and an address check that counts 127.0.0.2 (and
# only it) as public. 127.0.0.1 stays internal, as in production.

PUBLIC_LOOKING = "127.0.0.2"

# Hosts given names through the injected resolver: name -> addresses it resolves to
NAMES = {
    "metadata.example": ["169.254.169.254"],
    "intranet.example": ["10.0.0.5"],
    "mixed.example": ["190.27.10.4", "10.0.0.5"],  # one public, one internal answer
    "nat64.example": ["64:ff9b::a9fe:a9fe"],  # NAT64 of 169.254.169.254
    "mapped.example": ["::ffff:127.0.0.1"],
    "public.example": [PUBLIC_LOOKING],
    "tls.example": [PUBLIC_LOOKING],
}

# Targets refused with private imports off: host[:port] -> the refusal's reason
REFUSED = {
    "127.0.0.1:{port}": "internal network",
    "localhost:{port}": "internal network",
    "LOCALHOST:{port}": "internal network",
    "[::1]:{port}": "internal network",
    "0.0.0.0:{port}": "internal network",
    "[::]:{port}": "internal network",
    "10.0.0.1": "internal network",
    "172.16.5.4": "internal network",
    "192.168.1.1": "internal network",
    "169.254.169.254": "internal network",
    "100.64.0.1": "internal network",
    "224.0.0.1": "internal network",
    "240.0.0.1": "internal network",
    "255.255.255.255": "internal network",
    "[fe80::1]": "internal network",
    "[fc00::1]": "internal network",
    "[ff02::1]": "internal network",
    "[::ffff:127.0.0.1]:{port}": "internal network",
    "[::ffff:7f00:1]:{port}": "internal network",
    "[::ffff:169.254.169.254]": "internal network",
    "[64:ff9b::7f00:1]": "internal network",
    "[64:ff9b::a9fe:a9fe]": "internal network",
    "[64:ff9b::10.0.0.1]": "internal network",
    "[64:ff9b:1::a00:1]": "internal network",
    "[2002:7f00:1::]": "internal network",
    "[2002:a9fe:a9fe::]": "internal network",
    "metadata.example": "internal network",
    "intranet.example": "internal network",
    "mixed.example": "internal network",
    "nat64.example": "internal network",
    "mapped.example": "internal network",
    "0:{port}": "unusual form",
    "127.1:{port}": "unusual form",
    "10.1": "unusual form",
    "0x7f000001:{port}": "unusual form",
    "0x7f.0.0.1:{port}": "unusual form",
    "2130706433:{port}": "unusual form",
    "017700000001:{port}": "unusual form",
    "0177.0.0.1:{port}": "unusual form",
    "127.000.000.001:{port}": "unusual form",
    "127.0.0.1.:{port}": "unusual form",
    "localhost.:{port}": "ends in a dot",
    "public.example.": "ends in a dot",
    "no-such-host.invalid": "No address was found",
}


@pytest.fixture
def names(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Resolve the invented names of NAMES (others as before); list the names asked for."""
    previous = socket.getaddrinfo
    asked: list[str] = []

    def resolver(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(host)
        if host in NAMES:
            family = {4: socket.AF_INET, 6: socket.AF_INET6}
            return [
                (family[ipaddress.ip_address(a).version], socket.SOCK_STREAM, 6, "", (a, port))
                for a in NAMES[host]
            ]
        if host.endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return previous(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    return asked


@pytest.fixture
def public_looking(monkeypatch: pytest.MonkeyPatch, names: list[str]) -> list[str]:
    """Count 127.0.0.2 as a public address (every other address as in production)."""
    monkeypatch.setattr(remote, "get_settings", lambda: Settings(allow_private_imports=False))
    real = remote.is_internal
    public = ipaddress.ip_address(PUBLIC_LOOKING)
    monkeypatch.setattr(remote, "is_internal", lambda a: a != public and real(a))
    return names


@pytest.fixture
def public_server(running_server: FixtureServer) -> Iterator[FixtureServer]:
    """The canned services again, on 127.0.0.2 (reached as public.example)."""
    with serving(FixtureServer(PUBLIC_LOOKING)) as server:
        yield server


@pytest.mark.parametrize("target", list(REFUSED))
def test_internal_and_odd_targets_are_refused_before_any_connection(
    running_server: FixtureServer,
    public_looking: list[str],
    loopback_connections_only: list[str],
    target: str,
) -> None:
    running_server.log.clear()
    port = running_server.server_address[1]
    url = f"http://{target.format(port=port)}{ARC}/0"
    with pytest.raises(LayerError, match=REFUSED[target]):
        import_arcgis(url, timeout_s=5, lang="en")
    with pytest.raises(LayerError, match=REFUSED[target]):
        remote.check_public_host(url, lang="en")
    assert loopback_connections_only == []  # refused before connecting anywhere
    assert running_server.log == []


def test_refusals_are_worded_in_spanish_too(public_looking: list[str]) -> None:
    for url, words in [
        ("http://10.0.0.1/MapServer/0", "red interna"),
        ("http://127.1/MapServer/0", "forma inusual"),
        ("http://public.example./MapServer/0", "termina en punto"),
        ("http://no-such-host.invalid/MapServer/0", "No se encontró ninguna dirección"),
    ]:
        with pytest.raises(LayerError, match=words):
            import_arcgis(url, timeout_s=5)


def test_public_looking_name_is_fetched_at_its_checked_address(
    public_server: FixtureServer,
    public_looking: list[str],
    loopback_connections_only: list[str],
) -> None:
    port = public_server.server_address[1]
    gdf = import_arcgis(f"http://public.example:{port}{ARC}/0", timeout_s=5)
    assert len(gdf) == 5
    requests = len(public_server.log)
    asked = [host for host in public_looking if not _is_loopback_literal(host)]
    assert asked == ["public.example"] * requests  # resolved once per request
    assert loopback_connections_only == [PUBLIC_LOOKING] * requests  # connected there
    assert set(public_server.hosts) == {f"public.example:{port}"}  # Host keeps the name


@pytest.mark.parametrize(
    "hop",
    [
        "127.0.0.1:{port}",
        "localhost:{port}",
        "[::1]:{port}",
        "[::ffff:127.0.0.1]:{port}",
        "127.1:{port}",
        "2130706433:{port}",
        "localhost.:{port}",
        "mapped.example:{port}",
        "metadata.example",
        "nat64.example",
    ],
)
def test_redirect_to_an_internal_host_is_refused(
    running_server: FixtureServer,
    public_server: FixtureServer,
    public_looking: list[str],
    loopback_connections_only: list[str],
    hop: str,
) -> None:
    """A public-looking service answers 302 to the internal one: the hop is refused."""
    running_server.log.clear()
    internal = hop.format(port=running_server.server_address[1])
    public = f"public.example:{public_server.server_address[1]}"
    url = f"http://{public}/to/{internal}{ARC}/0"
    with pytest.raises(LayerError, match=r"internal network|unusual form|ends in a dot"):
        import_arcgis(url, timeout_s=5, lang="en")
    assert [unquote(path) for _, path, _ in public_server.log] == [f"/to/{internal}{ARC}/0"]
    assert running_server.log == []  # the internal service was never asked
    assert loopback_connections_only == [PUBLIC_LOOKING]


def test_redirect_to_a_public_host_is_followed(
    public_server: FixtureServer, public_looking: list[str]
) -> None:
    public = f"public.example:{public_server.server_address[1]}"
    gdf = import_arcgis(f"http://{public}/to/{public}{ARC}/0", timeout_s=5)
    assert len(gdf) == 5


def test_redirect_loop_stops_after_five_hops(
    public_server: FixtureServer, public_looking: list[str]
) -> None:
    url = f"http://public.example:{public_server.server_address[1]}/loop/MapServer/0"
    with pytest.raises(LayerError, match="redirected more than 5 times"):
        import_arcgis(url, timeout_s=5, lang="en")
    assert len(public_server.log) == 6  # the request and five redirects


def test_dns_rebinding_between_check_and_request_reaches_nothing_internal(
    running_server: FixtureServer,
    public_server: FixtureServer,
    public_looking: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The name answers public first (the page's check), internal after: refused."""
    running_server.log.clear()
    answers = iter([PUBLIC_LOOKING])
    monkeypatch.setitem(NAMES, "rebind.example", None)
    resolver = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host == "rebind.example":
            NAMES[host] = [next(answers, "127.0.0.1")]
        return resolver(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    port = running_server.server_address[1]
    url = f"http://rebind.example:{port}{ARC}/0"
    remote.check_public_host(url, lang="en")  # first answer: public-looking
    with pytest.raises(LayerError, match=r"internal network.*\(127\.0\.0\.1\)"):
        import_arcgis(url, timeout_s=5, lang="en")
    assert running_server.log == []


def test_connection_goes_to_the_address_resolved_once(
    public_looking: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two servers on the same port, 127.0.0.2 and 127.0.0.1: the checked one answers."""
    servers = []
    for _ in range(20):  # find a port free on both addresses
        first = FixtureServer(PUBLIC_LOOKING)
        try:
            second = FixtureServer("127.0.0.1", first.server_address[1])
        except OSError:
            first.server_close()
            continue
        servers = [first, second]
        break
    if not servers:
        pytest.skip("no port free on both 127.0.0.2 and 127.0.0.1")
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    try:
        answers = iter([[PUBLIC_LOOKING]])
        monkeypatch.setitem(NAMES, "rebind.example", None)
        resolver = socket.getaddrinfo

        def rebinding(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
            if host == "rebind.example":
                NAMES[host] = next(answers, ["127.0.0.1"])
            return resolver(host, port, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", rebinding)
        opener = remote.HttpOpener()
        url = f"http://rebind.example:{servers[0].server_address[1]}{ARC}/0?f=json"
        body = opener(url, timeout_s=5)
        assert json.loads(body)["name"]
        assert [len(s.log) for s in servers] == [1, 0]
        assert public_looking.count("rebind.example") == 1
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def test_https_connects_to_the_pinned_address_with_the_name_as_sni(
    public_looking: list[str], loopback_connections_only: list[str]
) -> None:
    """A bare TCP listener on 127.0.0.2 reads the TLS ClientHello: it names tls.example."""
    listener = socket.socket()
    listener.bind((PUBLIC_LOOKING, 0))
    listener.listen(1)
    listener.settimeout(5)
    hello: list[bytes] = []

    def accept() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.settimeout(5)
            hello.append(connection.recv(4096))

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    try:
        with pytest.raises(LayerError, match=r"Could not connect|did not answer"):
            import_arcgis(f"https://tls.example:{port}/MapServer/0", timeout_s=2, lang="en")
        thread.join(timeout=5)
    finally:
        listener.close()
    assert loopback_connections_only == [PUBLIC_LOOKING]
    assert hello and hello[0][:1] == b"\x16"  # a TLS handshake record
    assert b"tls.example" in hello[0]  # server name indication: the name, not the address


def test_is_internal_knows_embedded_ipv4_addresses() -> None:
    internal = ["64:ff9b::7f00:1", "::ffff:10.0.0.1", "2002:c0a8:101::", "64:ff9b:1::1"]
    public = ["190.27.10.4", "64:ff9b::be1b:a04", "::ffff:190.27.10.4", "2800:3f0:4005::200e"]
    assert all(remote.is_internal(ipaddress.ip_address(a)) for a in internal)
    assert not any(remote.is_internal(ipaddress.ip_address(a)) for a in public)


def test_check_public_host_accepts_public_names_and_refuses_other_schemes(
    names: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(NAMES, "sig.catastrobogota.gov.co", ["190.27.10.4"])
    remote.check_public_host("https://sig.catastrobogota.gov.co/arcgis/rest/services")
    with pytest.raises(LayerError, match="no es una URL http"):
        remote.check_public_host("file:///etc/passwd")


def test_redirect_to_a_bad_port_or_an_unencodable_name_is_a_clear_error(
    public_server: FixtureServer, public_looking: list[str]
) -> None:
    public = f"public.example:{public_server.server_address[1]}"
    for hop, words in [("127.0.0.1:99999", "redirects to"), ("ex\u00e1mple..x", "No address")]:
        with pytest.raises(LayerError, match=words):
            import_arcgis(f"http://{public}/to/{hop}/MapServer/0", timeout_s=5, lang="en")
