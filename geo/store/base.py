"""The store's shared core: its error, schema version, lifecycle and time/JSON helpers."""

from __future__ import annotations

import abc
import datetime as dt
import json
import logging
from collections.abc import Mapping
from types import TracebackType
from typing import Any, ClassVar, Self

log = logging.getLogger(__name__)

SCHEMA_VERSION = 4


class StoreBase(abc.ABC):
    """What every part of the store shares: the backend's name and its lifecycle."""

    backend: ClassVar[str]

    @abc.abstractmethod
    def integrity_check(self) -> str:
        """Return ``"ok"`` when the database is sound, otherwise what is wrong."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the connection(s). The store is unusable afterwards."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _now() -> str:
    return _iso(dt.datetime.now(dt.UTC))


def _iso(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with microseconds: fixed width, so strings sort as moments."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _parse_iso(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValueError(
            f"{text!r} is not an ISO 8601 moment (e.g. 2026-01-31T14:00:00+00:00)."
        ) from None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def _json(value: Mapping[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _first_line(exc: BaseException) -> str:
    detail = getattr(exc, "orig", None) or exc
    return str(detail).strip().splitlines()[0] if str(detail).strip() else type(exc).__name__


def _checked_limit(limit: object) -> int:
    """``limit`` as a positive integer, or ValueError."""
    if not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a positive integer, not {limit!r}.")
    return limit


def _checked_page(limit: object, offset: object) -> tuple[int | None, int]:
    """``limit`` (a positive integer or None) and ``offset`` (an integer >= 0), or ValueError."""
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise ValueError(f"limit must be a positive integer or None, not {limit!r}.")
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise ValueError(f"offset must be an integer >= 0, not {offset!r}.")
    return limit, offset
