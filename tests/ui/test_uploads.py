"""ui.uploads: an upload is held once, a refused one not at all; the operator is warned
when Streamlit's upload limit is not the app's."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pandas as pd
import pytest
from streamlit.proto.Common_pb2 import FileURLs
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFile, UploadedFileRec

from ui import uploads


@pytest.fixture
def manager(monkeypatch: pytest.MonkeyPatch) -> MemoryUploadedFileManager:
    """Streamlit's in-memory file store, as the running script sees it."""
    mgr = MemoryUploadedFileManager("/upload")
    ctx = SimpleNamespace(uploaded_file_mgr=mgr, session_id="session-1")
    monkeypatch.setattr(uploads, "get_script_run_ctx", lambda: ctx)
    return mgr


def _uploaded(mgr: MemoryUploadedFileManager, data: bytes) -> UploadedFile:
    record = UploadedFileRec(file_id="f-1", name="capa.geojson", type="application/json", data=data)
    mgr.add_file("session-1", record)
    return UploadedFile(record, FileURLs())


def test_release_drops_streamlits_copy(manager: MemoryUploadedFileManager) -> None:
    file = _uploaded(manager, b"x" * 4096)
    assert manager.get_files("session-1", ["f-1"])
    uploads._release(file)
    assert manager.get_files("session-1", ["f-1"]) == []
    assert sum(stat.byte_length for stat in manager.get_stats()) == 0


def test_the_upload_limit_warning_names_both_values(caplog: pytest.LogCaptureFixture) -> None:
    uploads._upload_limit_warning.clear()
    with caplog.at_level(logging.WARNING, logger="ui.uploads"):
        assert uploads._upload_limit_warning(50, 50) is None
        message = uploads._upload_limit_warning(200, 50)
    assert message is not None
    assert "server.maxUploadSize is 200 MB but CARE_ATLAS_MAX_UPLOAD_MB asks for 50 MB" in message
    assert "--server.maxUploadSize 50" in message
    assert [r.getMessage() for r in caplog.records] == [message]
    uploads._upload_limit_warning.clear()


def test_preview_cuts_long_text_only() -> None:
    frame = pd.DataFrame({"name": ["a" * 500, "corto", None], "n": [1, 2, 3]})
    shown = uploads.preview(frame, max_chars=10)
    assert list(shown["name"][:2]) == ["a" * 9 + "…", "corto"]
    assert pd.isna(shown["name"].iloc[2])
    assert list(shown["n"]) == [1, 2, 3]
    assert frame["name"].iloc[0] == "a" * 500  # the layer itself is not changed
