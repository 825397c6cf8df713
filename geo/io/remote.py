"""Import a layer from an official web service: ArcGIS REST or OGC WFS.

One job, one module (about 1,400 lines): a layer from a web service. The address
checks, the pinned connections and the redirect handling sit with the two protocols'
paging on purpose, so no request of this module can go around them.

:func:`import_arcgis` reads one layer of an ArcGIS ``MapServer`` / ``FeatureServer``
(such as Bogotá's care-block service) and :func:`import_wfs` one feature type of a
WFS 2.0.0 or 1.1.0 service. Both page through the service, stop at the feature cap
(:attr:`geo.settings.Settings.max_features`) and return a GeoDataFrame in EPSG:4326
with the service's properties as columns, plus ``source`` (the service URL without
its query string) and ``location_precision``.

Only ``http`` and ``https`` addresses are fetched, with the standard library
(:class:`HttpOpener`): no ``file:``, ``ftp:`` or ``data:`` URL, and no redirect to
one. Unless ``CARE_ATLAS_ALLOW_PRIVATE_IMPORTS=1``, only public addresses are
fetched: each request and each redirect hop resolves its host once, refuses it when
any address is internal (:func:`is_internal`), when the name has no address or is an
odd numeric form, and connects to the address it checked (:func:`pin_host`). Every failure a person can meet (timeout, HTTP error, an answer that is not
JSON, an ArcGIS ``{"error": ...}`` body, an empty layer, too many features) raises
:class:`~geo.errors.LayerError` with one sentence, in Spanish or English, that
names the service and says what to do.

Tests and callers with special needs pass ``opener``: any callable
``opener(url, *, data, timeout_s) -> bytes`` that raises :mod:`urllib.error`
exceptions (or :class:`TimeoutError`) like :class:`HttpOpener` does.
"""

from __future__ import annotations

import dataclasses
import hashlib
import http.client
import ipaddress
import json
import logging
import math
import re
import socket
import urllib.error
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any, Protocol

import geopandas as gpd
import pandas as pd
import pyogrio
import pyproj
import shapely
from shapely.geometry import LinearRing, LineString, MultiLineString, MultiPoint, Point, Polygon
from shapely.geometry import shape as geojson_shape
from shapely.geometry.base import BaseGeometry

from geo import catalog, vocab
from geo.errors import LayerError
from geo.settings import get_settings
from geo.vocab import LANGUAGES

log = logging.getLogger(__name__)

__all__ = ["HttpOpener", "Opener", "import_arcgis", "import_wfs"]

ALLOWED_SCHEMES = ("http", "https")
USER_AGENT = "care-atlas/0.1 (remote layer import; Python urllib)"
WGS84 = "EPSG:4326"
ARCGIS_DEFAULT_MAX_RECORDS = 1000  # what ArcGIS Server uses when a layer does not say
ARCGIS_TOKEN_CODES = (498, 499)  # invalid token / token required
# Query parameters this module sets itself; the same keys in a caller's URL are dropped
# (other keys, such as ``token`` or MapServer's ``map``, are kept and sent along).
_ARCGIS_KEYS = {
    "f",
    "where",
    "outfields",
    "outsr",
    "returngeometry",
    "resultoffset",
    "resultrecordcount",
    "returnidsonly",
    "returncountonly",
    "objectids",
    "orderbyfields",
}
_WFS_KEYS = {
    "service",
    "request",
    "version",
    "acceptversions",
    "typename",
    "typenames",
    "outputformat",
    "startindex",
    "count",
    "maxfeatures",
    "srsname",
    "resulttype",
}
_GML_OPEN_OPTIONS = {
    "DOWNLOAD_SCHEMA": "NO",  # never let GDAL fetch an XSD behind our back
    "EXPOSE_GML_ID": "YES",  # feature ids, to spot a repeated page
}
_TEXT_LIMIT = 160  # longest server text quoted in a message
_GEOMETRY_ERRORS = (
    ValueError,
    TypeError,
    KeyError,
    AttributeError,
    IndexError,
    shapely.errors.ShapelyError,
)

# The messages are in the catalogs (locale/*/LC_MESSAGES/care_atlas.po) as remote_<key>.


class Opener(Protocol):
    """Fetch one URL and return the body; raise :mod:`urllib.error` errors on failure."""

    def __call__(self, url: str, *, data: bytes | None = None, timeout_s: float) -> bytes:
        """Return the body of a GET (``data is None``) or form POST to ``url``."""
        ...


class _TooLargeError(Exception):
    """An answer was larger than the byte cap."""


class _RefusedRedirectError(Exception):
    """A redirect pointed at a scheme other than http(s)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class _TooManyRedirectsError(Exception):
    """More redirects than :attr:`HttpOpener.max_redirects` in a row."""

    def __init__(self, url: str, count: int) -> None:
        super().__init__(url)
        self.url = url
        self.count = count


class _RefusedHostError(Exception):
    """A host that is not fetched: internal address, odd numeric form, or no address."""

    def __init__(self, host: str, reason: str, address: str = "") -> None:
        super().__init__(f"{host}: {reason} {address}".strip())
        self.host = host
        self.reason = reason  # "internal", "numeric", "trailing_dot" or "unresolved"
        self.address = address


# An IPv4 address written in one of the forms inet_aton() also reads: fewer than four
# parts ("127.1", "0"), octal ("0177.0.0.1") or hex ("0x7f.0.0.1") parts, one integer
# ("2130706433", "0x7f000001"). Only the canonical dotted quad is accepted.
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}\.?$", re.IGNORECASE)
_NAT64 = (
    ipaddress.ip_network("64:ff9b::/96"),  # RFC 6052 well-known prefix: IPv4 in the last 32 bits
    ipaddress.ip_network("64:ff9b:1::/48"),  # RFC 8215 local-use NAT64 prefix
)
_REDIRECT_CODES = (301, 302, 303, 307, 308)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, NAT64, 6to4), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64[0]:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    return None


def is_internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Tell whether an address must not be fetched from: not a public unicast address.

    Loopback, private, link-local, shared (100.64/10), reserved, multicast and
    unspecified addresses are internal, and so is an IPv6 address whose embedded IPv4
    address (IPv4-mapped ``::ffff:a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4
    ``2002::/16``) is; the local-use NAT64 prefix ``64:ff9b:1::/48`` always is.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:  # "fe80::1%eth0": an interface-bound address
            return True
        if address in _NAT64[1]:
            return True
        inner = _embedded_ipv4(address)
        if inner is not None:
            return is_internal(inner)
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host names literally (canonical forms only); None for a name.

    Raises
    ------
    _RefusedHostError
        For a trailing-dot name or an IPv4 address in a non-canonical numeric form.
    """
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_HOST.match(host):
        raise _RefusedHostError(host, "numeric")
    if host.endswith("."):
        raise _RefusedHostError(host, "trailing_dot")
    return None


