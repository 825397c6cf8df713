"""Community places for tests: a valid submission and a quick way to put one in a store."""

from __future__ import annotations

from typing import Any

from geo.store import NewPlace

CHILD_CARE_BLOCK: dict[str, Any] = {
    "kind": "care_block",
    "populations": "children",
    "services": "child_care",
    "operator": "community",
}


def new_place(name: str = "Manzana del Cuidado Bosa", **fields: Any) -> NewPlace:
    """A valid care-block submission in Bosa (Bogotá); keyword arguments override fields."""
    values: dict[str, Any] = {
        "name": name,
        "kind": "care_block",
        "populations": "children;carers",
        "services": "child_care;respite",
        "operator": "public",
        "lon": -74.19,
        "lat": 4.62,
    }
    return NewPlace(**(values | fields))


def add_child_care_block(store: Any, *, approve: bool, **fields: Any) -> str:
    """Submit a community child-care block (``fields``: name, lon, lat, ...) and return its id.

    With ``approve`` the moderator "ana" approves it at once.
    """
    place = store.submit(NewPlace(**(CHILD_CARE_BLOCK | fields)))
    if approve:
        store.moderate(place.id, action="approve", moderator="ana")
    return place.id
