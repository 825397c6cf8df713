"""Community submissions before they reach the store: checks, duplicates, passwords.

- :func:`validate_place` cleans a submission (Unicode NFC, control and bidi characters
  removed, blanks collapsed), checks it against :mod:`geo.vocab` and the field caps,
  and raises :class:`SubmissionError` (a :class:`~geo.errors.LayerError`) with one
  sentence in Spanish or English naming the field and what to do.
- :func:`likely_duplicates` finds places already on the map with a similar name
  (accents and case ignored) within a short distance, measured in metres in the UTM
  zone of the submission, never in degrees.
- :func:`hash_password` / :func:`verify_password`: the moderators' password as
  ``scrypt$<n>$<r>$<p>$<salt-hex>$<hash-hex>`` (:mod:`hashlib` scrypt, random salt,
  constant-time comparison). :func:`main_hash_password` is the command that prints one;
  :func:`read_new_password` reads one for it and for ``python -m geo moderator``.
"""

from __future__ import annotations

import difflib
import getpass
import hashlib
import hmac
import logging
import math
import re
import secrets
import sys
import unicodedata

import geopandas as gpd
import pandas as pd
import shapely

from geo import catalog, vocab
from geo.errors import LayerError, SubmissionError
from geo.store import TEXT_FIELDS, NewPlace
from geo.vocab import LANGUAGES

log = logging.getLogger(__name__)

# Kinds a person can submit: places, not boundaries or national policies.
SUBMITTABLE_KINDS = tuple(
    kind for kind in vocab.KINDS if kind not in ("boundary", "policy", "demand", "proposal")
)
# Longest value of each free-text field, in characters, after cleaning (``country`` is
# checked as a two-letter code, the others against the vocabularies).
MAX_CHARS = {
    "name": 200,
    "place_name": 300,
    "hours": 200,
    "contact": 200,
    "how_known": 1000,
    "submitter": 128,
    "city": 100,
}
MULTILINE_FIELDS = ("how_known",)
DUPLICATE_COLUMNS = ("distance_m", "similarity")

SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
MIN_PASSWORD_CHARS = 10
_MAX_SCRYPT_BYTES = 256 * 2**20  # refuse hashes whose parameters would need more memory


# --------------------------------------------------------------------------- messages
# The sentences are in the catalogs (locale/*/LC_MESSAGES/care_atlas.po): submit_<key>,
# and submit_field_<field> for the field's name in them.


def _error(key: str, *, lang: str, field: str, **values: object) -> SubmissionError:
    label_key = f"submit_field_{field}"
    label = catalog.text(label_key, lang) if label_key in catalog.entries(lang) else field
    params = {"label": label, **values}
    return SubmissionError(
        catalog.text(f"submit_{key}", lang, **params),
        field=field,
        code=f"submit_{key}",
        params=params,
    )


def _shown(value: object) -> str:
    """A user's value, short and on one line, to quote in a message."""
    text = " ".join(clean_text(str(value)).split())
    return text if len(text) <= 40 else text[:39] + "…"


# --------------------------------------------------------------------------- text

# Bidirectional controls (Trojan Source) and other invisible format characters are
# dropped; ZWNJ/ZWJ and emoji tag characters are kept, they are part of what people
# write (👩‍👧, flags).
_KEEP_FORMAT = frozenset({"\u200c", "\u200d"})
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def clean_text(value: str, *, multiline: bool = False) -> str:
    r"""Return text safe to store and show: NFC, no control or bidi characters, tidy blanks.

    Parameters
    ----------
    value
        Text as typed or pasted.
    multiline
        Keep line breaks (as ``\n``, at most one blank line in a row); otherwise every
        run of blanks, line breaks included, becomes one space.
    """
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n")
    kept: list[str] = []
    for char in text:
        if char in _LINE_BREAKS:
            kept.append("\n" if multiline else " ")
        elif char == "\t":
            kept.append(" ")
        elif _dropped(char):
            continue
        else:
            kept.append(char)
    text = "".join(kept)
    if not multiline:
        return " ".join(text.split())
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _dropped(char: str) -> bool:
    category = unicodedata.category(char)
    if category in ("Cc", "Cs"):
        return True
    if category == "Cf":
        return char not in _KEEP_FORMAT and not 0xE0020 <= ord(char) <= 0xE007F
    return False


