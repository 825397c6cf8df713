"""geo.settings: one object from the environment; bad values say which variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.settings import PROJECT_DIR, Settings


def test_defaults() -> None:
    s = Settings.from_env({})
    assert s.data_dir == PROJECT_DIR / "data"
    assert s.tiles == ""
    assert s.default_language == "es"
    assert s.max_upload_mb == 50.0
    assert s.store_path == PROJECT_DIR / "var" / "care_atlas.sqlite"
    assert s.database_url == ""


def test_values_from_environment(tmp_path: Path) -> None:
    s = Settings.from_env(
        {
            "CARE_ATLAS_DATA_DIR": str(tmp_path),
            "CARE_ATLAS_TILES": "osm",
            "CARE_ATLAS_LANGUAGE": "EN",
            "CARE_ATLAS_MAX_FEATURES": "1000",
            "CARE_ATLAS_STORE_PATH": str(tmp_path / "x.sqlite"),
        }
    )
    assert s.data_dir == tmp_path.resolve()
    assert s.tiles == "osm"
    assert s.default_language == "en"
    assert s.max_features == 1000
    assert s.store_path == (tmp_path / "x.sqlite").resolve()


@pytest.mark.parametrize(
    ("env", "match"),
    [
        ({"CARE_ATLAS_LANGUAGE": "fr"}, "CARE_ATLAS_LANGUAGE='fr' is not supported"),
        ({"CARE_ATLAS_MAX_UPLOAD_MB": "lots"}, "CARE_ATLAS_MAX_UPLOAD_MB='lots' is not a number"),
        ({"CARE_ATLAS_MAX_FEATURES": "-3"}, "CARE_ATLAS_MAX_FEATURES='-3' must be positive"),
    ],
)
def test_bad_values_name_the_variable(env, match) -> None:
    with pytest.raises(ValueError, match=match):
        Settings.from_env(env)


def test_network_file_from_variable_or_data_folder(tmp_path: Path) -> None:
    assert Settings.from_env({"CARE_ATLAS_DATA_DIR": str(tmp_path)}).network_file is None
    (tmp_path / "networks").mkdir()
    (tmp_path / "networks" / "bogota.osm.pbf").write_bytes(b"")
    found = Settings.from_env({"CARE_ATLAS_DATA_DIR": str(tmp_path)}).network_file
    assert found == tmp_path.resolve() / "networks" / "bogota.osm.pbf"
    named = Settings.from_env({"CARE_ATLAS_NETWORK_FILE": str(tmp_path / "x.graphml")})
    assert named.network_file == (tmp_path / "x.graphml").resolve()


def test_value_cap_and_streamlit_upload_limit() -> None:
    assert Settings.from_env({}).max_value_chars == 10_000
    s = Settings.from_env({"CARE_ATLAS_MAX_VALUE_CHARS": "500", "CARE_ATLAS_MAX_UPLOAD_MB": "7.5"})
    assert s.max_value_chars == 500
    assert s.streamlit_upload_mb == 8  # Streamlit takes whole megabytes: never below the cap
    assert Settings.from_env({"CARE_ATLAS_MAX_UPLOAD_MB": "0.2"}).streamlit_upload_mb == 1
    assert Settings.from_env({}).streamlit_upload_mb == 50


def test_settings_cli_prints_streamlits_upload_limit(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from geo import settings as module

    monkeypatch.setenv("CARE_ATLAS_MAX_UPLOAD_MB", "12")
    module.get_settings.cache_clear()
    try:
        assert module.main(["upload-mb"]) == 0
        assert capsys.readouterr().out == "12\n"
        assert module.main([]) == 2
    finally:
        module.get_settings.cache_clear()
