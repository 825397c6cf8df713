"""The offline basemap on every map: vector tiles served by the app, drawn in the browser.

Technique (reasons in ``geo/io/atlas/basemap.py`` and the README): the importer writes the
basemap of the official layers as one PMTiles file of vector tiles in the atlas folder
(``[dataset.basemap]`` in its ``layers.toml``); the map draws it with protomaps-leaflet
(vendored in ``static/vendor/protomaps-leaflet``), which reads the tiles it needs with
HTTP range requests. Streamlit serves only ``static/`` and refuses links that lead out
of it, so :func:`current` puts a hard link (or a copy) of the file at
``static/basemap/<sha256 prefix>.pmtiles`` (git-ignored): the name changes when the
content does, so a browser never mixes two builds. The bundled sample (or any data
folder without a basemap) gets a simpler one built here from its boundary layers
(country and localidad outlines and names).

The style is light and quiet so the care layers stand out: warm grey blocks, white
streets, pale blue water, grey dashed localidad borders, grey names with a white halo.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from geo.network import file_sha256
from ui.render.offline import STATIC_DIR, VENDORED

log = logging.getLogger(__name__)

BASEMAP_DIR = "basemap"
SAMPLE_VERSION = "1"
"""Bump when the sample basemap's content changes, so it is rebuilt."""
PROTOMAPS_JS = ("protomaps_leaflet", VENDORED["protomaps_leaflet"])
"""folium-style asset entry naming the vendored file (never a CDN): :func:`ui.render.offline.localize`
points it at ``<static_url>/vendor/...``."""


@dataclass(frozen=True)
class Basemap:
    """A basemap file published under ``static/``."""

    path: str
    """Path under ``static/`` (e.g. ``basemap/0123abcd.pmtiles``)."""
    attribution: str
    max_data_zoom: int
    sample: bool


def current(data_dir: Path, dataset: Mapping[str, Any] | None) -> Basemap | None:
    """The basemap of a data folder, published under ``static/`` (``None`` if it has none).

    Parameters
    ----------
    data_dir
        The data folder (``Settings.data_dir``).
    dataset
        Its registry's ``[dataset]`` table; ``dataset.basemap`` names the importer's file.
    """
    table = (dataset or {}).get("basemap")
    if isinstance(table, Mapping) and table.get("file"):
        source = Path(data_dir) / str(table["file"])
        if not source.is_file():
            log.warning(
                "the atlas registry lists a basemap (%s) that is not in the folder: run the "
                "importer again (python -m geo atlas); the map is drawn without it",
                table["file"],
            )
            return None
        digest = str(table.get("sha256") or "") or file_sha256(source)
        path = _publish(source, f"{digest[:16]}.pmtiles")
        return Basemap(
            path=path,
            attribution=str(table.get("attribution", "")),
            max_data_zoom=int(table.get("maxzoom", 15)),
            sample=False,
        )
    return _sample(Path(data_dir))


@lru_cache(maxsize=4)
def _for_folder(data_dir: Path, registry_mtime_ns: int) -> Basemap | None:
    from geo.layers import load_registry

    del registry_mtime_ns  # part of the cache key: a rebuilt atlas is published again
    return current(data_dir, load_registry(data_dir).dataset)


def for_settings() -> Basemap | None:
    """The basemap of the configured data folder (``CARE_ATLAS_DATA_DIR``), cached."""
    from geo.errors import LayerError
    from geo.layers import REGISTRY_FILE
    from geo.settings import get_settings

    data_dir = get_settings().data_dir
    try:
        stamp = (data_dir / REGISTRY_FILE).stat().st_mtime_ns
    except OSError:
        return None
    try:
        return _for_folder(data_dir, stamp)
    except LayerError as exc:
        # a broken boundary layer is reported by the page that loads it; the map is
        # drawn without a basemap rather than not at all
        log.warning("no basemap for %s: %s", data_dir.name, exc)
        return None


def _publish(source: Path, name: str, static_dir: Path = STATIC_DIR) -> str:
    """Hard-link (else copy) ``source`` to ``static/basemap/name`` once; return its path."""
    folder = static_dir / BASEMAP_DIR
    target = folder / name
    if not target.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".publish-", dir=folder)
        os.close(fd)
        os.unlink(tmp)
        try:
            os.link(source, tmp)
        except OSError:  # another file system: copy instead
            shutil.copyfile(source, tmp)
            os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    return f"{BASEMAP_DIR}/{name}"


@lru_cache(maxsize=4)
def _sample_cached(data_dir: Path, key: str) -> Basemap | None:
    from geo.io.atlas.basemap import (
        SAMPLE_ATTRIBUTION,
        SAMPLE_MAX_ZOOM,
        SAMPLE_MIN_ZOOM,
        build_basemap,
        sample_layers,
    )
    from geo.layers import load_layer, load_registry

    registry = load_registry(data_dir)
    boundaries = {lid: spec for lid, spec in registry.layers.items() if spec.kind == "boundary"}
    if not boundaries:
        return None
    frames = {lid: load_layer(spec, data_dir=data_dir) for lid, spec in boundaries.items()}
    countries = frames.pop("countries", None)
    localidades = frames.pop("localidades", None)
    layers = sample_layers(localidades=localidades, countries=countries)
    if not layers:
        return None
    name = f"sample-{key[:16]}.pmtiles"
    target = STATIC_DIR / BASEMAP_DIR / name
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".sample-", suffix=".pmtiles", dir=target.parent)
        os.close(fd)
        try:
            build_basemap(
                layers,
                tmp,
                minzoom=SAMPLE_MIN_ZOOM,
                maxzoom=SAMPLE_MAX_ZOOM,
                attribution=SAMPLE_ATTRIBUTION,
                name="Care Atlas sample basemap",
            )
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return Basemap(
        path=f"{BASEMAP_DIR}/{name}",
        attribution=SAMPLE_ATTRIBUTION,
        max_data_zoom=SAMPLE_MAX_ZOOM,
        sample=True,
    )