def normalise_name(name: str) -> str:
    """Fold a name for comparison: no accents, case-folded, punctuation as blanks.

    ``"Manzana del Cuidado - Bosá"`` and ``"manzana del cuidado bosa"`` fold alike.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[\W_]+", " ", bare.casefold()).split())


def name_similarity(a: str, b: str) -> float:
    """Similarity of two names in [0, 1] after :func:`normalise_name` (difflib ratio)."""
    left, right = normalise_name(a), normalise_name(b)
    if not left or not right:
        return 0.0
    return difflib.SequenceMatcher(None, left, right, autojunk=False).ratio()


# --------------------------------------------------------------------------- validation


def validate_place(place: NewPlace, *, lang: str) -> NewPlace:
    """Clean and check a submission; return the cleaned copy.

    Parameters
    ----------
    place
        The submission as the form built it.
    lang
        ``"es"`` or ``"en"``: the language of the error message.

    Returns
    -------
    NewPlace
        Text cleaned with :func:`clean_text`, code lists de-duplicated in vocabulary
        order, ``country`` upper-cased, coordinates as floats.

    Raises
    ------
    SubmissionError
        One sentence in ``lang`` naming the first field to fix (``.field``).
    ValueError
        ``lang`` is not ``"es"`` or ``"en"``.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}.")
    cleaned: dict[str, str] = {}
    for name in TEXT_FIELDS:
        value = getattr(place, name)
        if not isinstance(value, str):
            raise _error("not_text", lang=lang, field=name)
        cleaned[name] = clean_text(value, multiline=name in MULTILINE_FIELDS)

    if not cleaned["name"]:
        raise _error("name_missing", lang=lang, field="name")
    for field, limit in MAX_CHARS.items():
        n = len(cleaned[field])
        if n > limit:
            raise _error("too_long", lang=lang, field=field, n=n, limit=limit)

    for field, allowed in (
        ("kind", SUBMITTABLE_KINDS),
        ("operator", vocab.OPERATORS),
        ("location_precision", vocab.PRECISIONS),
    ):
        if cleaned[field] not in allowed:
            raise _error("unknown_code", lang=lang, field=field, value=_shown(cleaned[field]))
    for field, allowed in (("populations", vocab.POPULATIONS), ("services", vocab.SERVICES)):
        codes = vocab.split_codes(cleaned[field])
        unknown = [code for code in codes if code not in allowed]
        if unknown:
            raise _error("unknown_code", lang=lang, field=field, value=_shown(unknown[0]))
        cleaned[field] = vocab.CODE_SEPARATOR.join(code for code in allowed if code in codes)
    if not cleaned["services"]:
        raise _error("services_missing", lang=lang, field="services")

    country = cleaned["country"].upper()
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        raise _error("country", lang=lang, field="country", value=_shown(country))
    cleaned["country"] = country

    lon, lat = _coordinates(place.lon, place.lat, lang=lang)
    return NewPlace(**cleaned, lon=lon, lat=lat)


def _coordinates(lon: object, lat: object, *, lang: str) -> tuple[float, float]:
    try:
        lon_f, lat_f = float(lon), float(lat)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        lon_f = lat_f = math.nan
    valid = (
        math.isfinite(lon_f)
        and math.isfinite(lat_f)
        and -180.0 <= lon_f <= 180.0
        and -90.0 <= lat_f <= 90.0
        and (lon_f, lat_f) != (0.0, 0.0)  # "null island": a form default, not a place
    )
    if not valid:
        raise _error("location", lang=lang, field="location", lon=_shown(lon), lat=_shown(lat))
    return lon_f, lat_f


# --------------------------------------------------------------------------- duplicates


def likely_duplicates(
    place: NewPlace,
    existing: gpd.GeoDataFrame,
    *,
    within_m: float = 100.0,
    min_similarity: float = 0.8,
    name_column: str = "name",
) -> pd.DataFrame:
    """Find places already known that are probably the one being submitted.

    Parameters
    ----------
    place
        The submission (its ``name``, ``lon`` and ``lat``).
    existing
        Places already on the map (bundled layers, approved and pending submissions),
        in any CRS.
    within_m
        Largest distance, in metres, measured in the UTM zone of ``place``.
    min_similarity
        Smallest :func:`name_similarity` (0-1) to count as the same name.
    name_column
        Column of ``existing`` holding the names.

    Returns
    -------
    pandas.DataFrame
        The matching rows of ``existing`` (index kept, geometry dropped) with
        ``distance_m`` and ``similarity``, nearest first; empty when none match.

    Raises
    ------
    LayerError
        ``existing`` has no CRS or no ``name_column``.
    ValueError
        ``within_m`` is not positive or ``min_similarity`` is outside [0, 1].
    """
    if not (math.isfinite(within_m) and within_m > 0):
        raise ValueError(f"within_m must be a positive number of metres, not {within_m!r}.")
    if not 0.0 <= min_similarity <= 1.0:
        raise ValueError(f"min_similarity must be between 0 and 1, not {min_similarity!r}.")
    if existing.crs is None:
        raise LayerError(
            "existing places layer has no CRS; set it (e.g. gdf.set_crs('EPSG:4326')) "
            "before looking for duplicates."
        )
    if name_column not in existing.columns:
        raise LayerError(
            f"existing places layer has no {name_column!r} column to compare names; "
            f"pass name_column= one of {list(existing.columns)}."
        )
    attributes = pd.DataFrame(existing.drop(columns=existing.geometry.name))
    empty = attributes.iloc[0:0].assign(distance_m=pd.Series(dtype=float), similarity=0.0)
    if existing.empty:
        return empty
    origin = gpd.GeoSeries([shapely.Point(float(place.lon), float(place.lat))], crs=4326)
    metric = origin.estimate_utm_crs()
    here = origin.to_crs(metric).iloc[0]
    distance_m = existing.geometry.to_crs(metric).distance(here)
    near = distance_m <= within_m  # NaN (empty geometry) compares False
    if not near.any():
        return empty
    similarity = attributes.loc[near, name_column].map(
        lambda other: name_similarity(place.name, other) if isinstance(other, str) else 0.0
    )
    keep = similarity[similarity >= min_similarity].index
    result = attributes.loc[keep].assign(
        distance_m=distance_m.loc[keep].astype(float), similarity=similarity.loc[keep]
    )
    return result.sort_values(["distance_m", "similarity"], ascending=[True, False])