def pin_host(host: str, port: int, *, allow_private: bool = False) -> str:
    """Resolve ``host`` once and return the address to connect to, after checking it.

    Every address the name resolves to is checked (:func:`is_internal`), so a name
    that answers with one public and one internal address is refused; the first is
    returned, and the caller connects to it and nowhere else, so a second DNS answer
    (rebinding) cannot send the request elsewhere.

    Parameters
    ----------
    host
        Host name or literal address (without brackets), as in a URL.
    port
        Port of the URL (passed to the resolver).
    allow_private
        Accept internal addresses (``CARE_ATLAS_ALLOW_PRIVATE_IMPORTS=1``); names are
        still resolved once and pinned, odd numeric forms still refused.

    Raises
    ------
    _RefusedHostError
        When the name does not resolve, is written in an odd form, or resolves to an
        internal address while ``allow_private`` is off.
    """
    literal = _literal_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise _RefusedHostError(host, "unresolved") from exc
        addresses = []
        for info in infos:
            try:
                addresses.append(ipaddress.ip_address(str(info[4][0])))
            except ValueError:
                continue
        if not addresses:
            raise _RefusedHostError(host, "unresolved")
    if not allow_private:
        for address in addresses:
            if is_internal(address):
                raise _RefusedHostError(host, "internal", str(address))
    return str(addresses[0])


class _Pinned:
    """Connect to a checked address instead of resolving the host name again."""

    _pinned: str

    def _connect_pinned(
        self, where: tuple[str, int], timeout: Any = None, source_address: Any = None
    ) -> socket.socket:
        return socket.create_connection((self._pinned, where[1]), timeout, source_address)


class _PinnedHTTPConnection(_Pinned, http.client.HTTPConnection):
    """An HTTP connection to a checked address; the ``Host`` header keeps the name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._pinned = address
        self._create_connection = self._connect_pinned


class _PinnedHTTPSConnection(_Pinned, http.client.HTTPSConnection):
    """HTTPS connection to a checked address.

    SNI, certificate check and ``Host`` use the name.
    """

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._pinned = address
        self._create_connection = self._connect_pinned


@dataclass(frozen=True, kw_only=True)
class HttpOpener:
    """The standard-library opener: http(s) only, checked and pinned hosts, a byte cap.

    Each request (and each redirect, followed by hand) resolves its host once with
    :func:`socket.getaddrinfo`, refuses it unless every address is public
    (:func:`pin_host`) and connects to that checked address, while the ``Host``
    header, TLS SNI and the certificate check use the name. Redirects go to http(s)
    only, at most :attr:`max_redirects` in a row. No proxy is used: a proxy would
    resolve the name again, out of reach of the check.

    Attributes
    ----------
    max_bytes
        Largest answer read, in bytes; ``None`` for no limit.
    user_agent
        ``User-Agent`` header sent with every request.
    allow_private
        Fetch from internal addresses too (``CARE_ATLAS_ALLOW_PRIVATE_IMPORTS=1``).
    max_redirects
        Most redirects followed for one request.
    """

    max_bytes: int | None = None
    user_agent: str = USER_AGENT
    allow_private: bool = False
    max_redirects: int = 5

    def __call__(self, url: str, *, data: bytes | None = None, timeout_s: float) -> bytes:
        """Fetch ``url`` (a form POST when ``data`` is given) and return the body."""
        if urllib.parse.urlsplit(url).scheme.lower() not in ALLOWED_SCHEMES:
            raise ValueError(f"only http(s) URLs are fetched, not {url[:80]!r}")
        current, body = url, data
        for _ in range(self.max_redirects + 1):
            status, location, answer = self._once(current, body, timeout_s)
            if location is None:
                return answer
            target = urllib.parse.urljoin(current, location)
            if urllib.parse.urlsplit(target).scheme.lower() not in ALLOWED_SCHEMES:
                raise _RefusedRedirectError(target)
            if status in (301, 302, 303):  # as browsers and urllib: the POST becomes a GET
                body = None
            current = target
        raise _TooManyRedirectsError(current, self.max_redirects)

    def _once(
        self, url: str, data: bytes | None, timeout_s: float
    ) -> tuple[int, str | None, bytes]:
        """One request: ``(status, redirect location or None, body)``."""
        try:
            parts = urllib.parse.urlsplit(url)
            host, port = parts.hostname, parts.port
        except ValueError as exc:  # a bad port or bracket in a redirect's Location
            raise _RefusedRedirectError(url) from exc
        if not host:
            raise _RefusedRedirectError(url)
        try:  # an accented name travels as IDNA (punycode), like browsers send it
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise _RefusedHostError(host, "unresolved") from exc
        scheme = parts.scheme.lower()
        port = port or (443 if scheme == "https" else 80)
        address = pin_host(host, port, allow_private=self.allow_private)
        connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(host, port, address=address, timeout=timeout_s)
        headers = {
            "User-Agent": self.user_agent,
            "Accept": "application/json, application/geo+json, application/xml;q=0.9, */*;q=0.5",
            "Connection": "close",
        }
        if data is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        try:
            connection.request("POST" if data is not None else "GET", target, data, headers)
            response = connection.getresponse()
            location = response.getheader("Location")
            if response.status in _REDIRECT_CODES and location:
                return response.status, location, b""
            if not 200 <= response.status < 300:
                raise urllib.error.HTTPError(
                    url, response.status, response.reason, response.headers, BytesIO()
                )
            if self.max_bytes is None:
                return response.status, None, response.read()
            body = response.read(self.max_bytes + 1)
        finally:
            connection.close()
        if len(body) > self.max_bytes:
            raise _TooLargeError(url)
        return response.status, None, body


@dataclass(frozen=True)
class _Feature:
    """One feature as read from a page: an id (to spot repeats), properties, geometry."""

    fid: str
    properties: dict[str, Any]
    geometry: BaseGeometry | None


@dataclass(frozen=True, kw_only=True)
class _Client:
    """Fetch from one service, turning every failure into a one-sentence LayerError."""

    service: str  # the URL without query string, credentials or fragment
    extra: tuple[tuple[str, str], ...]  # the caller's own query parameters (token, map...)
    opener: Opener
    timeout_s: float
    max_bytes: int
    lang: str
    cap: int
    precision: str  # the location_precision the output rows carry
    requests: list[str] = field(default_factory=list)

    def error(self, key: str, **values: Any) -> LayerError:
        """Build the LayerError ``key`` in the client's language."""
        return _error(key, self.lang, service=self.service, **values)

    def fetch(self, url: str, params: Mapping[str, str], *, post: bool = False) -> bytes:
        """GET (or POST, for long parameter lists) ``url`` with ``params``; return the body."""
        query = urllib.parse.urlencode([*self.extra, *params.items()])
        target, data = (url, query.encode("ascii")) if post else (f"{url}?{query}", None)
        self.requests.append(target)
        log.debug("%s %s", "POST" if post else "GET", target)
        try:
            body = self.opener(target, data=data, timeout_s=self.timeout_s)
        except _RefusedRedirectError as exc:
            raise self.error("redirect", url=_short(exc.url)) from exc
        except _TooManyRedirectsError as exc:
            raise self.error("too_many_redirects", count=exc.count, url=_short(exc.url)) from exc
        except _RefusedHostError as exc:
            log.warning("refused to fetch %s: %s %s", exc.host, exc.reason, exc.address)
            raise _host_error(exc, self.lang) from exc
        except _TooLargeError as exc:
            raise self.error("too_large", max_mb=self.max_bytes / 1e6) from exc
        except urllib.error.HTTPError as exc:
            exc.close()
            if 300 <= exc.code < 400:  # urllib refuses some redirects itself (file: ...)
                raise self.error("redirect", url=_short(str(exc.url))) from exc
            raise self.error("http", code=exc.code, reason=_short(str(exc.reason))) from exc
        except TimeoutError as exc:
            raise self.error("timeout", timeout_s=self.timeout_s) from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise self.error("timeout", timeout_s=self.timeout_s) from exc
            raise self.error("unreachable", reason=_short(str(exc.reason))) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise self.error("unreachable", reason=_short(str(exc) or type(exc).__name__)) from exc
        if len(body) > self.max_bytes:
            raise self.error("too_large", max_mb=self.max_bytes / 1e6)
        return body

    def fetch_json(self, url: str, params: Mapping[str, str], *, post: bool = False) -> Any:
        """Fetch and parse a JSON answer."""
        return self.parse_json(self.fetch(url, params, post=post))

    def parse_json(self, body: bytes) -> Any:
        """Parse a JSON body (UTF-8, or Windows-1252 from a misconfigured server)."""
        try:
            return json.loads(body)
        except UnicodeDecodeError:
            log.warning(
                "%s answered with JSON that is not UTF-8; reading it as cp1252", self.service
            )
            try:
                return json.loads(body.decode("cp1252", errors="replace"))
            except json.JSONDecodeError as exc:
                raise self.error("not_json", start=_start(body)) from exc
        except json.JSONDecodeError as exc:
            raise self.error("not_json", start=_start(body)) from exc


