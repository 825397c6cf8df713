"""Find a place by its Bogotá address, offline: parse the nomenclature, locate it on the index.

Bogotá numbers its streets on a grid: *calles* (``CL``, and the avenues that follow them,
``AC``; diagonals ``DG``) run east-west and are numbered from south to north; *carreras*
(``KR``, ``AK``; transversals ``TV``) run north-south and are numbered from east to west.
An address names the street, then the nearest cross street and the distance from it in
metres: "Calle 59D Sur # 85-28" is on Calle 59D Sur, 28 m from Carrera 85. Numbers
carry letters and ``BIS`` ("7DBIS", "48P BIS C"); south of Calle 1 streets and plates
carry ``Sur``, east of Carrera 1 ``Este``.

:func:`parse` reads what people type and what the district publishes into one
:class:`Address`; :func:`locate` finds it on an :class:`AddressIndex` built by the atlas
importer (:mod:`geo.io.atlas.addresses`) from the official house-number points (placas)
and the Malla Vial street labels, trying in turn

1. ``plate``: the official point of that very plate;
2. ``interpolated``: between the nearest known plates of the same street;
3. ``intersection``: the corner of the street and the cross street (or the two streets
   of "Calle 26 con Carrera 7");
4. ``street``: a point on the street (the nearest known plate, else its middle);

and says how far off each answer may be (``error_m``). Nothing found gives ``None``,
never a point somewhere unrelated.

On ``geographicol`` (PyPI, 0.2.0, MIT, evaluated and not used)
-----------------------------------------------------------------
It normalises spaced and spelled-out forms well ("Calle 59D Sur # 85-28" ->
``CL 59D SUR 85 28``; "Diagonal 45B Sur No 52A - 82"; "KR 80 C 65 F 29 SUR";
"Kra 7 # 32 16") into the same street codes the district uses. Where it is wrong for
this job: it drops the glued suffixes of the official labels ("KR 7DBIS 04 12" ->
``KR 7``, confidence 0.15; "CL 63BIS S 7DBIS 04" loses the plate), it has no
intersections ("cll 26 y kr 7" -> ``CL 26Y``; "Av. Boyacá con Calle 26" becomes one
street name) and no table of named avenues (Boyacá is ``AK 72``), and it returns a
string to parse again rather than numbers and letters to look up. What it gets right is
a few dozen lines here (a table of abbreviations and a token grammar), so it does not
earn a dependency; the cases above are tests of this module
(``tests/geo/test_address.py``).
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np
import shapely
from pyproj import Transformer

from geo.errors import LayerError

log = logging.getLogger(__name__)
T = TypeVar("T")

__all__ = [
    "MAX_QUERY_CHARS",
    "Address",
    "AddressIndex",
    "Located",
    "Street",
    "locate",
    "looks_like_address",
    "parse",
    "parse_plate",
    "parse_street",
]

MAX_QUERY_CHARS = 160
"""Longer text is not an address (refused before any parsing)."""

Precision = Literal["plate", "interpolated", "intersection", "street"]

# Words people write for each street type (accents folded, upper case, dots removed).
_TYPES: dict[str, str] = {}
for _kind, _words in {
    "CL": "CL CLL CALLE CALL CALE CLLE CAL CLE CALLLE CAYE",
    "KR": "KR KRA CRA CR CARRERA CARERA CARR CARRE CARRRERA KRR CRR CARREA CAR K",
    "AC": "AC AVC AVCL AVCALLE",
    "AK": "AK AVK AVKR AVCRA AVCARRERA",
    "DG": "DG DIAGONAL DIAG DIG DGL DIAGNAL",
    "TV": "TV TRANSVERSAL TRANSV TR TRV TRANS TRANV TRASVERSAL TRANSVERAL TRAV",
    "AV": "AV AVENIDA AVDA AVE AUTOPISTA AUT",
}.items():
    for _word in _words.split():
        _TYPES[_word] = _kind

CALLE_AXIS = frozenset({"CL", "AC", "DG"})
"""Types numbered south to north (they take ``Sur``); the others take ``Este``."""

GROUP = {"CL": "CL", "AC": "CL", "KR": "KR", "AK": "KR", "DG": "DG", "TV": "TV"}
"""Avenida Calle 26 is Calle 26 for the numbering: one key for both."""

_NUMBER_SIGNS = {"#", "NO", "N", "NRO", "NUM", "NUMERO", "NO.", "N°", "Nº"}
_CARDINALS = {"S": "S", "SUR": "S", "E": "E", "ESTE": "E", "NORTE": "", "OESTE": ""}
_JOINERS = {"CON", "Y", "&", "ESQUINA", "X", "CRUCE"}
_NOISE = {"BOGOTA", "DC", "COLOMBIA", "CUNDINAMARCA"}
_STOP = re.compile(
    r"\b(BARRIO|BR|BRR|URB|URBANIZACION|APTO|APARTAMENTO|AP|INT|INTERIOR|LOCAL|LC|PISO|"
    r"TORRE|TO|OF|OFICINA|CASA|BLOQUE|BL|MZ|MANZANA|LOTE|ETAPA|CONJUNTO|EDIFICIO|ED|SECTOR|"
    r"LOCALIDAD|UPZ|VEREDA|KM|KILOMETRO|FRENTE|PARQUE)\b"
)
_TOKEN = re.compile(r"\d+|[A-Z]+|#|&")
_SUFFIX = re.compile(r"^([A-Z]?)(BIS)?([A-Z]?)$")


@dataclass(frozen=True)
class Street:
    """One street of the grid (or a named avenue not yet resolved to its number).

    ``kind`` is ``CL``, ``KR``, ``AC``, ``AK``, ``DG``, ``TV``, or ``AV`` for an avenue
    known by its name (``name``, folded, e.g. ``"BOYACA"``); ``suffix`` the letters and
    ``BIS`` glued as the district writes them (``"DBIS"``, ``"BISA"``); ``cardinal``
    ``"S"``, ``"E"`` or ``""``.
    """

    kind: str
    number: int | None = None
    suffix: str = ""
    cardinal: str = ""
    name: str = ""

    @property
    def calle_axis(self) -> bool:
        """Whether the street runs east-west (numbered south to north)."""
        return self.kind in CALLE_AXIS

    @property
    def label(self) -> str:
        """The district's label: ``"CL 63BIS S"``, ``"KR 7DBIS"``, ``"AV BOYACA"``."""
        if self.number is None:
            return f"AV {self.name}".strip()
        tail = f" {self.cardinal}" if self.cardinal else ""
        return f"{self.kind} {self.number}{self.suffix}{tail}"

    @property
    def key(self) -> str:
        """The index key: the label with ``AC``/``AK`` read as ``CL``/``KR``."""
        if self.number is None:
            return self.label
        tail = f" {self.cardinal}" if self.cardinal else ""
        return f"{GROUP.get(self.kind, self.kind)} {self.number}{self.suffix}{tail}"