# --------------------------------------------------------------------------- passwords


def hash_password(password: str) -> str:
    """Hash a moderator password with scrypt and a fresh random salt.

    Returns
    -------
    str
        ``scrypt$<n>$<r>$<p>$<salt-hex>$<hash-hex>``, for
        ``CARE_ATLAS_MODERATOR_PASSWORD_HASH``.
    """
    if not isinstance(password, str) or not password:
        raise ValueError("The password is empty: type one.")
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, length=KEY_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${key.hex()}"


def verify_password(password: str, hashed: str) -> bool:
    """Check a password against a :func:`hash_password` hash, in constant time.

    An empty ``hashed`` (moderation sign-in disabled) never matches.

    Raises
    ------
    ValueError
        ``hashed`` is not a ``scrypt$...`` hash this module can check.
    """
    if not hashed:
        return False
    n, r, p, salt, expected = _parse_hash(hashed)
    if not isinstance(password, str) or not password:
        return False
    key = _scrypt(password, salt, n=n, r=r, p=p, length=len(expected))
    return hmac.compare_digest(key, expected)


def _scrypt(password: str, salt: bytes, *, n: int, r: int, p: int, length: int) -> bytes:
    secret = unicodedata.normalize("NFC", password).encode("utf-8")
    maxmem = 2 * 128 * r * (n + p) + 2**20
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=length)


def _parse_hash(hashed: str) -> tuple[int, int, int, bytes, bytes]:
    bad = ValueError(
        "CARE_ATLAS_MODERATOR_PASSWORD_HASH is not a scrypt$<n>$<r>$<p>$<salt>$<hash> "
        "hash: make one with `python -m geo hash-password`."
    )
    parts = hashed.strip().split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        raise bad
    try:
        n, r, p = (int(part) for part in parts[1:4])
        salt, expected = bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
    except ValueError:
        raise bad from None
    sane = (
        n > 1
        and n & (n - 1) == 0
        and 1 <= r <= 64
        and 1 <= p <= 16
        and 128 * r * n <= _MAX_SCRYPT_BYTES
        and 8 <= len(salt) <= 64
        and 16 <= len(expected) <= 64
    )
    if not sane:
        raise bad
    return n, r, p, salt, expected


def read_new_password() -> str | None:
    """Read a new password: twice at a terminal (not echoed), one line from a pipe.

    Returns the password, or ``None`` after saying on standard error why not (the two
    differ, or it is shorter than :data:`MIN_PASSWORD_CHARS`).
    """
    if sys.stdin.isatty():
        password = getpass.getpass("Moderator password: ")
        if getpass.getpass("Repeat it: ") != password:
            sys.stderr.write("The two passwords differ; nothing was changed.\n")
            return None
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_PASSWORD_CHARS:
        sys.stderr.write(
            f"The password is shorter than {MIN_PASSWORD_CHARS} characters; choose a longer one.\n"
        )
        return None
    return password


def main_hash_password() -> int:
    """Read a password (twice at a terminal, one line from a pipe) and print its hash.

    The hash goes to standard output, messages to standard error. Returns the exit code:
    0 on success, 2 when the passwords differ or one is too short.
    """
    password = read_new_password()
    if password is None:
        return 2
    sys.stdout.write(hash_password(password) + "\n")
    sys.stderr.write(
        "Set it as CARE_ATLAS_MODERATOR_PASSWORD_HASH (quote it: it holds '$'); that setting "
        "is deprecated: prefer `python -m geo moderator add NAME`.\n"
    )
    return 0
