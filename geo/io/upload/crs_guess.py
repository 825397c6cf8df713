"""Read or guess an upload's coordinate system.

Parse what the file says, else guess from where the
coordinates fall (Latin America), and ask the person when only they can decide.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from geo import catalog
from geo.errors import Choice
from geo.io.upload.context import (
    CRS_CANDIDATES,
    LATAM_BOUNDS,
    MAX_CRS_OPTIONS,
    _Ctx,
    _Source,
    choice,
)

log = logging.getLogger(__name__)


def _alive(geoms: np.ndarray, drops: Mapping[int, str]) -> np.ndarray:
    return np.array([g is not None and p not in drops for p, g in enumerate(geoms)], dtype=bool)


# --------------------------------------------------------------------------- CRS


def _parse_crs(value: str) -> CRS | None:
    text = value.strip()
    if not text or len(text) > 10_000:
        return None
    if text.isdigit():
        text = f"EPSG:{text}"
    try:
        return CRS.from_user_input(text)
    except (CRSError, ValueError, TypeError):
        return None


def _is_wgs84(crs: CRS) -> bool:
    return crs.equals(CRS.from_epsg(4326), ignore_axis_order=True)


def _crs_label(crs: CRS) -> str:
    code = crs.to_epsg(min_confidence=90)
    return f"EPSG:{code} ({crs.name})" if code else crs.name


@lru_cache(maxsize=128)
def _transformer(code: str) -> Transformer:
    return Transformer.from_crs(CRS.from_user_input(code), 4326, always_xy=True)


@lru_cache(maxsize=128)
def _area(code: str) -> tuple[float, float, float, float] | None:
    area = CRS.from_user_input(code).area_of_use
    return (area.west, area.south, area.east, area.north) if area else None


def _sample(geoms: np.ndarray, drops: Mapping[int, str], limit: int = 5000) -> np.ndarray:
    alive = _alive(geoms, drops)
    if not alive.any():
        return np.empty((0, 2))
    coords = shapely.get_coordinates(geoms[alive])
    if len(coords) > limit:
        coords = coords[np.linspace(0, len(coords) - 1, limit).astype(int)]
    return coords


def _inside(xy: np.ndarray, box: Sequence[float], margin: float = 0.0) -> np.ndarray:
    west, south, east, north = box
    with np.errstate(invalid="ignore"):
        return (
            np.isfinite(xy).all(axis=1)
            & (xy[:, 0] >= west - margin)
            & (xy[:, 0] <= east + margin)
            & (xy[:, 1] >= south - margin)
            & (xy[:, 1] <= north + margin)
        )


def _in_degrees(xy: np.ndarray) -> np.ndarray:
    return _inside(xy, (-180.0, -90.0, 180.0, 90.0))


def _metric_share(xy: np.ndarray) -> float:
    """Share of coordinates far beyond any longitude/latitude: metres (or feet)."""
    with np.errstate(invalid="ignore"):
        return float((np.abs(xy) > 1000).any(axis=1).mean())


def _placed(code: str, xy: np.ndarray) -> tuple[float, np.ndarray] | None:
    """Where ``xy`` in ``code`` lands: (share inside the CRS's area of use, lon/lat), if in LatAm."""
    try:
        lon, lat = _transformer(code).transform(xy[:, 0], xy[:, 1], errcheck=False)
    except (RuntimeError, ValueError):  # PROJ refuses some inputs: such a CRS does not fit
        log.debug("cannot transform sample from %s", code, exc_info=True)
        return None
    lonlat = np.column_stack([lon, lat])
    if _inside(lonlat, LATAM_BOUNDS).mean() < 0.9:
        return None
    area = _area(code)
    if area is not None and _inside(lonlat, area, margin=2.0).mean() < 0.9:
        return None
    strict = float(_inside(lonlat, area).mean()) if area is not None else 1.0
    return strict, lonlat


def _crs_choice(code: str, lonlat: np.ndarray, *, degrees: bool = False) -> Choice:
    lon, lat = float(np.nanmedian(lonlat[:, 0])), float(np.nanmedian(lonlat[:, 1]))
    name = CRS.from_user_input(code).name
    es, en = (
        catalog.text(
            "file_choice_crs",
            lang,
            code=code,
            name=name,
            note=catalog.text("file_choice_degrees_note", lang) if degrees else "",
            lat=f"{abs(lat):.2f}",
            ns="N" if lat >= 0 else "S",
            lon=f"{abs(lon):.2f}",
            ew=catalog.text("file_west", lang) if lon < 0 else "E",
        )
        for lang in ("es", "en")
    )
    return Choice(code, es, en)


def _crs_options(xy: np.ndarray) -> list[Choice]:
    found = []
    for rank, epsg in enumerate(CRS_CANDIDATES):
        code = f"EPSG:{epsg}"
        placed = _placed(code, xy)
        if placed is not None:
            found.append((placed[0] < 0.99, rank, code, placed[1]))
    found.sort(key=lambda item: (item[0], item[1]))
    return [_crs_choice(code, lonlat) for _, _, code, lonlat in found[:MAX_CRS_OPTIONS]]


def _to_wgs84(geoms: np.ndarray, drops: dict[int, str], source: _Source, ctx: _Ctx) -> np.ndarray:
    """Settle the CRS (declared, chosen or asked), swap axes if chosen, reproject."""
    xy = _sample(geoms, drops)
    if not len(xy):
        return geoms
    chosen = ctx.choices.get("crs")
    tentative = _parse_crs(chosen) if chosen and not source.geographic_only else source.crs
    if tentative is None or tentative.is_geographic:
        # before guessing a CRS: swapped Mexican points have "latitudes" beyond -90
        geoms = _maybe_swap(geoms, drops, xy, ctx)
        xy = _sample(geoms, drops)
    crs = _settle_crs(xy, source, ctx)
    if crs is None or _is_wgs84(crs):
        return geoms
    alive = _alive(geoms, drops)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            series = gpd.GeoSeries(list(geoms[alive]), crs=crs).to_crs(4326)
    except (CRSError, ValueError, RuntimeError) as exc:
        log.info("cannot reproject upload %s from %s: %s", ctx.name, crs, exc)
        why = ctx.word("why_not_convertible")
        raise ctx.ask_again("crs", _crs_label(crs), why, _crs_options(xy)) from None
    out = geoms.copy()
    out[alive] = series.array
    ctx.warn("w_reprojected", crs=_crs_label(crs))
    return out


def _settle_crs(xy: np.ndarray, source: _Source, ctx: _Ctx) -> CRS | None:
    """The CRS the coordinates are in; None means longitude/latitude as they stand."""
    degrees = _in_degrees(xy).mean()
    metric = _metric_share(xy) >= 0.5
    chosen = ctx.choices.get("crs")
    if chosen is not None and not source.geographic_only:
        crs = _parse_crs(chosen)
        if crs is None:
            raise ctx.ask_again("crs", chosen, ctx.word("why_unknown_crs"), _crs_options(xy))
        return crs
    declared = source.crs
    if source.geographic_only:
        return declared
    if declared is not None:
        code = _crs_code(declared)
        wrong_prj = (
            declared.is_projected
            and degrees >= 0.9
            and _looks_latam(xy)
            and (code is None or _placed(code, xy) is None)
        )
        if wrong_prj:  # degrees declared as metres
            options = [_crs_choice("EPSG:4326", xy, degrees=True)]
            if code is not None:
                options.append(choice(code, "choice_crs_declared", code=code, name=declared.name))
            raise ctx.ask("crs", "ask_crs_mismatch", options, crs=_crs_label(declared))
        if declared.is_geographic and metric:
            # metres declared as degrees
            options = _crs_options(xy)
            if not options:
                raise ctx.error("crs_none_fits")
            raise ctx.ask("crs", "ask_crs_mismatch", options, crs=_crs_label(declared))
        return declared
    if metric:
        options = _crs_options(xy)
        if not options:
            raise ctx.error("crs_none_fits")
        raise ctx.ask("crs", "ask_crs", options)
    if source.note_assumed:
        ctx.warn("w_assumed_4326")
    return None


def _crs_code(crs: CRS) -> str | None:
    code = crs.to_epsg(min_confidence=70)
    return f"EPSG:{code}" if code else None


def _looks_latam(xy: np.ndarray) -> bool:
    return bool(_inside(xy, LATAM_BOUNDS).mean() >= 0.9)


_SWAP_OPTIONS = [
    choice("yes", "swap_yes"),
    choice("no", "swap_no"),
]


def _maybe_swap(
    geoms: np.ndarray, drops: Mapping[int, str], xy: np.ndarray, ctx: _Ctx
) -> np.ndarray:
    """Swap x and y when chosen; ask when the points only fall in Latin America swapped."""
    answer = ctx.choices.get("swap")
    if answer is None:
        suspicious = (
            bool((np.abs(xy[:, 0]) <= 90).all())
            and _inside(xy, LATAM_BOUNDS).mean() < 0.1
            and _inside(xy[:, ::-1], LATAM_BOUNDS).mean() >= 0.9
        )
        if suspicious:
            raise ctx.ask("swap", "ask_swap", _SWAP_OPTIONS)
        return geoms
    if answer not in ("yes", "no"):
        raise ctx.ask_again("swap", answer, ctx.word("why_yes_no"), _SWAP_OPTIONS)
    if answer == "no":
        return geoms
    alive = _alive(geoms, drops)
    out = geoms.copy()
    out[alive] = shapely.transform(geoms[alive], lambda coords: coords[:, ::-1])
    ctx.warn("w_swapped", n=int(alive.sum()))
    return out
