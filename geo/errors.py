"""Domain exceptions, all of them: small, subclassing builtins, with messages a person can act on.

Each :class:`LayerError` may carry a catalog ``code`` (a key of
``locale/*/LC_MESSAGES/care_atlas.po``) and its ``params``: ``ui/`` says the error in
the person's language with ``ui.i18n.error_text(err, lang)``, whatever language
``str(err)`` was written in (English for logs and the command line, unless the
caller asked geo for another).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any


class LayerError(ValueError):
    """A layer (file, registry entry or frame) is not usable as it is.

    The message names the file, the feature and the field where it can, and says
    what to do about it.

    Parameters
    ----------
    message
        The sentence itself (``str(err)``).
    code
        Catalog key of the sentence, or ``None`` for a message with no translation.
    params
        The values of the key's ``{placeholders}`` (``n`` picks a plural form).
    """

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.params = dict(params or {})

    def __reduce__(self) -> tuple[Any, ...]:
        # keyword-only arguments: rebuild through a partial so the error pickles
        return (partial(type(self), code=self.code, params=self.params), self.args)


class RegistryError(LayerError):
    """The layer registry (``data/layers.toml``) is malformed or names a missing layer."""


@dataclass(frozen=True)
class Choice:
    """One possible answer to a :class:`NeedsChoice` question, labelled in Spanish and English.

    ``value`` is what the page passes back in ``choices``; the labels are shown.
    """

    value: str
    label_es: str
    label_en: str

    def label(self, lang: str) -> str:
        """The label in ``lang`` (``"es"`` or ``"en"``; Spanish for anything else)."""
        return self.label_en if lang == "en" else self.label_es


class NeedsChoice(LayerError):  # noqa: N818 (the name the issue asks for)
    """Only the user can decide: carries the options; the page asks and calls again.

    Parameters
    ----------
    message
        One sentence, in the requested language, naming the file and what is unclear.
    question
        What to decide: ``"crs"``, ``"coordinates"``, ``"swap"``, ``"layer"`` or
        ``"encoding"``; it is also the key of the answer in the ``choices`` mapping
        passed back to the reader (together with the earlier answers).
    options
        The possible answers; ``{question: option.value}`` answers the question.
    """

    QUESTIONS = ("crs", "coordinates", "swap", "layer", "encoding")

    def __init__(
        self,
        message: str,
        *,
        question: str,
        options: list[Choice],
        code: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        if question not in self.QUESTIONS:
            raise ValueError(f"unknown question {question!r}; use one of {self.QUESTIONS}")
        super().__init__(message, code=code, params=params)
        self.question = question
        self.options = list(options)

    def __reduce__(self) -> tuple[Any, ...]:
        # keyword-only arguments: rebuild through a partial so the error pickles
        rebuild = partial(
            type(self),
            question=self.question,
            options=self.options,
            code=self.code,
            params=self.params,
        )
        return (rebuild, self.args)


# --------------------------------------------------------------------------- data in


class SubmissionError(LayerError):
    """A submission cannot be stored as it is; ``field`` names the field to fix."""

    def __init__(
        self,
        message: str,
        *,
        field: str,
        code: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code=code, params=params)
        self.field = field

    def __reduce__(self) -> tuple[Any, ...]:
        # keyword-only arguments: rebuild through a partial so the error pickles
        rebuild = partial(type(self), field=self.field, code=self.code, params=self.params)
        return (rebuild, self.args)


class NetworkError(LayerError):
    """A street network file that cannot be used (unreadable, empty, no walkable ways)."""


class AtlasSourceError(LayerError):
    """An official layer is missing, unreadable or not what its schema says."""


# --------------------------------------------------------------------------- the store


class StoreError(RuntimeError):
    """The store cannot be opened or used (unreachable server, missing PostGIS, newer schema)."""


class PlaceNotFoundError(LookupError):
    """No place with this id is in the store."""


class ModeratorNotFoundError(LookupError):
    """No moderator account has this name."""


class EditDeniedError(PermissionError):
    """Changing a saved story or scenario needs its edit token or a moderator account."""


class ScenarioNotFoundError(LookupError):
    """No scenario has this id."""


class StoryNotFoundError(LookupError):
    """No story has this id."""


# --------------------------------------------------------------------------- long runs


class Cancelled(Exception):  # noqa: N818 (the name the UI codes against)
    """A solve stopped because ``should_stop()`` returned True."""