# -- public API ----------------------------------------------------------------------------


def import_arcgis(
    layer_url: str,
    *,
    where: str = "1=1",
    page_size: int | None = None,
    max_features: int | None = None,
    timeout_s: float = 30.0,
    opener: Opener | None = None,
    lang: str = "es",
    location_precision: str = "exact",
) -> gpd.GeoDataFrame:
    """Import one layer of an ArcGIS REST ``MapServer`` or ``FeatureServer``.

    The layer's metadata (``?f=json``) gives its page size (``maxRecordCount``),
    whether it pages (``supportsPagination``) and its output formats. A paging layer
    is read with ``resultOffset`` / ``resultRecordCount`` until the server stops
    saying ``exceededTransferLimit`` (or, when it does not say, until a page comes
    back short); an older layer is read by asking for its object ids
    (``returnIdsOnly``) and then fetching them in batches (``objectIds``). GeoJSON is
    requested when the layer offers it, Esri JSON otherwise.

    Parameters
    ----------
    layer_url
        The layer's URL, ending in the layer number, e.g.
        ``https://sig.catastrobogota.gov.co/arcgis/rest/services/mujeres/manzanascuidado/MapServer/0``.
        A trailing ``/query`` and query parameters this function sets are ignored;
        other query parameters (``token``) are sent with every request but kept out
        of the ``source`` column.
    where
        SQL filter passed to the service.
    page_size
        Features per request; at most the layer's ``maxRecordCount`` (the default).
    max_features
        Most features imported (:attr:`Settings.max_features` by default); a layer
        with more raises :class:`~geo.errors.LayerError` without reading the rest.
    timeout_s
        Seconds to wait for each answer.
    opener
        Fetch function (see :class:`Opener`); :class:`HttpOpener` by default.
    lang
        Language of error messages: ``"es"`` or ``"en"``.
    location_precision
        Value of the ``location_precision`` column (:data:`geo.vocab.PRECISIONS`).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per feature in the service's order, EPSG:4326, the layer's
        attributes as columns (date fields as UTC datetimes), plus ``source`` and
        ``location_precision``. ``attrs["remote"]`` describes what was read.

    Raises
    ------
    LayerError
        On a non-http(s) URL, a service root without a layer number (the message
        lists the layers), a timeout, an HTTP error, an answer that is not JSON, an
        ArcGIS error body, an empty result or more features than ``max_features``.
    """
    client, base = _client(
        layer_url,
        managed=_ARCGIS_KEYS,
        strip_suffix="/query",  # a query URL copied from a browser names its layer too
        options=_Options(lang, location_precision, max_features, page_size, timeout_s, opener),
    )
    meta = client.fetch_json(base, {"f": "json"})
    _check_arcgis(client, meta, where=where)
    _check_is_feature_layer(client, meta)

    max_records = _positive_int(meta.get("maxRecordCount")) or ARCGIS_DEFAULT_MAX_RECORDS
    size = min(page_size or max_records, max_records)
    advanced = meta.get("advancedQueryCapabilities") or {}
    paging = bool(meta.get("supportsPagination") or advanced.get("supportsPagination"))
    formats = {
        f.strip().lower() for f in str(meta.get("supportedQueryFormats", "geojson")).split(",")
    }
    fmt = "geojson" if "geojson" in formats else "json"
    oid_field = _arcgis_oid_field(meta)
    common = {"where": where, "outFields": "*", "returnGeometry": "true", "outSR": "4326", "f": fmt}
    query = _ArcgisQuery(client, f"{base}/query", common, size=size, oid_field=oid_field)
    if paging:
        # a stable order keeps pages from overlapping, where the layer can sort
        order_by = oid_field if advanced.get("supportsOrderBy") else None
        features = _arcgis_paged(query, order_by=order_by)
    else:
        features = _arcgis_by_ids(query)
    if not features:
        raise client.error("empty", query=f"where={_short(where)}")
    date_fields = [
        f["name"]
        for f in meta.get("fields") or []
        if isinstance(f, dict) and f.get("type") == "esriFieldTypeDate"
    ]
    return _frame(
        client,
        features,
        date_fields=date_fields,
        read={
            "protocol": "arcgis",
            "name": str(meta.get("name", "")),
            "paging": "offset" if paging else "objectIds",
            "format": fmt,
        },
    )


