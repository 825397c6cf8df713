"""One settings object, read from ``CARE_ATLAS_*`` environment variables once.

Every tunable of the app lives here; nothing else reads ``os.environ``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
LANGUAGES = ("es", "en")


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
    """

    data_dir: Path = field(default_factory=lambda: PROJECT_DIR / "data")
    tiles: str = ""
    tiles_attribution: str = ""
    static_url: str = "/app/static"
    default_language: str = "es"

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
        return cls(
            data_dir=Path(data_dir).expanduser().resolve() if data_dir else PROJECT_DIR / "data",
            tiles=env.get("CARE_ATLAS_TILES", "").strip(),
            tiles_attribution=env.get("CARE_ATLAS_TILES_ATTRIBUTION", "").strip(),
            static_url=env.get("CARE_ATLAS_STATIC_URL", "/app/static").rstrip("/"),
            default_language=language,
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read from the environment on first use."""
    return Settings.from_env()
