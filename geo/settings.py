"""One settings object, read from ``CARE_ATLAS_*`` environment variables once.

Every tunable of the app lives here; nothing else reads ``os.environ``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from geo.vocab import LANGUAGES  # one definition, in data/vocab.toml

PROJECT_DIR = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Runtime configuration.

    Attributes
    ----------
    data_dir
        Folder holding ``layers.toml`` and the layer files (``CARE_ATLAS_DATA_DIR``).
    tiles
        Basemap tiles, opt-in (``CARE_ATLAS_TILES``): empty for none (the default: the
        map draws the project's own boundary layers and makes no outside request),
        ``"osm"`` for OpenStreetMap, or a ``{z}/{x}/{y}`` URL template, e.g. a local
        tile server for an offline room.
    tiles_attribution
        Attribution shown for a custom tile URL (``CARE_ATLAS_TILES_ATTRIBUTION``).
    static_url
        URL prefix under which Streamlit serves ``static/`` (``CARE_ATLAS_STATIC_URL``).
    default_language
        Language when the browser's locale is neither Spanish nor English
        (``CARE_ATLAS_LANGUAGE``), ``"es"`` by default.
    max_upload_mb, max_unpacked_mb, max_compression_ratio, max_features, max_vertices,
    max_parse_seconds
        Caps checked on an uploaded layer before expensive work
        (``CARE_ATLAS_MAX_UPLOAD_MB`` ...): file size, size once unzipped, zip
        compression ratio, number of features, number of vertices, parse time.
        Streamlit's own limit, ``server.maxUploadSize``, must match
        (:attr:`streamlit_upload_mb`; ``make run`` passes it).
    max_value_chars
        Longest text value kept from an uploaded layer (``CARE_ATLAS_MAX_VALUE_CHARS``,
        default 10,000): a longer one is cut, with a warning naming its rows.
    max_grid_cells
        Largest demand grid built in the app (``CARE_ATLAS_MAX_GRID_CELLS``).
    database_url
        PostGIS store (``CARE_ATLAS_DATABASE_URL``, e.g.
        ``postgresql+psycopg://user@host/db``); empty for the embedded SQLite store.
    store_path
        The SQLite store file (``CARE_ATLAS_STORE_PATH``), ``var/care_atlas.sqlite``.
    moderator_password_hash
        Deprecated (``CARE_ATLAS_MODERATOR_PASSWORD_HASH``): a ``scrypt$...`` hash that
        signs in only as the account ``moderator``, created in the store from it on the
        first sign-in (see :mod:`geo.moderators`). Use ``python -m geo moderator add``.
    trust_forwarded_for
        Take the client address for sign-in and suggestion limits from the last entry
        of the ``X-Forwarded-For`` header (``CARE_ATLAS_TRUST_FORWARDED_FOR=1``): only
        behind a reverse proxy that sets it. Off: the connection's address, and all
        clients on ``localhost`` share one.
    network_file
        A walking street network (``.osm.pbf``, ``.osm``, ``.graphml``, or a prepared
        ``.npz`` such as the atlas importer's ``networks/malla_vial.npz``) for catchments
        that follow the streets (``CARE_ATLAS_NETWORK_FILE``; else the first file in
        ``<data>/networks/``, extracts before ``.npz``; else none, and straight lines x
        detour are used).
    allow_private_imports
        Let the Data page import from services on private or loopback addresses
        (``CARE_ATLAS_ALLOW_PRIVATE_IMPORTS=1``); off by default (server-side request
        forgery).
    dask_scheduler
        Address of a running Dask scheduler for national-scale runs
        (``CARE_ATLAS_DASK_SCHEDULER=tcp://host:8786``); empty: :mod:`geo.scale` starts a
        ``LocalCluster`` of :attr:`dask_workers` worker processes on this machine.
    dask_workers
        Worker processes of that local cluster (``CARE_ATLAS_DASK_WORKERS``, default 2).
    dask_memory_limit
        Memory limit per local worker (``CARE_ATLAS_DASK_MEMORY_LIMIT``, e.g. ``"4GiB"``;
        default ``"auto"``: the machine's memory shared between the workers).
    results_dir
        Where national-scale runs are written and read back by the Gaps page
        (``CARE_ATLAS_RESULTS_DIR``, default ``var/runs``).
    """

    data_dir: Path = field(default_factory=lambda: PROJECT_DIR / "data")
    tiles: str = ""
    tiles_attribution: str = ""
    static_url: str = "/app/static"
    default_language: str = "es"
    max_upload_mb: float = 50.0
    max_unpacked_mb: float = 200.0
    max_compression_ratio: float = 100.0
    max_features: int = 200_000
    max_vertices: int = 5_000_000
    max_parse_seconds: float = 30.0
    max_value_chars: int = 10_000
    max_grid_cells: int = 2_000_000
    database_url: str = ""
    store_path: Path = field(default_factory=lambda: PROJECT_DIR / "var" / "care_atlas.sqlite")
    moderator_password_hash: str = ""
    trust_forwarded_for: bool = False
    allow_private_imports: bool = False
    network_file: Path | None = None
    dask_scheduler: str = ""
    dask_workers: int = 2
    dask_memory_limit: str = "auto"
    results_dir: Path = field(default_factory=lambda: PROJECT_DIR / "var" / "runs")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from ``environ`` (``os.environ`` by default)."""
        env = os.environ if environ is None else environ
        language = env.get("CARE_ATLAS_LANGUAGE", "es").strip().lower()
        if language not in LANGUAGES:
            raise ValueError(
                f"CARE_ATLAS_LANGUAGE={language!r} is not supported: use one of {LANGUAGES}."
            )
        data_dir = env.get("CARE_ATLAS_DATA_DIR")
        store_path = env.get("CARE_ATLAS_STORE_PATH")
        defaults = cls()
        return cls(
            data_dir=Path(data_dir).expanduser().resolve() if data_dir else PROJECT_DIR / "data",
            tiles=env.get("CARE_ATLAS_TILES", "").strip(),
            tiles_attribution=env.get("CARE_ATLAS_TILES_ATTRIBUTION", "").strip(),
            static_url=env.get("CARE_ATLAS_STATIC_URL", "/app/static").rstrip("/"),
            default_language=language,
            max_upload_mb=_number(env, "CARE_ATLAS_MAX_UPLOAD_MB", defaults.max_upload_mb),
            max_unpacked_mb=_number(env, "CARE_ATLAS_MAX_UNPACKED_MB", defaults.max_unpacked_mb),
            max_compression_ratio=_number(
                env, "CARE_ATLAS_MAX_COMPRESSION_RATIO", defaults.max_compression_ratio
            ),
            max_features=int(_number(env, "CARE_ATLAS_MAX_FEATURES", defaults.max_features)),
            max_vertices=int(_number(env, "CARE_ATLAS_MAX_VERTICES", defaults.max_vertices)),
            max_parse_seconds=_number(
                env, "CARE_ATLAS_MAX_PARSE_SECONDS", defaults.max_parse_seconds
            ),
            max_value_chars=int(
                _number(env, "CARE_ATLAS_MAX_VALUE_CHARS", defaults.max_value_chars)
            ),
            max_grid_cells=int(_number(env, "CARE_ATLAS_MAX_GRID_CELLS", defaults.max_grid_cells)),
            database_url=env.get("CARE_ATLAS_DATABASE_URL", "").strip(),
            store_path=Path(store_path).expanduser().resolve()
            if store_path
            else defaults.store_path,
            moderator_password_hash=env.get("CARE_ATLAS_MODERATOR_PASSWORD_HASH", "").strip(),
            trust_forwarded_for=env.get("CARE_ATLAS_TRUST_FORWARDED_FOR", "").strip()
            in ("1", "true"),
            allow_private_imports=env.get("CARE_ATLAS_ALLOW_PRIVATE_IMPORTS", "").strip()
            in ("1", "true"),
            network_file=_network_file(
                env, data_dir=Path(data_dir) if data_dir else PROJECT_DIR / "data"
            ),
            dask_scheduler=_scheduler(env),
            dask_workers=int(_number(env, "CARE_ATLAS_DASK_WORKERS", defaults.dask_workers)),
            dask_memory_limit=env.get("CARE_ATLAS_DASK_MEMORY_LIMIT", "").strip() or "auto",
            results_dir=Path(env["CARE_ATLAS_RESULTS_DIR"]).expanduser().resolve()
            if env.get("CARE_ATLAS_RESULTS_DIR", "").strip()
            else defaults.results_dir,
        )

    @property
    def streamlit_upload_mb(self) -> int:
        """Streamlit's ``server.maxUploadSize`` for :attr:`max_upload_mb` (whole MB, at least 1)."""
        return max(1, math.ceil(self.max_upload_mb))


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    """A positive number from the environment, or ``default`` when unset."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(
            f"{name}={raw!r} is not a number; set a positive number or unset it."
        ) from None
    if not value > 0:
        raise ValueError(f"{name}={raw!r} must be positive.")
    return value


def _scheduler(env: Mapping[str, str]) -> str:
    """``CARE_ATLAS_DASK_SCHEDULER``: empty, or a ``tcp://``/``tls://`` address with a port."""
    raw = env.get("CARE_ATLAS_DASK_SCHEDULER", "").strip()
    if not raw:
        return ""
    scheme, sep, rest = raw.partition("://")
    host, _sep2, port = rest.rpartition(":")
    if not sep or scheme not in ("tcp", "tls", "inproc") or not host or not port.isdigit():
        raise ValueError(
            f"CARE_ATLAS_DASK_SCHEDULER={raw!r} is not a scheduler address; set it like "
            "tcp://scheduler-host:8786 or unset it to start a local cluster."
        )
    return raw


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read from the environment on first use."""
    return Settings.from_env()


def _network_file(env: Mapping[str, str], *, data_dir: Path) -> Path | None:
    """``CARE_ATLAS_NETWORK_FILE``, else the first network in ``<data>/networks/``, else None.

    In that folder an OpenStreetMap extract (``.osm.pbf``, ``.osm``, ``.graphml``) wins
    over a prepared ``.npz`` (e.g. ``malla_vial.npz`` written by ``python -m geo atlas``).
    """
    named = env.get("CARE_ATLAS_NETWORK_FILE", "").strip()
    if named:
        return Path(named).expanduser().resolve()
    folder = data_dir / "networks"
    if folder.is_dir():
        for pattern in ("*.osm.pbf", "*.osm", "*.graphml", "*.npz"):
            found = sorted(folder.glob(pattern))
            if found:
                return found[0]
    return None


def main(argv: list[str] | None = None) -> int:
    """``python -m geo.settings upload-mb``: print Streamlit's ``server.maxUploadSize``.

    ``make run``, the browser tests and the systemd example start Streamlit with
    ``--server.maxUploadSize $(python -m geo.settings upload-mb)``, so Streamlit refuses
    what the app would refuse before it holds the bytes.
    """
    import sys

    args = sys.argv[1:] if argv is None else argv
    if args != ["upload-mb"]:
        print("usage: python -m geo.settings upload-mb", file=sys.stderr)
        return 2
    print(get_settings().streamlit_upload_mb)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
