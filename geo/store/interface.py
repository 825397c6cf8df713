"""The one store interface both backends implement: places, accounts and documents."""

from __future__ import annotations

from geo.store.documents import DocumentStore
from geo.store.places import PlaceStore


class Store(PlaceStore, DocumentStore):
    """Community submissions, moderation and the audit log, on SQLite or PostGIS.

    Also moderator accounts with their sign-in limits (:class:`~geo.store.accounts.AccountStore`)
    and saved scenarios and stories (:class:`~geo.store.documents.DocumentStore`). Open one with
    :func:`geo.store.open_store`; close it with :meth:`close` (or use it as a context
    manager). A store may be shared between threads.
    """