def import_wfs(
    service_url: str,
    *,
    type_name: str,
    page_size: int = 1000,
    max_features: int | None = None,
    timeout_s: float = 30.0,
    opener: Opener | None = None,
    lang: str = "es",
    location_precision: str = "exact",
) -> gpd.GeoDataFrame:
    """Import one feature type of an OGC WFS 2.0.0 (or 1.1.0) service.

    ``GetCapabilities`` tells the version, the feature types, the output formats
    and whether the server pages. Features are requested in EPSG:4326 as GeoJSON
    (``outputFormat=application/json`` or whichever JSON format is offered) or, when
    no JSON is offered, as GML read with pyogrio (GDAL puts lat/lon axes back in
    lon/lat order). WFS 2.0.0 pages with ``startIndex`` / ``count``; WFS 1.1.0 has
    only ``maxFeatures``, so the layer comes in one request and a warning is logged.

    Parameters
    ----------
    service_url
        The WFS endpoint, e.g. ``https://example.org/geoserver/wfs``; its own query
        parameters (``map=...``) are kept, WFS parameters this function sets are
        dropped.
    type_name
        Feature type, with or without its namespace prefix (``cuidado:manzanas`` or
        ``manzanas`` when that is unambiguous).
    page_size
        Features per request (lowered to the server's ``CountDefault``).
    max_features, timeout_s, opener, lang, location_precision
        As in :func:`import_arcgis`.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per feature, EPSG:4326, properties as columns, plus ``source`` and
        ``location_precision``.

    Raises
    ------
    LayerError
        As :func:`import_arcgis`, and when the service is not a WFS, offers another
        version, does not offer ``type_name`` (the message lists the types) or
        returns a WFS exception.
    """
    client, base = _client(
        service_url,
        managed=_WFS_KEYS,
        options=_Options(lang, location_precision, max_features, page_size, timeout_s, opener),
    )
    caps_body = client.fetch(
        base, {"service": "WFS", "request": "GetCapabilities", "acceptVersions": "2.0.0,1.1.0"}
    )
    caps = _parse_capabilities(client, caps_body)
    if caps.version.startswith("2.0"):
        version, type_key, count_key = "2.0.0", "typeNames", "count"
    elif caps.version == "1.1.0":
        version, type_key, count_key = "1.1.0", "typeName", "maxFeatures"
    else:
        raise client.error("wfs_version", version=caps.version or "?")
    name = _resolve_type(client, type_name, caps.type_names)
    fmt = _json_format(caps.output_formats)
    params = {
        "service": "WFS",
        "version": version,
        "request": "GetFeature",
        type_key: name,
        "srsName": WGS84,
    }
    if fmt:
        params["outputFormat"] = fmt
    size = min(page_size, caps.count_default) if caps.count_default else page_size

    if version == "2.0.0" and caps.paging:
        features = _wfs_paged(client, base, params, size=size, json_format=bool(fmt))
    else:
        log.warning(
            "WFS %s at %s cannot page: reading %s in one request (up to %d features); "
            "the server's own limit may cut the layer short",
            version,
            client.service,
            name,
            client.cap + 1,
        )
        page = _wfs_page(client, base, {**params, count_key: str(client.cap + 1)}, bool(fmt))
        features = page.features
        _check_cap(client, len(features), page.matched)
    if not features:
        raise client.error("empty", query=f"typeNames={name}")
    return _frame(
        client,
        features,
        date_fields=(),
        read={"protocol": "wfs", "name": name, "version": version, "format": fmt or "GML"},
    )


# -- shared plumbing -----------------------------------------------------------------------


def _error(key: str, lang: str, **values: Any) -> LayerError:
    """Format message ``remote_<key>`` in ``lang`` as a LayerError carrying its code."""
    code = f"remote_{key}"
    return LayerError(catalog.text(code, lang, **values), code=code, params=values)