@dataclass(frozen=True)
class Address:
    """A parsed address: a street and a plate, or two crossing streets.

    ``cross_number``/``cross_suffix`` name the cross street of the plate, ``house`` the
    metres from it, ``plate_cardinal`` the ``Sur``/``Este`` of the plate (for a calle
    ``Este``, for a carrera ``Sur``). ``other`` is the second street of an intersection.
    """

    street: Street
    cross_number: int | None = None
    cross_suffix: str = ""
    house: int | None = None
    plate_cardinal: str = ""
    other: Street | None = None

    @property
    def has_plate(self) -> bool:
        """Whether a plate (cross street number) was given."""
        return self.cross_number is not None

    @property
    def text(self) -> str:
        """The address written the district's way: ``"CL 59D S # 85-28"``."""
        out = self.street.label
        if self.other is not None:
            return f"{out} & {self.other.label}"
        if self.cross_number is not None:
            out += f" # {self.cross_number}{self.cross_suffix}"
            if self.house is not None:
                out += f"-{self.house}"
            if self.plate_cardinal:
                out += f" {self.plate_cardinal}"
        return out

    def with_cardinals(self, south: bool, east: bool) -> Address:
        """The same address with ``Sur``/``Este`` set on the street or the plate."""
        street_card, plate_card = _split_cardinals(self.street.kind, south, east)
        return replace(
            self, street=replace(self.street, cardinal=street_card), plate_cardinal=plate_card
        )


