"""The upload's words that are not sentences: encoding names and the encodings offered.

The upload's messages themselves (one sentence each, naming the file, the problem and
the fix) are in the catalogs, ``locale/*/LC_MESSAGES/care_atlas.po``, as
``file_<key>``; :meth:`geo.io.upload.context._Ctx.text` says them.
"""

from __future__ import annotations

from geo import catalog

_ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "cp1252": "Windows-1252",
    "latin-1": "ISO-8859-1 (Latin-1)",
    "cp850": "DOS 850",
    "cp437": "DOS 437",
    "mac-roman": "Mac Roman",
}
_ENCODING_OPTIONS = ("latin-1", "cp850", "cp437", "mac-roman")

#: ``file_<key>`` entries of the catalog that are phrases placed inside a message or an
#: answer (a reason, a fix, a "why", an option label), not messages of their own.
PHRASES = ("rows_more", "and", "image", "west", "layer_option", "all_layers")
PHRASE_PREFIXES = ("drop_", "fix_", "why_", "choice_", "swap_")


def message_keys() -> tuple[str, ...]:
    """Return the keys (without ``file_``) of the upload's messages in the catalog."""
    keys = (key.removeprefix("file_") for key in catalog.entries("en") if key.startswith("file_"))
    return tuple(k for k in keys if k not in PHRASES and not k.startswith(PHRASE_PREFIXES))
