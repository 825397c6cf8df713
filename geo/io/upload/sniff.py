"""Identify a format from its bytes and decode text.

Byte-order marks, UTF-16, UTF-8 or a legacy code page the person chooses.
"""

from __future__ import annotations

import codecs
import logging
import re

from geo.errors import Choice
from geo.io.upload.context import _Ctx
from geo.io.upload.messages import _ENCODING_NAMES, _ENCODING_OPTIONS

log = logging.getLogger(__name__)

#: the ending only which problem a failed read is reported as.
_CLAIMED_FORMATS = {
    ".json": "json",
    ".geojson": "json",
    ".topojson": "json",
    ".gpkg": "gpkg",
    ".zip": "zip",
    ".kmz": "zip",
}


def _sniff(data: bytes) -> str:
    """Name the format of ``data`` from its first bytes."""
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if data.startswith(b"SQLite format 3\x00"):
        return "gpkg" if data[68:72] in (b"GPKG", b"GP10", b"GP11") else "sqlite"
    signatures = {
        b"\x1f\x8b": "gzip",
        b"BZh": "bzip2",
        b"\xfd7zXZ\x00": "xz",
        b"Rar!": "rar",
        b"7z\xbc\xaf\x27\x1c": "7z",
        b"\xd0\xcf\x11\xe0": "excel",
        b"%PDF": "PDF",
        b"\x89PNG": "image",
        b"\xff\xd8\xff": "image",
        b"GIF8": "image",
        b"\x00\x00\x27\x0a": "bare_shp",
    }
    for signature, kind in signatures.items():
        if data.startswith(signature):
            return kind
    head = _head_text(data)
    stripped = head.lstrip("\ufeff\x1e \t\r\n")
    if not _looks_like_text(data):
        return "binary"
    if stripped.startswith(("{", "[")):
        return "json"
    lowered = stripped[:4096].lower()
    if stripped.startswith("<"):
        if "<kml" in lowered:
            return "kml"
        if "<html" in lowered or "<!doctype html" in lowered:
            return "html"
        return "xml"
    return "text"


def _head_text(data: bytes) -> str:
    """The first bytes as text, well enough to see which format they start."""
    head = data[:8192]
    encoding = _bom_encoding(head) or _utf16_guess(head)
    if encoding:
        return head.decode(encoding, errors="replace")
    return head.decode("latin-1")


def _bom_encoding(data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _utf16_guess(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark: ASCII text with every other byte zero."""
    head = data[:4096]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


_BINARY_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])


def _looks_like_text(data: bytes) -> bool:
    """Whether ``data`` is text: no zero bytes (outside UTF-16/32), few control bytes."""
    head = data[:65536]
    if _bom_encoding(head) in ("utf-16", "utf-32") or _utf16_guess(head):
        return True
    controls = len(head) - len(head.translate(None, _BINARY_BYTES))
    return b"\x00" not in head and controls <= 0.01 * len(head)


def _refuse_format(kind: str, ctx: _Ctx) -> None:
    if kind == "excel":
        raise ctx.error("fmt_excel")
    if kind in ("gzip", "bzip2", "xz", "rar", "7z"):
        raise ctx.error("fmt_compressed", kind=kind)
    if kind == "bare_shp":
        raise ctx.error("fmt_bare_shp")
    if kind == "sqlite":
        raise ctx.error("fmt_sqlite")
    if kind == "html":
        raise ctx.error("fmt_html")
    if kind == "xml":
        raise ctx.error("fmt_xml")
    if kind in ("PDF", "image"):
        shown = "PDF" if kind == "PDF" else ctx.word("image")
        raise ctx.error("fmt_other", kind=shown)
    raise ctx.error("unknown_format")


# --------------------------------------------------------------------------- text


def _decode_text(data: bytes, ctx: _Ctx) -> str:
    """Decode text: a chosen encoding, a byte-order mark, UTF-8, else Windows-1252.

    Falling back to Windows-1252 adds a warning; text that is neither raises
    :class:`NeedsChoice` ``"encoding"``.
    """
    chosen = ctx.choices.get("encoding")
    if chosen:
        codec = _codec(chosen)
        options = _encoding_options()
        if codec is None:
            raise ctx.ask_again("encoding", chosen, _why_encoding(ctx), options)
        try:
            return _strip_bom(data.decode(codec))
        except (UnicodeDecodeError, LookupError, ValueError):
            raise ctx.ask_again("encoding", chosen, _why_encoding(ctx), options) from None
    encoding = _bom_encoding(data) or _utf16_guess(data)
    if encoding:
        try:
            return _strip_bom(data.decode(encoding))
        except UnicodeDecodeError:
            raise ctx.error("text_damaged", encoding=encoding.upper()) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise ctx.ask("encoding", "ask_encoding", _encoding_options()) from None
    ctx.warn("w_encoding", encoding=_ENCODING_NAMES["cp1252"])
    return text


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def _codec(name: str) -> str | None:
    """The Python codec for an encoding name (``"1252"``, ``"ANSI 1252"``, ``"UTF8"``...)."""
    text = name.strip().lower()
    text = re.sub(r"^(ansi|oem|windows|win|cp|codepage)[ _-]*(?=\d)", "cp", text)
    if text.isdigit():
        text = {"88591": "latin-1", "65001": "utf-8"}.get(text, f"cp{text}")
    aliases = {"88591": "latin-1", "8859-1": "latin-1", "iso88591": "latin-1"}
    text = aliases.get(text, text)
    try:
        info = codecs.lookup(text)
        "".encode(info.name)  # refuses bytes-to-bytes codecs such as base64
    except (LookupError, ValueError):
        return None
    return info.name


def _encoding_options() -> list[Choice]:
    return [
        Choice(codec, _ENCODING_NAMES.get(codec, codec), _ENCODING_NAMES.get(codec, codec))
        for codec in _ENCODING_OPTIONS
    ]


def _why_encoding(ctx: _Ctx) -> str:
    return ctx.word("why_encoding")
