"""Saved documents: planning scenarios and presentation stories, one document type.

Both are a name and a JSON payload (:meth:`geo.scenarios.Scenario.to_dict`,
:meth:`geo.stories.Story.to_dict`), read by anyone who has their id and changed or
deleted only with the edit token made when they were saved (kept hashed) or by a
moderator account. They differ only in their table, their id prefix and the error
raised for an unknown id (:data:`DOCUMENT_KINDS`).
"""

from __future__ import annotations

import abc
import dataclasses
import hashlib
import hmac
import json
import logging
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from geo.errors import EditDeniedError, ScenarioNotFoundError, StoryNotFoundError
from geo.store.accounts import AccountStore
from geo.store.base import _checked_limit, _now

log = logging.getLogger(__name__)

MAX_SCENARIO_BYTES = 256 * 1024
"""Largest document payload (JSON) the store accepts."""
MAX_SCENARIO_NAME = 120


@dataclass(frozen=True)
class DocumentKind:
    """What tells one kind of saved document from another."""

    table: str
    """Its table (a fixed name, never from input)."""
    id_prefix: str
    not_found: type[LookupError]


DOCUMENT_KINDS = {
    "scenario": DocumentKind("scenarios", "sc-", ScenarioNotFoundError),
    "story": DocumentKind("stories", "st-", StoryNotFoundError),
}


def _not_found(kind: str, item_id: object) -> LookupError:
    return DOCUMENT_KINDS[kind].not_found(f"No saved {kind} has id {item_id!r}.")


@dataclass(frozen=True)
class StoredDocument:
    """A saved scenario or story: its id (shared in URLs), name, payload and times.

    The payload is a JSON object; the store keeps it as given and does not interpret it.
    """

    id: str
    name: str
    payload: dict[str, Any]
    created_at: str
    updated_at: str
    edit_token: str = dataclasses.field(default="", repr=False, compare=False)
    """The secret that lets its holder change it: set only on the value returned when a
    new one is saved (the store keeps only its hash), empty otherwise."""


StoredScenario = StoredDocument
"""The name the pages knew it by (a story is stored the same way)."""


