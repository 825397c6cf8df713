"""Community submissions: a moderated store of care places proposed by people.

One interface, :class:`Store`, two backends with the same behaviour:

- **SQLite** (the default, embedded, no server): the file at
  :attr:`Settings.store_path <geo.settings.Settings.store_path>`, in WAL mode with
  ``synchronous=FULL``; each geometry is a WKB blob, indexed by an R-tree virtual
  table that is updated in the same transaction as its row.
- **PostGIS** when :attr:`Settings.database_url <geo.settings.Settings.database_url>`
  is set: SQLAlchemy 2 Core, GeoAlchemy2 and psycopg 3; ``geometry(Point, 4326)``
  with a GIST index.

Every write is one transaction, and a write method returns only after ``COMMIT``: when
:meth:`Store.submit` returns, the submission survives a crash of the process, so the
interface may say "saved". A moderation (approve, reject, edit) writes its audit row
(who, when, what, the place before and after, as JSON) in the same transaction as
the change. All SQL is parameterised; no value is ever formatted into a statement.

Moderator accounts (name + scrypt hash, :meth:`Store.add_moderator`), failed sign-ins
and lockouts (per account and per client address, :meth:`Store.record_sign_in_failure`)
live in the store too, so a new browser session starts with the same limits. Saved
stories and scenarios are read by anyone who has their id; changing or deleting one
needs the edit token made when it was saved (kept hashed) or a moderator account.

The store keeps what it is given: checking a submission against the vocabularies and
cleaning its text is :func:`geo.community.validate_place`'s job, done before
:meth:`Store.submit`. The store only refuses what would corrupt it (a non-string
field, a coordinate that is not a finite longitude/latitude).

The package, one job per module (``from geo.store import ...`` reaches them all):

- :mod:`geo.store.base`: :class:`StoreError`, the schema version, the lifecycle every
  backend shares (``close``, ``integrity_check``, the context manager) and time helpers.
- :mod:`geo.store.places`: :class:`NewPlace`, :class:`Place`, submissions, moderation
  and its audit log (:class:`PlaceStore`).
- :mod:`geo.store.accounts`: moderator accounts, failed sign-ins and lockouts
  (:class:`AccountStore`).
- :mod:`geo.store.documents`: scenarios and stories, one document type kept in two
  tables, with edit tokens (:class:`DocumentStore`).
- :mod:`geo.store.interface`: :class:`Store`, the three together.
- :mod:`geo.store.sqlite` and :mod:`geo.store.postgis`: the two backends.

Example::

    store = open_store(get_settings())
    try:
        place = store.submit(validate_place(new_place, lang="es"))
    finally:
        store.close()
"""

from __future__ import annotations

from geo.errors import (
    EditDeniedError,
    ModeratorNotFoundError,
    PlaceNotFoundError,
    ScenarioNotFoundError,
    StoreError,
    StoryNotFoundError,
)
from geo.settings import Settings
from geo.store.accounts import (
    FAILURE_MEMORY,
    MAX_ACCOUNT_NAME_CHARS,
    SIGN_IN_EVENTS,
    SIGN_IN_LOG_COLUMNS,
    AccountStore,
    Moderator,
    SignInFailure,
)
from geo.store.base import SCHEMA_VERSION, StoreBase
from geo.store.documents import (
    DOCUMENT_KINDS,
    MAX_SCENARIO_BYTES,
    MAX_SCENARIO_NAME,
    DocumentStore,
    StoredDocument,
    StoredScenario,
)
from geo.store.interface import Store
from geo.store.places import (
    ACTIONS,
    APPROVED_COLUMNS,
    AUDIT_COLUMNS,
    MAX_MODERATOR_CHARS,
    NEW_PLACE_FIELDS,
    SOURCE,
    STATUSES,
    TEXT_FIELDS,
    Moderation,
    NewPlace,
    Place,
    PlaceQuery,
    PlaceStore,
)
from geo.store.postgis import PostGISStore, postgis_url
from geo.store.postgis import _pg_select as _pg_select  # the SQL the store tests check
from geo.store.sqlite import _SQLITE_SELECT_BBOX as _SQLITE_SELECT_BBOX  # (its query plan)
from geo.store.sqlite import SQLiteStore

__all__ = [
    "ACTIONS",
    "APPROVED_COLUMNS",
    "AUDIT_COLUMNS",
    "DOCUMENT_KINDS",
    "FAILURE_MEMORY",
    "MAX_ACCOUNT_NAME_CHARS",
    "MAX_MODERATOR_CHARS",
    "MAX_SCENARIO_BYTES",
    "MAX_SCENARIO_NAME",
    "NEW_PLACE_FIELDS",
    "SCHEMA_VERSION",
    "SIGN_IN_EVENTS",
    "SIGN_IN_LOG_COLUMNS",
    "SOURCE",
    "STATUSES",
    "TEXT_FIELDS",
    "AccountStore",
    "DocumentStore",
    "EditDeniedError",
    "Moderation",
    "Moderator",
    "ModeratorNotFoundError",
    "NewPlace",
    "Place",
    "PlaceNotFoundError",
    "PlaceQuery",
    "PlaceStore",
    "PostGISStore",
    "SQLiteStore",
    "ScenarioNotFoundError",
    "SignInFailure",
    "Store",
    "StoreBase",
    "StoreError",
    "StoredDocument",
    "StoredScenario",
    "StoryNotFoundError",
    "open_store",
    "postgis_url",
]


def open_store(settings: Settings) -> Store:
    """Open the configured store, creating its schema when missing.

    Parameters
    ----------
    settings
        PostGIS at ``settings.database_url`` when it is set, otherwise SQLite at
        ``settings.store_path`` (its folder is created).

    Raises
    ------
    StoreError
        The database cannot be reached, lacks PostGIS, or has a newer schema.
    ValueError
        ``database_url`` is not a PostgreSQL URL.
    """
    if settings.database_url:
        return PostGISStore(settings.database_url)
    return SQLiteStore(settings.store_path)