def fold(text: str) -> str:
    """Upper case without accents; ``°``/``º`` kept for ``N°``."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).upper()


def _split_cardinals(kind: str, south: bool, east: bool) -> tuple[str, str]:
    """(street cardinal, plate cardinal): a calle takes ``S``, a carrera ``E``."""
    if kind in CALLE_AXIS:
        return ("S" if south else ""), ("E" if east else "")
    return ("E" if east else ""), ("S" if south else "")


def _tokens(text: str) -> list[str]:
    text = fold(text)
    text = re.sub(r"\bBOGOTA\b(\s*D\s*\.?\s*C\b\.?)?", " ", text)
    text = re.sub(r"N\s*[°º]|\bNO\s*\.|\bNRO\b\.?|\bNUMERO\b|\bNUM\b\.?", " # ", text)
    text = re.sub(r"\bAV(?:ENIDA|DA)?\.?\s*(CALLE|CL|CLL)\b\.?", " AC ", text)
    text = re.sub(r"\bAV(?:ENIDA|DA)?\.?\s*(CARRERA|KR|KRA|CRA|CR)\b\.?", " AK ", text)
    text = text.replace(".", " ").replace(",", " ").replace("-", " ")
    stop = _STOP.search(text)
    if stop:
        text = text[: stop.start()]
    raw = _TOKEN.findall(text)
    out: list[str] = []
    for tok in raw:
        if (
            tok.isdigit()
            or tok in ("#", "&")
            or tok in _TYPES
            or tok in _NUMBER_SIGNS
            or tok in _JOINERS
            or tok in _CARDINALS
        ):
            out.append(tok)
        else:
            glued = re.fullmatch(r"([A-Z]*?)(SUR|ESTE)?", tok)
            letters, card = glued.groups() if glued else (tok, None)
            m = _SUFFIX.match(letters)
            if m is None or (not letters and not card):
                out.append(tok)  # a word: a name, or junk
                continue
            # glued letters and cardinals: "DBIS" -> D BIS, "BISA", "AS" -> A S(ur)
            out += [p for p in m.groups() if p]
            if card:
                out.append(card)
    return out


def _street_type(tokens: list[str], i: int) -> tuple[str | None, int]:
    if i < len(tokens) and tokens[i] in _TYPES:
        return _TYPES[tokens[i]], i + 1
    return None, i


def _modifiers(tokens: list[str], i: int) -> tuple[str, str, int]:
    """Letters/BIS after a number and any cardinal: (suffix, cardinals, next index)."""
    letters: list[str] = []
    cards = ""
    while i < len(tokens):
        tok = tokens[i]
        if tok in _CARDINALS:
            cards += _CARDINALS[tok]
        elif tok == "BIS" or (len(tok) == 1 and tok.isalpha()):
            if len(letters) >= 3:
                break
            letters.append(tok)
        else:
            break
        i += 1
    return "".join(letters), cards, i


def _one_street(tokens: list[str], *, default_kind: str | None) -> tuple[Street, int, str] | None:
    """A street at the start of ``tokens``: (street, next index, cardinals seen)."""
    kind, i = _street_type(tokens, 0)
    if kind is None and tokens and tokens[0].isdigit():
        kind = default_kind
    if kind is None:
        return None
    if kind == "AV" and (i >= len(tokens) or not tokens[i].isdigit()):  # "Av 68": AK or AC
        words = []
        while i < len(tokens) and not tokens[i].isdigit() and tokens[i] not in _NUMBER_SIGNS:
            if tokens[i] in _JOINERS or tokens[i] in _TYPES:
                break
            words.append(tokens[i])
            i += 1
        if not words:
            return None
        return Street("AV", None, "", "", " ".join(words)), i, ""
    if i >= len(tokens) or not tokens[i].isdigit():
        return None
    number = int(tokens[i])
    suffix, cards, i = _modifiers(tokens, i + 1)
    return Street(kind, number, suffix, "", ""), i, cards


def _finish(street: Street, cards: str) -> Street:
    south, east = "S" in cards, "E" in cards
    card, _ = _split_cardinals(street.kind, south, east)
    return replace(street, cardinal=card) if street.number is not None else street


def parse(text: str) -> Address | None:
    """Read an address as people write it; ``None`` when it is not one.

    Parameters
    ----------
    text
        Free text: "Calle 59D Sur # 85-28", "cra 7 no. 32-16", "KR 80 C 65 F 29 SUR",
        "CL 63BIS S, 7DBIS 04", "Av. Boyacá con Calle 26", "calle 26 y 7".

    Returns
    -------
    Address or None
        ``None`` for text longer than :data:`MAX_QUERY_CHARS`, without a street type
        and number (or an avenue's name), or with a number out of range.
    """
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_QUERY_CHARS:
        return None
    tokens = [t for t in _tokens(text) if t not in _NOISE]
    joint = next((n for n, tok in enumerate(tokens) if _joins(tokens, n)), None)
    if joint is not None:
        return _intersection(tokens[:joint], tokens[joint + 1 :])
    first = _one_street(tokens, default_kind=None)
    if first is None:
        return None
    street, i, cards = first
    if street.kind == "AV" and street.number is None and i < len(tokens) and tokens[i] in _TYPES:
        # "Avenida El Dorado, Calle 26 No. 69B-76": the numbered street says where
        return parse(" ".join(tokens[i:]))
    if street.number is not None and street.number > 400:
        return None
    if i < len(tokens) and tokens[i] in _NUMBER_SIGNS:
        i += 1
    if i < len(tokens) and tokens[i] in _NUMBER_SIGNS:  # "No #"
        i += 1
    cross = house = None
    cross_suffix = ""
    if i < len(tokens) and tokens[i].isdigit():
        cross = int(tokens[i])
        cross_suffix, more, i = _modifiers(tokens, i + 1)
        cards += more
        if i < len(tokens) and tokens[i].isdigit():
            house = int(tokens[i])
            _, more, i = _modifiers(tokens, i + 1)
            cards += more
        if cross > 400 or (house is not None and house > 999):
            return None
    south, east = "S" in cards, "E" in cards
    street_card, plate_card = _split_cardinals(street.kind, south, east)
    if street.number is not None:
        street = replace(street, cardinal=street_card)
    return Address(
        street=street,
        cross_number=cross,
        cross_suffix=cross_suffix,
        house=house,
        plate_cardinal=plate_card if cross is not None else "",
    )


def _joins(tokens: list[str], n: int) -> bool:
    """Say whether ``tokens[n]`` joins two streets.

    Joining words are "con" and "&"; "y"/"x" only between streets (in "CL 66C S 18 Y 03"
    the Y is a letter).
    """
    tok = tokens[n]
    if tok not in _JOINERS:
        return False
    if tok not in ("Y", "X"):
        return True
    if n + 1 < len(tokens) and tokens[n + 1] in _TYPES:
        return True
    left = _one_street(tokens[:n], default_kind=None)
    return left is not None and left[1] == n


def _intersection(left: list[str], right: list[str]) -> Address | None:
    first = _one_street(left, default_kind=None)
    if first is None:
        return None
    a, _, cards_a = first
    orth = "KR" if a.kind in CALLE_AXIS else "CL"
    second = _one_street(right, default_kind=orth)
    if second is None:
        return None
    b, _, cards_b = second
    if a.kind == "AV" and b.kind == "AV":
        return None  # two named avenues: a name search, not an address
    if (a.number or 0) > 400 or (b.number or 0) > 400:
        return None
    return Address(street=_finish(a, cards_a), other=_finish(b, cards_b))


def parse_street(label: str) -> Street | None:
    """An official street label (``"CL 63BIS S"``, ``"AK 86"``) as a :class:`Street`."""
    parsed = parse(label)
    if parsed is None or parsed.has_plate or parsed.other is not None:
        return None
    return parsed.street


def parse_plate(street: Street, plate: str) -> Address | None:
    """An official plate (``"85 28"``, ``"7DBIS 04"``, ``"0 45 E"``) on ``street``."""
    prefix = "CL" if street.calle_axis else "KR"
    cards = {"S": "SUR", "E": "ESTE", "": ""}[street.cardinal]
    parsed = parse(f"{prefix} {street.number}{street.suffix} {cards} # {plate}")
    if parsed is None or parsed.house is None:
        return None
    return replace(parsed, street=replace(parsed.street, kind=street.kind))


def looks_like_address(text: str) -> bool:
    """Whether a search box's text reads as an address rather than a place name.

    True when it starts with a street type followed by a number ("cra 7", "Calle 26 con
    7") or names an avenue with a number or a crossing ("Av. Boyacá con Calle 26").
    """
    if not isinstance(text, str) or len(text) > MAX_QUERY_CHARS:
        return False
    tokens = _tokens(text)
    if not tokens or tokens[0] not in _TYPES:
        return False
    if _TYPES[tokens[0]] == "AV":
        return any(t.isdigit() for t in tokens) or any(t in _JOINERS for t in tokens)
    return len(tokens) > 1 and tokens[1].isdigit()


# --------------------------------------------------------------------------- index parts


def street_parts(label: str) -> tuple[Street, str] | None:
    """A street label's street (without cardinal) and the cardinals it carries (``"S"``)."""
    if not isinstance(label, str) or len(label) > MAX_QUERY_CHARS:
        return None
    found = _one_street([t for t in _tokens(label) if t not in _NOISE], default_kind=None)
    if found is None:
        return None
    street, _, cards = found
    return street, cards


def plate_parts(plate: str) -> tuple[int, str, int, str] | None:
    """An official plate ``"7DBIS 04 S"`` as (cross number, suffix, house, cardinals)."""
    tokens = [t for t in _tokens(plate) if t not in _NUMBER_SIGNS]
    if len(tokens) < 2 or not tokens[0].isdigit():
        return None
    cross = int(tokens[0])
    suffix, cards, i = _modifiers(tokens, 1)
    if i >= len(tokens) or not tokens[i].isdigit():
        return None
    house = int(tokens[i])
    _, more, _ = _modifiers(tokens, i + 1)
    if cross > 400 or house > 999 or suffix_order(suffix) < 0:
        return None
    return cross, suffix, house, cards + more


def suffix_order(suffix: str) -> int:
    """Rank a number's letter suffix.

    Where a number's letters put it between two numbers: ``""`` < ``BIS`` < ``A`` <
    ``ABIS`` < ``ABISA`` < ``B``...; -1 for letters that are no suffix.
    """
    m = _SUFFIX.match(suffix)
    if m is None:
        return -1
    first, bis, second = m.groups()
    index = (ord(first) - 64) if first else 0
    return index * 60 + (30 if bis else 0) + ((ord(second) - 64) if second else 0)


def plate_position(cross: Any, order: Any, house: Any, opposite: Any) -> Any:
    """The sort position of plates along their street (numpy arrays or scalars).

    ``opposite`` is the plate's own ``Sur``/``Este``: those plates count backwards.
    """
    pos = (np.asarray(cross, dtype=np.int64) * 2048 + np.asarray(order, dtype=np.int64)) * 1024
    pos = pos + np.asarray(house, dtype=np.int64)
    return np.where(np.asarray(opposite, dtype=bool), -pos - 1, pos)


def name_key(name: str) -> str:
    """An avenue's name as the index keys it: ``"Av. Boyacá"`` -> ``"BOYACA"``."""
    tokens = [t for t in _tokens(name) if t not in _NOISE]
    while tokens and tokens[0] in _TYPES:
        tokens = tokens[1:]
    return " ".join(tokens)


# --------------------------------------------------------------------------- locator

PLATE_ERROR_M = 10.0
"""An official plate's point is on its building: a few metres off the door."""
MAX_BRACKET_M = 600.0
"""Two known plates further apart are not interpolated between (a street in pieces)."""


@dataclass(frozen=True)
class Located:
    """Where an address is, how it was found and how far off it may be."""

    query: str
    lon: float
    lat: float
    precision: Precision
    error_m: float
    matched: str
    """What was found, written the district's way ("CL 59D S # 85-28")."""
    also: str = ""
    """Another address the text may mean, found on its plates far from this one: typed without
    ``Sur``/``Este``, "CL 59D # 85-28" is in the north and "CL 59D S # 85-28" exists too."""


class AddressIndex:
    """The offline address index of an atlas (``<atlas>/address``), memory-mapped.

    Built by :func:`geo.io.atlas.addresses.build_address_index`; opening it reads the
    street list and maps the arrays (nothing is copied into memory until used).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        meta = json.loads((folder / "streets.json").read_text(encoding="utf-8"))
        self.streets: list[str] = meta["streets"]
        self.ids = {key: n for n, key in enumerate(self.streets)}
        self.middle_lonlat = np.asarray(meta["middle_lonlat"], dtype=float)
        self.middle_xy = np.asarray(meta["middle_xy"], dtype=float)
        self.radius_m = np.asarray(meta["radius_m"], dtype=float)
        self.names: dict[str, list[str]] = meta["names"]
        self.source = meta.get("source", "")

        def arr(name: str) -> np.ndarray:
            return np.load(folder / f"{name}.npy", mmap_mode="r")

        self.key = arr("plates_key")
        self.lonlat = arr("plates_lonlat")
        self.xy = arr("plates_xy")
        self.seg_street = arr("segments_street")
        self.seg_offsets = arr("segments_offsets")
        self.seg_xy = arr("segments_xy")
        self._to_lonlat = Transformer.from_crs("EPSG:9377", "EPSG:4326", always_xy=True)

    @classmethod
    def load(cls, atlas_dir: Path | str) -> AddressIndex:
        """Open the index of the atlas folder ``atlas_dir``.

        Raises
        ------
        geo.errors.LayerError
            The atlas has no address index (built without the house-number points).
        """
        folder = Path(atlas_dir) / "address"
        if not (folder / "streets.json").is_file():
            raise LayerError(
                f"{Path(atlas_dir).name}: this atlas has no address index; download "
                "'Placa domiciliaria' (Datos Abiertos Bogotá) into the source folder and run "
                "python -m geo atlas again."
            )
        return cls(folder)

    # ---- low-level lookups
    def street_id(self, key: str) -> int | None:
        """The id of a street key (``"CL 59D S"``), or ``None``."""
        return self.ids.get(key)

    def street_range(self, sid: int) -> tuple[int, int]:
        """Index range of the street's plates in the sorted arrays."""
        lo = int(np.searchsorted(self.key, sid << 40))
        hi = int(np.searchsorted(self.key, (sid + 1) << 40))
        return lo, hi

    def composite(self, sid: int, position: int) -> int:
        """The sort key of a position on a street."""
        return (sid << 40) | (int(position) + (1 << 39))

    def position(self, i: int) -> int:
        """The plate position of the ``i``-th plate."""
        return int(self.key[i] & ((1 << 40) - 1)) - (1 << 39)

    def point(self, xy: tuple[float, float]) -> tuple[float, float]:
        """Longitude and latitude of a metric (EPSG:9377) point."""
        lon, lat = self._to_lonlat.transform(xy[0], xy[1])
        return float(lon), float(lat)

    def segments(self, sid: int) -> Any:
        """The street's Malla Vial segments as a shapely MultiLineString (or ``None``)."""
        a = int(np.searchsorted(self.seg_street, sid))
        b = int(np.searchsorted(self.seg_street, sid, side="right"))
        if b <= a:
            return None
        lines = [
            shapely.linestrings(self.seg_xy[self.seg_offsets[k] : self.seg_offsets[k + 1]])
            for k in range(a, b)
            if self.seg_offsets[k + 1] - self.seg_offsets[k] >= 2
        ]
        return shapely.multilinestrings(lines) if lines else None

    def resolve_name(self, name: str) -> str | None:
        """The street key of an avenue name (``"BOYACA"`` -> ``"KR 72"``)."""
        if not name:
            return None
        if name in self.names:
            return self.names[name][0]
        words = set(name.split())
        hits = [n for n in self.names if words <= set(n.split())]
        if not hits:
            return None
        return self.names[min(hits, key=len)][0]


def _decode(key: str) -> Street | None:
    """A street key back into a :class:`Street` (``"KR 72"``)."""
    parts = street_parts(key)
    if parts is None:
        return None
    street, cards = parts
    return replace(street, cardinal="S" if "S" in cards else "E" if "E" in cards else "")


def _street_variants(street: Street, index: AddressIndex) -> list[Street]:
    """The streets a typed street may mean, most likely first."""
    if street.number is None:
        key = index.resolve_name(street.name)
        found = _decode(key) if key else None
        return [found] if found else []
    if street.kind == "AV":
        base = [replace(street, kind="AK"), replace(street, kind="AC")]
    else:
        base = [street]
    out = list(base)
    swaps = {"CL": "DG", "AC": "DG", "DG": "CL", "KR": "TV", "AK": "TV", "TV": "KR"}
    out += [replace(s, kind=swaps[s.kind]) for s in list(out) if s.kind in swaps]
    return _first_of_each(out, key=lambda s: s.key)


def _first_of_each(items: list[T], *, key: Callable[[T], str]) -> list[T]:
    """Return ``items`` without those whose ``key`` an earlier item already has."""
    first: dict[str, T] = {}
    for item in items:
        first.setdefault(key(item), item)
    return list(first.values())


def _cards(a: Address) -> tuple[bool, bool]:
    """Whether the address says ``Sur`` and ``Este`` (on the street or the plate)."""
    cards = a.street.cardinal + a.plate_cardinal
    return "S" in cards, "E" in cards


def _plate_variants(a: Address, index: AddressIndex) -> list[Address]:
    """The stated address first, then with a ``Sur``/``Este`` it may have left out."""
    south, east = _cards(a)
    out: list[Address] = []
    for street in _street_variants(a.street, index):
        out.append(replace(a, street=street))
    for v in list(out):
        if not south:
            out.append(v.with_cardinals(True, east))
        if not east:
            out.append(v.with_cardinals(south, True))
    return _first_of_each(out, key=lambda v: v.text)


def _block(
    index: AddressIndex, sid: int, cross: int, order: int, opposite: bool
) -> tuple[int, int]:
    """Index range of the plates of street ``sid`` on one block (cross street)."""
    first = int(plate_position(cross, order, 0, opposite))
    last = int(plate_position(cross, order, 1023, opposite))
    lo_pos, hi_pos = min(first, last), max(first, last)
    lo = int(np.searchsorted(index.key, index.composite(sid, lo_pos)))
    hi = int(np.searchsorted(index.key, index.composite(sid, hi_pos), side="right"))
    return lo, hi


def _answer(
    query: str, index: AddressIndex, xy: object, precision: Precision, error_m: float, matched: str
) -> Located:
    lon, lat = index.point((float(xy[0]), float(xy[1])))  # type: ignore[index]
    return Located(query, lon, lat, precision, round(float(error_m), 0), matched)


def _exact(query: str, a: Address, index: AddressIndex) -> Located | None:
    sid = index.street_id(a.street.key)
    order = suffix_order(a.cross_suffix)
    if sid is None or order < 0 or a.house is None or a.cross_number is None:
        return None
    pos = int(plate_position(a.cross_number, order, a.house, bool(a.plate_cardinal)))
    k = index.composite(sid, pos)
    i = int(np.searchsorted(index.key, k))
    if i < len(index.key) and int(index.key[i]) == k:
        return _answer(query, index, index.xy[i], "plate", PLATE_ERROR_M, a.text)
    return None


def _houses(index: AddressIndex, lo: int, hi: int) -> Any:
    """House numbers of the plates ``lo:hi`` (of one street and sign)."""
    pos = (np.asarray(index.key[lo:hi]) & ((1 << 40) - 1)) - (1 << 39)
    return np.where(pos < 0, -pos - 1, pos) % 1024


def _interpolated(query: str, a: Address, index: AddressIndex) -> Located | None:
    sid = index.street_id(a.street.key)
    order = suffix_order(a.cross_suffix)
    if sid is None or order < 0 or a.house is None or a.cross_number is None:
        return None
    opposite = bool(a.plate_cardinal)
    lo, hi = _block(index, sid, a.cross_number, order, opposite)
    if hi > lo:  # plates of the same block: house numbers are metres from the corner
        houses = _houses(index, lo, hi)
        below = np.nonzero(houses < a.house)[0]
        above = np.nonzero(houses > a.house)[0]
        if below.size and above.size:
            i, j = lo + below.max(), lo + above.min()
            hi_, hj = houses[below.max()], houses[above.min()]
            t = (a.house - hi_) / (hj - hi_)
            p, q = np.asarray(index.xy[i]), np.asarray(index.xy[j])
            gap = float(np.hypot(*(q - p)))
            if gap <= MAX_BRACKET_M:
                xy = p + t * (q - p)
                return _answer(query, index, xy, "interpolated", max(15.0, gap / 2), a.text)
        nearest = int(np.argmin(np.abs(houses - a.house)))
        delta = abs(int(houses[nearest]) - a.house)
        if delta <= 40:
            xy = index.xy[lo + nearest]
            return _answer(query, index, xy, "interpolated", 15.0 + delta, a.text)
    return None


def _x(position: Any) -> Any:
    """A plate position as roughly metres along the street (numbers x 100 + house)."""
    pos = np.asarray(position, dtype=np.int64)
    neg = pos < 0
    p = np.where(neg, -pos - 1, pos)
    x = (p // (2048 * 1024)) * 100 + ((p // 1024) % 2048) / 1700 * 100 + (p % 1024)
    return np.where(neg, -x, x)


def _bracketed(query: str, a: Address, index: AddressIndex) -> Located | None:
    """Between the known plates just before and after the address on its street."""
    sid = index.street_id(a.street.key)
    order = suffix_order(a.cross_suffix)
    if sid is None or order < 0 or a.cross_number is None:
        return None
    opposite = bool(a.plate_cardinal)
    pos = int(plate_position(a.cross_number, order, a.house or 0, opposite))
    lo, hi = index.street_range(sid)
    i = int(np.searchsorted(index.key, index.composite(sid, pos)))
    if not (lo < i < hi):
        return None
    before, after = index.position(i - 1), index.position(i)
    if (before < 0) != (after < 0) or (before < 0) != opposite:
        return None
    p, q = np.asarray(index.xy[i - 1]), np.asarray(index.xy[i])
    gap = float(np.hypot(*(q - p)))
    if gap > MAX_BRACKET_M:
        return None
    xa, xb, xq = (float(v) for v in _x([before, after, pos]))
    t = min(max((xq - xa) / (xb - xa), 0.0), 1.0) if xb != xa else 0.5
    return _answer(query, index, p + t * (q - p), "interpolated", max(30.0, gap / 2), a.text)


def _corner(index: AddressIndex, a: Street, b: Street) -> tuple[Any, float] | None:
    """The corner of streets ``a`` and ``b`` from the plates on each near the other."""
    points, errors = [], []
    for this, other in ((a, b), (b, a)):
        sid = index.street_id(this.key)
        order = suffix_order(other.suffix)
        if sid is None or other.number is None or order < 0:
            continue
        lo, hi = _block(index, sid, other.number, order, bool(other.cardinal))
        if hi > lo:
            first = lo if not other.cardinal else hi - 1  # smallest house: nearest the corner
            house = int(_houses(index, first, first + 1)[0])
            points.append(np.asarray(index.xy[first]))
            errors.append(float(house))
    if not points:
        return None
    if len(points) == 2 and float(np.hypot(*(points[0] - points[1]))) > 300:
        return None  # the plates disagree: two places with these labels
    return np.mean(points, axis=0), 20.0 + min(errors)


def _cross_streets(a: Address) -> list[Street]:
    """The cross street of a plate, as the types it may have."""
    if a.cross_number is None:
        return []
    kinds = ("KR", "TV") if a.street.calle_axis else ("CL", "DG")
    return [Street(k, a.cross_number, a.cross_suffix, a.plate_cardinal) for k in kinds]


def _street_point(query: str, a: Address, index: AddressIndex) -> Located | None:
    """A point on the street: the known plate nearest the number, else its middle."""
    sid = index.street_id(a.street.key)
    if sid is None or np.isnan(index.radius_m[sid]):
        return None
    radius = float(index.radius_m[sid])
    lo, hi = index.street_range(sid)
    if a.cross_number is not None and hi > lo:
        order = max(suffix_order(a.cross_suffix), 0)
        target = float(_x(plate_position(a.cross_number, order, a.house or 0, a.plate_cardinal)))
        positions = (np.asarray(index.key[lo:hi]) & ((1 << 40) - 1)) - (1 << 39)
        x = _x(positions)
        best = int(np.argmin(np.abs(x - target)))
        delta = float(abs(x[best] - target))
        if delta < radius:
            error = max(100.0, 50.0 + 2 * delta)
            return _answer(query, index, index.xy[lo + best], "street", error, a.street.label)
    return _answer(query, index, index.middle_xy[sid], "street", radius, a.street.label)


def locate(text: str, index: AddressIndex) -> Located | None:
    """Find an address on the index: the official plate, else the best estimate.

    Parameters
    ----------
    text
        What the person typed ("Calle 59D Sur # 85-28", "cra 7 con calle 26").
    index
        The atlas's :class:`AddressIndex`.

    Returns
    -------
    Located or None
        ``None`` when the text is not an address or its street is not in the index.
    """
    parsed = parse(text)
    if parsed is None:
        return None
    if parsed.other is not None:
        return _intersection_answer(text, parsed, index)
    variants = _plate_variants(parsed, index)
    if parsed.has_plate:
        return _plate_answer(text, parsed, variants, index)
    for v in variants:
        found = _street_point(text, v, index)
        if found is not None:
            return found
    return None


def _plate_answer(
    text: str, parsed: Address, variants: list[Address], index: AddressIndex
) -> Located | None:
    """Locate an address with a plate: exact, interpolated, bracketed, corner, else street.

    Parameters
    ----------
    text
        What the person typed.
    parsed
        The address as parsed from ``text`` (with a plate).
    variants
        Its readings, the stated street first (:func:`_plate_variants`).
    index
        The atlas's :class:`AddressIndex`.

    Returns
    -------
    Located or None
        ``None`` when no reading is on the index.
    """
    # The stated street before the one with Sur/Este added: a plate or a block of
    # the stated street wins over an exact plate of the other (nomenclature: no
    # cardinal means north and west).
    for v in variants:
        for step in (_exact, _interpolated):
            found = step(text, v, index)
            if found is not None:
                return _with_also(found, v, variants, index)
    for v in variants:
        found = _bracketed(text, v, index)
        if found is not None:
            return found
    for v in variants:
        for cross in _cross_streets(v):
            corner = _corner(index, v.street, cross)
            if corner is not None:
                xy, error = corner
                return _answer(text, index, xy, "intersection", error + (v.house or 0), v.text)
    # on the street only as typed (a Diagonal for a Calle is another street)
    same = [v for v in variants if GROUP.get(v.street.kind) == GROUP.get(parsed.street.kind)]
    best = [f for v in same if (f := _street_point(text, v, index)) is not None]
    if best:
        return min(best, key=lambda f: f.error_m)
    return None


def _with_also(
    found: Located, used: Address, variants: list[Address], index: AddressIndex
) -> Located:
    """Name another reading (Sur/Este added) found on its plates that lies elsewhere."""
    stated = _cards(variants[0])
    if _cards(used) != stated:
        return found
    for v in variants:
        if _cards(v) == stated:
            continue
        other = _exact(found.query, v, index) or _interpolated(found.query, v, index)
        if other is None:
            continue
        a = np.asarray(index._to_lonlat.transform(found.lon, found.lat, direction="INVERSE"))
        b = np.asarray(index._to_lonlat.transform(other.lon, other.lat, direction="INVERSE"))
        if float(np.hypot(*(a - b))) > 300:
            return replace(found, also=other.matched)
    return found


def _intersection_answer(text: str, parsed: Address, index: AddressIndex) -> Located | None:
    assert parsed.other is not None
    firsts = _street_variants(parsed.street, index)
    seconds = _street_variants(parsed.other, index)
    for a in firsts:
        for b in seconds:
            if a.calle_axis == b.calle_axis or a.key not in index.ids or b.key not in index.ids:
                continue
            corner = _corner(index, a, b)
            label = f"{a.label} & {b.label}"
            lines_a = index.segments(index.ids[a.key])
            lines_b = index.segments(index.ids[b.key])
            crossing = None
            if lines_a is not None and lines_b is not None:
                pts = shapely.get_coordinates(shapely.intersection(lines_a, lines_b))
                if len(pts):
                    crossing = pts
            if crossing is not None and corner is not None:
                d = np.hypot(*(crossing - corner[0]).T)
                if d.min() <= 150:
                    return _answer(
                        text, index, crossing[int(np.argmin(d))], "intersection", 15, label
                    )
            if corner is not None:
                return _answer(text, index, corner[0], "intersection", corner[1], label)
            if crossing is not None:
                centre = crossing.mean(axis=0)
                spread = float(np.hypot(*(crossing - centre).T).max())
                if spread <= 300:
                    return _answer(text, index, centre, "intersection", 15 + spread, label)
    return None