class DocumentStore(AccountStore):
    """Saved scenarios and stories (the backend implements the ``_`` hooks).

    An :class:`AccountStore` too: a moderator account may change any document.
    """

    def save_document(
        self,
        kind: str,
        name: str,
        payload: Mapping[str, Any],
        *,
        document_id: str | None = None,
        edit_token: str | None = None,
        moderator: str | None = None,
    ) -> StoredDocument:
        """Save a scenario or a story; return once it is committed.

        Parameters
        ----------
        kind
            ``"scenario"`` or ``"story"`` (a key of :data:`DOCUMENT_KINDS`).
        name
            What the planner calls it (1-120 characters once stripped).
        payload
            A JSON object of at most :data:`MAX_SCENARIO_BYTES` bytes.
        document_id
            Overwrite this saved document (rename or update it); ``None`` saves a new
            one with a new unguessable id and a new edit token.
        edit_token
            To overwrite: the :attr:`StoredDocument.edit_token` returned when it was made.
        moderator
            To overwrite without the token: the name of a moderator account.

        Returns
        -------
        StoredDocument
            The saved document; a new one carries its ``edit_token`` (keep it: the
            store keeps only its hash).

        Raises
        ------
        ValueError
            Empty or too long name, payload not a JSON object or too large.
        ScenarioNotFoundError, StoryNotFoundError
            ``document_id`` is given but no document of this kind has it.
        EditDeniedError
            ``document_id`` is given without its edit token or a moderator account.
        """
        name, text = _checked_document(name, payload)
        now = _now()
        if document_id is None:
            token = secrets.token_urlsafe(24)
            stored = StoredDocument(
                id=f"{DOCUMENT_KINDS[kind].id_prefix}{uuid.uuid4().hex[:16]}",
                name=name,
                payload=json.loads(text),
                created_at=now,
                updated_at=now,
                edit_token=token,
            )
            self._insert_document(kind, stored, text, _token_hash(token))
        else:
            self._authorise(kind, str(document_id), edit_token, moderator)
            created = self._update_document(kind, str(document_id), name, text, now)
            stored = StoredDocument(str(document_id), name, json.loads(text), created, now)
        log.info("Saved %s %s", kind, stored.id)
        return stored

    def get_document(self, kind: str, document_id: str) -> StoredDocument:
        """Return one saved document (the kind's not-found error when none has the id)."""
        found = self._select_documents(kind, item_id=str(document_id), limit=1)
        if not found:
            raise _not_found(kind, document_id)
        return found[0]

    def documents(self, kind: str, *, limit: int = 100) -> list[StoredDocument]:
        """Return the saved documents of one kind, most recently saved first."""
        return self._select_documents(kind, item_id=None, limit=_checked_limit(limit))

    def delete_document(
        self,
        kind: str,
        document_id: str,
        *,
        edit_token: str | None = None,
        moderator: str | None = None,
    ) -> None:
        """Delete a saved document, committed on return.

        Raises
        ------
        ScenarioNotFoundError, StoryNotFoundError
            No document of this kind has this id.
        EditDeniedError
            Neither its edit token nor a moderator account was given.
        """
        self._authorise(kind, str(document_id), edit_token, moderator)
        if not self._delete_document(kind, str(document_id)):
            raise _not_found(kind, document_id)
        by = f" (moderator {moderator})" if moderator else ""
        log.info("Deleted %s %s%s", kind, document_id, by)

    def can_edit_document(self, kind: str, document_id: str, edit_token: str | None) -> bool:
        """Whether ``edit_token`` is the edit token of this document."""
        return self._token_matches(kind, document_id, edit_token)

    # ---- shared by both kinds

    def _token_matches(self, kind: str, item_id: str, edit_token: str | None) -> bool:
        if not isinstance(edit_token, str) or not edit_token:
            return False
        expected = self._document_token_hash(kind, str(item_id))
        return expected is not None and hmac.compare_digest(_token_hash(edit_token), expected)

    def _authorise(
        self, kind: str, item_id: str, edit_token: str | None, moderator: str | None
    ) -> None:
        """Raise unless the document exists and the token is its own, or a moderator acts."""
        self.get_document(kind, item_id)  # the kind's not-found error first
        if moderator is not None:
            if self.moderator_password_hash(moderator) is None:
                raise EditDeniedError(f"{moderator!r} is not a moderator account.")
            return
        if not self._token_matches(kind, item_id, edit_token):
            raise EditDeniedError(
                f"Changing the saved {kind} {item_id!r} needs its edit link or a moderator."
            )

    @abc.abstractmethod
    def _insert_document(
        self, kind: str, item: StoredDocument, payload: str, token_hash: str
    ) -> None:
        """Insert a new scenario or story row and its token hash, committed on return."""

    @abc.abstractmethod
    def _update_document(self, kind: str, item_id: str, name: str, payload: str, at: str) -> str:
        """Update name and payload; return ``created_at``; raise the kind's not-found error."""

    @abc.abstractmethod
    def _select_documents(
        self, kind: str, *, item_id: str | None, limit: int
    ) -> list[StoredDocument]:
        """One document, or the latest ``limit``, newest ``updated_at`` first."""

    @abc.abstractmethod
    def _delete_document(self, kind: str, item_id: str) -> bool:
        """Delete one document and its token hash; whether it existed."""

    @abc.abstractmethod
    def _document_token_hash(self, kind: str, item_id: str) -> str | None:
        """The stored hash of a document's edit token; None when it has none."""


def _token_hash(token: str) -> str:
    """SHA-256 of an edit token: tokens are 192 random bits, so no slow hash is needed."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _checked_document(name: object, payload: object) -> tuple[str, str]:
    """A document's name (stripped) and payload as JSON text, or ValueError."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError("A scenario needs a name: type one before saving.")
    name = " ".join(name.split())
    if len(name) > MAX_SCENARIO_NAME:
        raise ValueError(
            f"The scenario name has {len(name)} characters; keep it under {MAX_SCENARIO_NAME}."
        )
    if not isinstance(payload, Mapping):
        raise ValueError(f"A scenario payload is a JSON object, not {type(payload).__name__}.")
    try:
        text = json.dumps(dict(payload), ensure_ascii=False, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"The scenario cannot be saved as JSON ({exc}).") from None
    if len(text.encode()) > MAX_SCENARIO_BYTES:
        raise ValueError(
            f"The scenario is {len(text.encode()):,} bytes; the most the store keeps is "
            f"{MAX_SCENARIO_BYTES:,}: remove some sites."
        )
    return name, text