def _short(text: str, limit: int = _TEXT_LIMIT) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    one_line = " ".join(str(text).split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def _start(body: bytes) -> str:
    """The first characters of a body, for a message."""
    return _short(body[:200].decode("utf-8", errors="replace"), 40)


def _positive_int(value: Any) -> int | None:
    """``value`` as a positive int, or None."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


@dataclass(frozen=True)
class _Options:
    """The options every import takes, checked when built (before any request).

    Raises ValueError on a language or precision outside the vocabulary, a feature cap
    or page size that is not a positive integer, or a timeout that is not a positive
    number of seconds.
    """

    lang: str
    location_precision: str
    max_features: int | None
    page_size: int | None
    timeout_s: float
    opener: Opener | None

    def __post_init__(self) -> None:
        if self.lang not in LANGUAGES:
            raise ValueError(f"lang={self.lang!r} is not supported: use one of {LANGUAGES}.")
        if self.location_precision not in vocab.PRECISIONS:
            raise ValueError(
                f"location_precision={self.location_precision!r}: use one of {vocab.PRECISIONS}."
            )
        for name in ("max_features", "page_size"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1
            ):
                raise ValueError(f"{name}={value!r} must be a positive integer.")
        timeout_s = self.timeout_s
        if not (isinstance(timeout_s, int | float) and math.isfinite(timeout_s) and timeout_s > 0):
            raise ValueError(f"timeout_s={timeout_s!r} must be a positive number of seconds.")


def _client(
    url: str, *, managed: set[str], strip_suffix: str = "", options: _Options
) -> tuple[_Client, str]:
    """Validate the URL (before any request) and build the client."""
    lang = options.lang
    text = str(url).strip()
    try:
        parts = urllib.parse.urlsplit(text)
        hostname = parts.hostname
        _ = parts.port  # raises ValueError on a bad port
    except ValueError:
        parts, hostname = None, None
    if parts is None or parts.scheme.lower() not in ALLOWED_SCHEMES or not hostname:
        raise _error("bad_scheme", lang, url=_short(text, 80))
    netloc = parts.netloc.rsplit("@", 1)[-1]
    # percent-encode what http.client cannot send (accents in a folder name), once
    path = urllib.parse.quote(parts.path.rstrip("/"), safe="/%:@!$&'()*+,;=")
    if strip_suffix and path.lower().endswith(strip_suffix):
        path = path[: -len(strip_suffix)]
    base = urllib.parse.urlunsplit((parts.scheme.lower(), netloc, path, "", ""))
    if parts.username is not None or parts.password is not None:
        raise _error("credentials", lang, service=base)
    extra = tuple(
        (key, value)
        for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in managed
    )
    settings = get_settings()
    max_bytes = int(settings.max_upload_mb * 1e6)
    client = _Client(
        service=base,
        extra=extra,
        opener=options.opener
        if options.opener is not None
        else HttpOpener(max_bytes=max_bytes, allow_private=settings.allow_private_imports),
        timeout_s=float(options.timeout_s),
        max_bytes=max_bytes,
        lang=lang,
        cap=options.max_features if options.max_features is not None else settings.max_features,
        precision=options.location_precision,
    )
    return client, base


def _check_cap(client: _Client, collected: int, announced: int | None = None) -> None:
    """Raise when the service has (or announces) more features than the cap."""
    if announced is not None and announced > client.cap:
        raise client.error("cap_known", count=announced, cap=client.cap)
    if collected > client.cap:
        raise client.error("cap", cap=client.cap)


def _take_new(
    client: _Client, page: Sequence[_Feature], seen: set[str], out: list[_Feature]
) -> bool:
    """Append the page's unseen features to ``out``; False when the page was all repeats."""
    new = [f for f in page if f.fid not in seen]
    if page and not new:
        log.warning(
            "%s sent a page it had sent before (%d features); stopping there",
            client.service,
            len(page),
        )
        return False
    if len(new) < len(page):
        log.warning("%s repeated %d features; kept once", client.service, len(page) - len(new))
    seen.update(f.fid for f in new)
    out.extend(new)
    return True


def _fallback_id(raw: Any) -> str:
    """A stable id for a feature that has none: a hash of its JSON."""
    text = json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def _frame(
    client: _Client,
    features: Sequence[_Feature],
    *,
    date_fields: Iterable[str],
    read: Mapping[str, str],
) -> gpd.GeoDataFrame:
    """Build the output frame: properties as columns, EPSG:4326, source and precision.

    ``attrs["remote"]`` gets ``read`` (protocol, layer name, how it was read) with the
    service and the number of requests.
    """
    reserved = {"geometry", "source", "location_precision"}
    rows = [
        {(f"{k}_original" if k in reserved else k): v for k, v in f.properties.items()}
        for f in features
    ]
    table = pd.DataFrame(rows, index=pd.RangeIndex(len(rows)))
    for name in date_fields:
        if name in table.columns and pd.api.types.is_numeric_dtype(table[name]):
            table[name] = pd.to_datetime(table[name], unit="ms", utc=True, errors="coerce")
    table["source"] = client.service
    table["location_precision"] = client.precision
    geometry = gpd.GeoSeries([f.geometry for f in features], index=table.index, crs=WGS84)
    gdf = gpd.GeoDataFrame(table, geometry=geometry, crs=WGS84)
    gdf.attrs["remote"] = {**read, "service": client.service, "requests": len(client.requests)}
    log.info(
        "%s %s %s: %d features in %d requests",
        read["protocol"],
        client.service,
        read["name"],
        len(gdf),
        len(client.requests),
    )
    return gdf


def _to_wgs84(
    geoms: list[BaseGeometry | None], crs: pyproj.CRS | None
) -> list[BaseGeometry | None]:
    """Reproject geometries from ``crs`` (None: already EPSG:4326) to EPSG:4326."""
    if crs is None or crs.equals("OGC:CRS84", ignore_axis_order=True):
        return geoms
    return list(gpd.GeoSeries(geoms, crs=crs).to_crs(WGS84))


# -- ArcGIS REST ---------------------------------------------------------------------------


def _check_arcgis(client: _Client, doc: Any, *, where: str) -> None:
    """Raise on an ArcGIS ``{"error": ...}`` body or an answer that is not an object."""
    if not isinstance(doc, dict):
        raise client.error("not_json", start=_short(json.dumps(doc, ensure_ascii=False), 40))
    problem = doc.get("error")
    if problem is None:
        return
    if not isinstance(problem, dict):
        problem = {"message": str(problem)}
    code = problem.get("code", "?")
    if _positive_int(code) in ARCGIS_TOKEN_CODES:
        raise client.error("token", code=code)
    message = str(problem.get("message") or "")
    details = [str(d) for d in problem.get("details") or [] if str(d).strip()]
    if details and details[0] not in message:
        message = f"{message} {details[0]}".strip()
    raise client.error("arcgis_error", code=code, message=_short(message), where=_short(where, 60))


def _listing(items: Iterable[Any]) -> str:
    """``"0 Anchor; 1 Alternates"`` from ArcGIS ``layers`` / ``subLayers`` entries."""
    names = [
        f"{item.get('id')} {item.get('name', '')}".strip()
        for item in items
        if isinstance(item, dict) and "id" in item
    ]
    return "; ".join(names) if names else "—"


def _check_is_feature_layer(client: _Client, meta: dict[str, Any]) -> None:
    """Raise, listing what to choose, on a service root or a group/raster layer."""
    if "fields" not in meta and "type" not in meta and isinstance(meta.get("layers"), list):
        listing = _listing([*meta["layers"], *(meta.get("tables") or [])])
        raise client.error("root", layers=listing)
    kind = meta.get("type")
    if kind not in (None, "Feature Layer", "Table"):
        raise client.error("not_layer", kind=kind, layers=_listing(meta.get("subLayers") or []))


def _arcgis_oid_field(meta: dict[str, Any]) -> str | None:
    """Name of the layer's object-id field, if the metadata says."""
    if meta.get("objectIdField"):
        return str(meta["objectIdField"])
    for f in meta.get("fields") or []:
        if isinstance(f, dict) and f.get("type") == "esriFieldTypeOID":
            return str(f.get("name"))
    return None


@dataclass(frozen=True)
class _ArcgisQuery:
    """One ArcGIS layer's query endpoint, its fixed parameters and its page size."""

    client: _Client
    url: str
    common: dict[str, str]
    size: int
    oid_field: str | None

    def ask(self, flag: str) -> dict[str, Any]:
        """A count or id query (``returnCountOnly`` / ``returnIdsOnly``), checked."""
        where = self.common["where"]
        doc = self.client.fetch_json(self.url, {"where": where, flag: "true", "f": "json"})
        _check_arcgis(self.client, doc, where=where)
        return doc

    def page(
        self, params: Mapping[str, str], *, post: bool = False
    ) -> tuple[dict[str, Any], list[_Feature]]:
        """One page of features (the answer and its features), checked."""
        doc = self.client.fetch_json(self.url, {**self.common, **params}, post=post)
        _check_arcgis(self.client, doc, where=self.common["where"])
        return doc, _arcgis_features(self.client, doc, self.common["f"], self.oid_field)


def _arcgis_paged(query: _ArcgisQuery, *, order_by: str | None) -> list[_Feature]:
    """Page with resultOffset / resultRecordCount until the server says it is done."""
    client, size = query.client, query.size
    count = query.ask("returnCountOnly").get("count")
    count = count if isinstance(count, int) and not isinstance(count, bool) else None
    if count is not None:
        _check_cap(client, 0, count)
        if count == 0:
            return []
    order = {"orderByFields": order_by} if order_by else {}
    features: list[_Feature] = []
    seen: set[str] = set()
    offset = 0
    # Every page adds at least one new feature (or the loop stops), so past cap + 1
    # pages the cap has been exceeded: the bound only guards against a logic slip.
    for _ in range(client.cap + 1):
        doc, page = query.page(
            {**order, "resultOffset": str(offset), "resultRecordCount": str(size)}
        )
        if not _take_new(client, page, seen, features):
            break
        _check_cap(client, len(features))
        exceeded = doc.get("exceededTransferLimit")
        if exceeded is None and isinstance(doc.get("properties"), dict):
            exceeded = doc["properties"].get("exceededTransferLimit")
        if not page or exceeded is False or (exceeded is None and len(page) < size):
            break
        offset += len(page)
    if count is not None and len(features) != count:
        log.warning("%s announced %d features and sent %d", client.service, count, len(features))
    return features


def _arcgis_by_ids(query: _ArcgisQuery) -> list[_Feature]:
    """Read a layer that cannot page: all object ids first, then batches of ids."""
    client = query.client
    answer = query.ask("returnIdsOnly")
    raw_ids = answer.get("objectIds") or []
    ids = sorted({i for i in raw_ids if isinstance(i, int) and not isinstance(i, bool)})
    _check_cap(client, 0, len(ids))
    if not query.oid_field and answer.get("objectIdFieldName"):
        query = dataclasses.replace(query, oid_field=str(answer["objectIdFieldName"]))
    features: list[_Feature] = []
    seen: set[str] = set()
    for start in range(0, len(ids), query.size):
        batch = ids[start : start + query.size]
        # POST: id lists get long
        _, page = query.page({"objectIds": ",".join(map(str, batch))}, post=True)
        if not _take_new(client, page, seen, features):
            break
        _check_cap(client, len(features))
    return features


def _arcgis_features(
    client: _Client, doc: dict[str, Any], fmt: str, oid_field: str | None
) -> list[_Feature]:
    """The features of one ArcGIS query answer (GeoJSON or Esri JSON), in EPSG:4326."""
    raw = doc.get("features")
    if not isinstance(raw, list):
        raise client.error("not_json", start=_short(json.dumps(doc, ensure_ascii=False), 40))
    ids: list[str] = []
    props: list[dict[str, Any]] = []
    geoms: list[BaseGeometry | None] = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        attributes = item.get("properties" if fmt == "geojson" else "attributes") or {}
        fid = item.get("id") if fmt == "geojson" else None
        if fid is None and oid_field:
            fid = attributes.get(oid_field)
        fid = _fallback_id(item) if fid is None else str(fid)
        try:
            geometry = (
                _geojson_geometry(item.get("geometry"))
                if fmt == "geojson"
                else _esri_geometry(item.get("geometry"))
            )
        except _GEOMETRY_ERRORS as exc:
            raise client.error("bad_geometry", fid=fid) from exc
        ids.append(fid)
        props.append(dict(attributes))
        geoms.append(geometry)
    crs = None if fmt == "geojson" else _esri_crs(doc.get("spatialReference"))
    geoms = _to_wgs84(geoms, crs)
    return [_Feature(i, p, g) for i, p, g in zip(ids, props, geoms, strict=True)]


def _geojson_geometry(raw: Any) -> BaseGeometry | None:
    """A shapely geometry from a GeoJSON geometry object (None stays None)."""
    return None if raw is None else geojson_shape(raw)


def _esri_crs(sr: Any) -> pyproj.CRS | None:
    """The CRS of an Esri ``spatialReference``; None when absent or EPSG:4326."""
    if not isinstance(sr, dict):
        return None
    for key in ("latestWkid", "wkid"):
        code = _positive_int(sr.get(key))
        if code is None:
            continue
        if code == 4326:
            return None
        for authority in ("EPSG", "ESRI"):
            try:
                return pyproj.CRS.from_user_input(f"{authority}:{code}")
            except pyproj.exceptions.CRSError:
                continue
    if sr.get("wkt"):
        crs = pyproj.CRS.from_wkt(str(sr["wkt"]))
        return None if crs.to_epsg() == 4326 else crs
    return None


def _esri_geometry(raw: Any) -> BaseGeometry | None:
    """A shapely geometry from an Esri JSON geometry (points, multipoints, paths, rings)."""
    if not raw:
        return None
    if "x" in raw:
        if raw["x"] is None or raw["x"] == "NaN":
            return None
        return Point(float(raw["x"]), float(raw["y"]))
    if "points" in raw:
        return MultiPoint([tuple(p[:2]) for p in raw["points"]]) if raw["points"] else None
    if "paths" in raw:
        lines = [LineString([tuple(p[:2]) for p in path]) for path in raw["paths"] if path]
        if not lines:
            return None
        return lines[0] if len(lines) == 1 else MultiLineString(lines)
    if "rings" in raw:
        return _esri_polygon(raw["rings"])
    raise ValueError("unknown Esri geometry")


def _esri_polygon(rings: list[list[list[float]]]) -> BaseGeometry | None:
    """Esri rings to a (Multi)Polygon: clockwise rings are shells, the others holes."""
    closed = [LinearRing([tuple(p[:2]) for p in ring]) for ring in rings if len(ring) >= 3]
    shells = [r for r in closed if not r.is_ccw]
    holes = [r for r in closed if r.is_ccw]
    if not shells:  # a writer that ignored Esri's winding rule: take every ring as a shell
        shells, holes = holes, []
    shell_polys = [Polygon(s) for s in shells]
    assigned: list[list[LinearRing]] = [[] for _ in shells]
    for hole in holes:
        inside = Point(hole.coords[0])
        candidates = [i for i, poly in enumerate(shell_polys) if poly.covers(inside)]
        if candidates:
            smallest = min(candidates, key=lambda i: shell_polys[i].area)
            assigned[smallest].append(hole)
        else:  # an orphan hole is more likely a mis-wound shell than nothing
            shell_polys.append(Polygon(hole))
            assigned.append([])
    polygons = [
        Polygon(poly.exterior, holes) for poly, holes in zip(shell_polys, assigned, strict=True)
    ]
    return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)