def _sample(data_dir: Path) -> Basemap | None:
    from geo.layers import REGISTRY_FILE, load_registry

    registry = load_registry(data_dir)
    digest = hashlib.sha256(f"sample-basemap|{SAMPLE_VERSION}".encode())
    digest.update((data_dir / REGISTRY_FILE).read_bytes())
    for spec in registry.layers.values():
        if spec.kind == "boundary":
            digest.update((data_dir / spec.file).read_bytes())
    return _sample_cached(data_dir, digest.hexdigest())


class BasemapLayer(JSCSSMixin, MacroElement):
    """The basemap as a protomaps-leaflet layer under everything else on the map.

    Only the file URL, the attribution (escaped) and numbers reach the script; the
    style is fixed here.
    """

    # declared as folium's JSCSSMixin declares it (no ClassVar: mypy refuses a ClassVar
    # over its instance variable); offline.localize replaces it per element, never mutates it
    default_js: list[tuple[str, str]] = [PROTOMAPS_JS]  # noqa: RUF012

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            if (typeof protomapsL === "undefined") { return; }
            var P = protomapsL;
            var grey = "#6b6b6b", halo = "#ffffff";
            var paintRules = [
                {dataLayer: "blocks", symbolizer: new P.PolygonSymbolizer({fill: "#e6e2da"})},
                {dataLayer: "water", symbolizer: new P.PolygonSymbolizer({fill: "#aecbe6"})},
                {dataLayer: "streets", symbolizer: new P.LineSymbolizer({color: "#ffffff",
                    width: function (z, f) {
                        var main = f && f.props.main === 1;
                        if (z <= 12) { return main ? 1.2 : 0.5; }
                        if (z <= 14) { return main ? 2.5 : 1; }
                        return main ? 2 + (z - 14) * 1.5 : 1 + (z - 14) * 0.9;
                    }})},
                {dataLayer: "streets", maxzoom: 13,
                    filter: function (z, f) { return f.props.main === 1; },
                    symbolizer: new P.LineSymbolizer({color: "#d8d2c4", width: 1})},
                {dataLayer: "boundaries",
                    filter: function (z, f) { return f.props.level !== "localidad"; },
                    symbolizer: new P.LineSymbolizer({color: "#b9b4aa", width: 0.8,
                        dash: [3, 3], dashColor: "#b9b4aa"})},
                {dataLayer: "boundaries",
                    filter: function (z, f) { return f.props.level === "localidad" ||
                        f.props.level === "country"; },
                    symbolizer: new P.LineSymbolizer({color: "#8f8a80",
                        width: function (z) { return z < 13 ? 1.2 : 1.6; }})}
            ];
            var labelRules = [
                {dataLayer: "places", maxzoom: 13,
                    filter: function (z, f) { return f.props.level === "localidad" ||
                        f.props.level === "country"; },
                    symbolizer: new P.CenteredTextSymbolizer({labelProps: ["name"],
                        fill: "#55524c", stroke: halo, width: 3, fontFamily: "sans-serif",
                        fontWeight: 700, fontSize: 13, textTransform: "uppercase"})},
                {dataLayer: "places", minzoom: 12, maxzoom: 16,
                    filter: function (z, f) { return f.props.level === "upz"; },
                    symbolizer: new P.CenteredTextSymbolizer({labelProps: ["name"],
                        fill: "#7a766e", stroke: halo, width: 3, fontFamily: "sans-serif",
                        fontSize: 11, fontWeight: 600})},
                {dataLayer: "streets", minzoom: 14,
                    filter: function (z, f) { return z >= 16 || f.props.main === 1; },
                    symbolizer: new P.LineLabelSymbolizer({labelProps: ["name"],
                        fill: grey, stroke: halo, width: 3, fontFamily: "sans-serif",
                        fontSize: 11, position: 2})}
            ];
            var layer = P.leafletLayer({
                url: {{ this.url|tojson }},
                maxDataZoom: {{ this.max_data_zoom|tojson }},
                paintRules: paintRules,
                labelRules: labelRules,
                backgroundColor: "#f7f6f3",
                attribution: {{ this.attribution|tojson }},
                pane: "tilePane",
                zIndex: 0
            });
            layer.addTo(map);
            // beyond the archive's tiles, the same paper colour (not Leaflet's grey)
            map.getContainer().style.background = "#f7f6f3";
        })();
        {% endmacro %}
        """
    )

    def __init__(self, basemap: Basemap, *, static_url: str):
        super().__init__()
        self._name = "Basemap"
        self.url = f"{static_url.rstrip('/')}/{basemap.path}"
        self.max_data_zoom = int(basemap.max_data_zoom)
        self.attribution = _escape(basemap.attribution)
        self.basemap = basemap  # for a page with no server (ui.render.standalone)


def _escape(text: str) -> str:
    from ui.render import safe

    return safe.text(text)
