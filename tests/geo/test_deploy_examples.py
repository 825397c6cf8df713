"""deploy/: the configuration examples of docs/deployment.md stay true to the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo.settings import PROJECT_DIR, Settings

DEPLOY = PROJECT_DIR / "deploy"
ENV_EXAMPLE = DEPLOY / "care-atlas.env.example"
NAME = re.compile(r"\bCARE_ATLAS_[A-Z0-9_]+\b")


def parse_env_file(path: Path) -> dict[str, str]:
    """Read a systemd ``EnvironmentFile``: ``KEY=value`` lines, ``#``/``;`` comments,
    values optionally in single or double quotes."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}:{number}: not KEY=value: {raw!r}"
        assert re.fullmatch(r"[A-Z_][A-Z0-9_]*", key), f"{path.name}:{number}: bad name {key!r}"
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def names_read_by_settings() -> set[str]:
    """Every ``CARE_ATLAS_*`` name geo/settings.py reads."""
    return set(NAME.findall((PROJECT_DIR / "geo" / "settings.py").read_text(encoding="utf-8")))


def test_env_example_is_accepted_by_settings() -> None:
    env = parse_env_file(ENV_EXAMPLE)
    settings = Settings.from_env(env)
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.dask_scheduler == "tcp://scheduler.internal:8786"
    assert settings.results_dir == Path("/srv/care-atlas/runs")
    assert settings.data_dir == Path("/srv/care-atlas/data")
    assert settings.default_language == "es"


def test_env_example_names_only_settings_that_exist() -> None:
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    mentioned = set(NAME.findall(text))
    unknown = mentioned - names_read_by_settings()
    assert not unknown, f"{ENV_EXAMPLE.name} names settings geo/settings.py never reads: {unknown}"


def test_env_example_lists_every_setting() -> None:
    mentioned = set(NAME.findall(ENV_EXAMPLE.read_text(encoding="utf-8")))
    missing = names_read_by_settings() - mentioned
    assert not missing, f"{ENV_EXAMPLE.name} does not document {sorted(missing)}"


def test_nginx_example_is_sticky_and_upgrades_the_websocket() -> None:
    text = (DEPLOY / "nginx.conf.example").read_text(encoding="utf-8")
    upstream = re.search(r"upstream care_atlas \{(.*?)\}", text, re.S)
    assert upstream, "an upstream named care_atlas"
    assert "ip_hash;" in upstream.group(1)
    ports = re.findall(r"server 127\.0\.0\.1:(\d+)", upstream.group(1))
    assert ports == [str(p) for p in range(8501, 8501 + len(ports))] and len(ports) >= 2
    stream = re.search(r"location /_stcore/stream \{(.*?)\}", text, re.S)
    assert stream, "a location for Streamlit's WebSocket"
    assert "proxy_set_header Upgrade $http_upgrade;" in stream.group(1)
    assert "proxy_http_version 1.1;" in stream.group(1)


@pytest.mark.parametrize(
    ("unit", "command"),
    [
        ("care-atlas@.service.example", "streamlit run app.py"),
        ("dask-scheduler.service.example", "dask scheduler"),
        ("dask-worker.service.example", "dask worker tcp://"),
    ],
)
def test_units_read_the_env_file_and_run_from_the_venv(unit: str, command: str) -> None:
    text = (DEPLOY / unit).read_text(encoding="utf-8")
    assert "EnvironmentFile=/etc/care-atlas/care-atlas.env" in text
    (exec_start,) = re.findall(r"^ExecStart=(.*)$", text, re.M)
    assert exec_start.startswith("/opt/care-atlas/.venv/bin/")
    assert command in exec_start
    if unit.startswith("care-atlas@"):
        assert "--server.port=%i" in exec_start


def test_the_app_unit_gives_streamlit_the_apps_upload_limit() -> None:
    text = (DEPLOY / "care-atlas@.service.example").read_text(encoding="utf-8")
    (exec_start,) = re.findall(r"^ExecStart=(.*)$", text, re.M)
    assert "--server.maxUploadSize=${CARE_ATLAS_MAX_UPLOAD_MB}" in exec_start
    env = parse_env_file(ENV_EXAMPLE)
    # systemd passes the text as it is: Streamlit wants whole megabytes
    assert env["CARE_ATLAS_MAX_UPLOAD_MB"] == str(Settings.from_env(env).streamlit_upload_mb)


def test_make_run_gives_streamlit_the_apps_upload_limit() -> None:
    makefile = (PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
    run = makefile[makefile.index("\nrun:") : makefile.index("\n\n", makefile.index("\nrun:"))]
    assert "--server.maxUploadSize $$($(BIN)/python -m geo.settings upload-mb)" in run
