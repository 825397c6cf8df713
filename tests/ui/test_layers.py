"""The package layers: geo/ knows no widget or map, ui/render/ knows no Streamlit.

Each module is imported in a fresh interpreter and the modules it loaded are read
from ``sys.modules``, so an indirect import (a render module importing a ui module
that imports Streamlit) is caught too.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


def _modules(package: str) -> list[str]:
    folder = PROJECT / package.replace(".", "/")
    return sorted(
        ".".join(path.relative_to(PROJECT).with_suffix("").parts).removesuffix(".__init__")
        for path in folder.rglob("*.py")
    )


def _loaded_after_import(*modules: str) -> set[str]:
    """Top-level packages and ``ui.`` modules in ``sys.modules`` after importing ``modules`` alone."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {list(modules)!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('ui.'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    return set(json.loads(out[-2])) | set(json.loads(out[-1]))


RENDER = _modules("ui.render")
GEO = ["geo", *(m for m in _modules("geo") if m != "geo" and not m.endswith("__main__"))]


def test_the_layers_are_found() -> None:
    assert "ui.render.map_view" in RENDER and "ui.render.standalone" in RENDER
    assert "geo.gaps" in GEO and "geo.settings" in GEO


@pytest.mark.parametrize("module", RENDER)
def test_render_modules_do_not_import_streamlit(module: str) -> None:
    loaded = _loaded_after_import(module)
    assert not {"streamlit", "streamlit_folium"} & loaded, f"{module} imports Streamlit"
    # words (ui.i18n) and other renderers only: no session state, loaders or views
    others = {m for m in loaded if m.startswith("ui.") and not m.startswith("ui.render")}
    assert others <= {"ui.i18n"}, f"{module} imports {sorted(others)}"


def test_geo_imports_neither_streamlit_nor_folium_nor_ui() -> None:
    loaded = _loaded_after_import(*GEO)
    assert not {"streamlit", "streamlit_folium", "folium", "ui"} & loaded