# -- WFS -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Capabilities:
    """What GetCapabilities tells: version, feature types, formats and paging."""

    version: str
    type_names: tuple[str, ...]
    output_formats: tuple[str, ...]
    paging: bool
    count_default: int | None


@dataclass(frozen=True)
class _WfsPage:
    """One GetFeature answer: its features and the total it announces, if any."""

    features: list[_Feature]
    matched: int | None


def _local(tag: str) -> str:
    """An XML tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


def _parse_xml(client: _Client, body: bytes, key: str) -> ET.Element:
    """Parse an XML answer, refusing documents with a DTD (no entity expansion)."""
    head = body[:2048].lstrip()
    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
        raise client.error(key, start=_start(body), reason="DTD")
    try:
        # No DTD (checked above), hence no entity expansion: safe to parse.
        root = ET.fromstring(body)  # noqa: S314
    except ET.ParseError as exc:
        raise client.error(key, start=_start(body), reason=_short(str(exc))) from exc
    _check_wfs_exception(client, root)
    return root


def _check_wfs_exception(client: _Client, root: ET.Element) -> None:
    """Raise on an OWS ``ExceptionReport`` (or WFS 1.0 ``ServiceExceptionReport``)."""
    if _local(root.tag) not in ("ExceptionReport", "ServiceExceptionReport"):
        return
    code, texts = "?", []
    for element in root.iter():
        name = _local(element.tag)
        if name in ("Exception", "ServiceException"):
            code = element.get("exceptionCode") or element.get("code") or code
            if name == "ServiceException" and element.text:
                texts.append(element.text)
        elif name == "ExceptionText" and element.text:
            texts.append(element.text)
    raise client.error("wfs_exception", code=code, text=_short(" ".join(texts) or "—"))


def _parse_capabilities(client: _Client, body: bytes) -> _Capabilities:
    """Read what this module needs from a WFS GetCapabilities document."""
    root = _parse_xml(client, body, "wfs_capabilities")
    if _local(root.tag) != "WFS_Capabilities":
        raise client.error("wfs_capabilities", start=_start(body))
    type_names: list[str] = []
    formats: list[str] = []
    paging = False
    count_default = None
    for element in root.iter():
        name = _local(element.tag)
        if name == "FeatureType":
            for child in element:
                if _local(child.tag) == "Name" and child.text:
                    type_names.append(child.text.strip())
                elif _local(child.tag) == "OutputFormats":
                    formats.extend(v.text.strip() for v in child if v.text)
        elif name == "Operation" and element.get("name") == "GetFeature":
            for parameter in element.iter():
                if _local(parameter.tag) == "Parameter" and parameter.get("name") == "outputFormat":
                    formats.extend(
                        v.text.strip()
                        for v in parameter.iter()
                        if _local(v.tag) == "Value" and v.text
                    )
        elif name == "Constraint":
            value = next(
                (c.text.strip() for c in element if _local(c.tag) == "DefaultValue" and c.text),
                "",
            )
            if element.get("name") == "ImplementsResultPaging":
                paging = value.upper() == "TRUE"
            elif element.get("name") == "CountDefault":
                count_default = _positive_int(value)
    return _Capabilities(
        version=(root.get("version") or "").strip(),
        type_names=tuple(type_names),
        output_formats=tuple(dict.fromkeys(formats)),
        paging=paging,
        count_default=count_default,
    )


def _resolve_type(client: _Client, type_name: str, offered: Sequence[str]) -> str:
    """The offered type name matching ``type_name`` (exactly, or without its prefix)."""
    if not offered or type_name in offered:
        return type_name
    local = type_name.rsplit(":", 1)[-1]
    matches = [name for name in offered if name.rsplit(":", 1)[-1] == local]
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(offered[:20]) + (" …" if len(offered) > 20 else "")
    raise client.error("wfs_type", type_name=type_name, names=names)


def _json_format(formats: Sequence[str]) -> str | None:
    """The best GeoJSON output format offered, or None (then GML is read)."""
    lowered = {f.lower(): f for f in formats}
    for preferred in ("application/json", "application/geo+json", "json", "geojson"):
        if preferred in lowered:
            return lowered[preferred]
    return next((f for f in formats if "json" in f.lower()), None)


def _wfs_paged(
    client: _Client, base: str, params: dict[str, str], *, size: int, json_format: bool
) -> list[_Feature]:
    """Page a WFS 2.0.0 GetFeature with startIndex / count."""
    features: list[_Feature] = []
    seen: set[str] = set()
    start = 0
    for _ in range(client.cap + 1):  # each page adds a new feature or the loop stops
        page_params = {**params, "startIndex": str(start), "count": str(size)}
        page = _wfs_page(client, base, page_params, json_format)
        _check_cap(client, 0, page.matched)
        if not _take_new(client, page.features, seen, features):
            break
        _check_cap(client, len(features))
        if not page.features:
            break
        if page.matched is not None:
            if len(features) >= page.matched:
                break
        elif len(page.features) < size:
            break
        start += len(page.features)
    return features


def _wfs_page(client: _Client, base: str, params: dict[str, str], json_format: bool) -> _WfsPage:
    """Fetch and read one GetFeature answer."""
    body = client.fetch(base, params)
    if json_format and not body.lstrip().startswith(b"<"):
        return _wfs_json_page(client, client.parse_json(body))
    # GML asked for, or XML instead of JSON: an exception report, GML, or an HTML page
    key = "not_json" if json_format else "bad_gml"
    root = _parse_xml(client, body, key)
    if _local(root.tag) != "FeatureCollection":
        raise client.error(key, start=_start(body), reason=f"<{_local(root.tag)}>")
    return _wfs_gml_page(client, body, root)


def _wfs_json_page(client: _Client, doc: Any) -> _WfsPage:
    """Features of a GeoJSON GetFeature answer, reprojected if its ``crs`` says so."""
    if not isinstance(doc, dict) or not isinstance(doc.get("features"), list):
        raise client.error("not_json", start=_short(json.dumps(doc, ensure_ascii=False), 40))
    crs = None
    crs_name = ((doc.get("crs") or {}).get("properties") or {}).get("name")
    if crs_name:
        try:
            crs = pyproj.CRS.from_user_input(crs_name)
        except pyproj.exceptions.CRSError:
            log.warning("%s: unknown crs %r; assuming EPSG:4326", client.service, crs_name)
        else:
            # GeoJSON coordinates are lon/lat whatever the axis order the name implies.
            if crs.equals("OGC:CRS84", ignore_axis_order=True):
                crs = None
    ids, props, geoms = [], [], []
    for item in doc["features"]:
        if not isinstance(item, dict):
            continue
        fid = _fallback_id(item) if item.get("id") is None else str(item["id"])
        try:
            geoms.append(_geojson_geometry(item.get("geometry")))
        except _GEOMETRY_ERRORS as exc:
            raise client.error("bad_geometry", fid=fid) from exc
        ids.append(fid)
        props.append(dict(item.get("properties") or {}))
    geoms = _to_wgs84(geoms, crs)
    matched = doc.get("numberMatched", doc.get("totalFeatures"))
    matched = matched if isinstance(matched, int) and not isinstance(matched, bool) else None
    features = [_Feature(i, p, g) for i, p, g in zip(ids, props, geoms, strict=True)]
    return _WfsPage(features, matched)


def _wfs_gml_page(client: _Client, body: bytes, root: ET.Element) -> _WfsPage:
    """Features of a GML GetFeature answer (``root`` parsed), read with pyogrio."""
    matched = _positive_int(root.get("numberMatched"))
    members = [
        element
        for element in root
        if _local(element.tag) in ("member", "featureMember", "featureMembers")
    ]
    if not members:
        return _WfsPage([], matched)
    try:
        frame = pyogrio.read_dataframe(BytesIO(body), **_GML_OPEN_OPTIONS)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise client.error("bad_gml", reason=_short(str(exc))) from exc
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(WGS84)
    ids = (
        frame["gml_id"].astype(str).tolist()
        if "gml_id" in frame.columns
        else [f"row:{i}" for i in range(len(frame))]
    )
    table = frame.drop(columns=[c for c in ("gml_id", frame.geometry.name) if c in frame.columns])
    records = table.astype(object).where(table.notna(), None).to_dict("records")
    features = [
        _Feature(fid, record, geometry)
        for fid, record, geometry in zip(ids, records, frame.geometry, strict=True)
    ]
    return _WfsPage(features, matched)


def _host_error(refused: _RefusedHostError, lang: str) -> LayerError:
    """The LayerError telling why a host is not fetched."""
    return _error(refused.reason, lang, host=_short(refused.host, 80), address=refused.address)


def check_public_host(url: str, *, lang: str = "es") -> None:
    """Refuse a URL whose host is internal, oddly written or unknown, before any request.

    The Data page lets people type a service URL; without this check the server could
    be made to fetch internal addresses (cloud metadata, databases). The same check
    (:func:`pin_host`) runs again inside :class:`HttpOpener` for every request and
    redirect, on the address the request then connects to; this early call only
    gives the person the answer before the import starts.

    Raises
    ------
    LayerError
        For a URL that is not http(s), and for a host :func:`pin_host` refuses.
    """
    try:
        parts = urllib.parse.urlsplit(url)
        scheme, host, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:
        scheme, host, port = "", None, None
    if scheme not in ALLOWED_SCHEMES or not host:
        raise _error("bad_scheme", lang, url=_short(url))
    try:
        pin_host(host, port or (443 if scheme == "https" else 80))
    except _RefusedHostError as exc:
        raise _host_error(exc, lang) from exc
