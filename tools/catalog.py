"""Extract the catalog keys the code uses, check the catalogs, write the template.

``python -m tools.catalog`` (``make catalog``) rewrites ``locale/care_atlas.pot`` from
the code and prints the problems :func:`problems` finds; ``tests/ui/test_catalogs.py``
runs the same check under ``make test``.

How a key is found in the code:

- ``t("key", lang)`` and ``tn("key", n, lang)`` in ``app.py``, ``app_pages/``,
  ``ui/`` and ``geo/``, ``catalog.text("key", lang)`` in geo (read with
  :mod:`ast` rather than Babel's extractor, which glues ``t("a" if c else "b")`` into
  one key ``"ab"``);
- geo's messages (:data:`DOMAINS`): the code of ``ctx.error("empty")`` in
  ``geo/io/upload/`` is the key ``file_empty``, of ``client.error("http")`` in
  ``geo/io/remote.py`` ``remote_http``, of ``_error("too_long")`` in
  ``geo/community.py`` ``submit_too_long`` (:mod:`ast`);
- a key built at run time (``t(f"measure_{m}", lang)``) is a *family*: its pattern must
  be declared in :data:`ui.i18n.DYNAMIC_KEYS` and name at least one key.

A key counts as used when it is found so, or when the code holds it as a string (a key
kept in a variable or a table: ``key = "w_repaired_polygons" if polygons else ...``).
"""

from __future__ import annotations

import ast
import re
import string
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
CODE = ("app.py", "app_pages", "ui", "geo")
"""Where the code that speaks to people lives."""
TEMPLATE = ROOT / "locale" / "care_atlas.pot"
KEYWORDS = {"t": (1,), "tn": (1,)}

# prefix, files, {call name: position of the code argument}
DOMAINS: tuple[tuple[str, tuple[str, ...], dict[str, int]], ...] = (
    (
        "file_",
        ("geo/io/upload/",),
        {"error": 0, "warn": 0, "text": 0, "word": 0, "ask": 1, "choice": 1},
    ),
    ("remote_", ("geo/io/remote.py",), {"error": 0, "_error": 0, "_RefusedHostError": 1}),
    ("submit_", ("geo/community.py",), {"_error": 0}),
)
CATALOG_CALLS = {"text": 0, "ntext": 0, "per_language": 0}  # catalog.text("key", lang)
OWNERS = {"ctx", "self", "client"}  # ctx.error("empty"), not log.error("...")


@dataclass
class Usage:
    """What the code says about the keys."""

    called: dict[str, list[str]] = field(default_factory=dict)  # key -> ["file:line"]
    patterns: dict[str, list[str]] = field(default_factory=dict)  # "measure_{}" -> places
    literals: set[str] = field(default_factory=set)  # every string constant (domain: prefixed)

    def call(self, key: str, where: str) -> None:
        """Record a literal key used at ``where``."""
        self.called.setdefault(key, []).append(where)

    def pattern(self, pattern: str, where: str) -> None:
        """Record a key built at run time from ``pattern``."""
        self.patterns.setdefault(pattern, []).append(where)


def code_files(root: Path = ROOT) -> Iterator[Path]:
    """Yield the Python files of :data:`CODE` under ``root``."""
    for name in CODE:
        path = root / name
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(path.rglob("*.py"))


def _domain(relative: str) -> tuple[str, dict[str, int]] | None:
    for prefix, places, calls in DOMAINS:
        if any(relative == p or (p.endswith("/") and relative.startswith(p)) for p in places):
            return prefix, calls
    return None


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _pattern(node: ast.JoinedStr) -> str:
    """``f"measure_{m}_bar"`` -> ``"measure_{}_bar"``."""
    return "".join(
        str(part.value) if isinstance(part, ast.Constant) else "{}" for part in node.values
    )


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """The keys a family pattern stands for (``{}``: one or more characters)."""
    return re.compile("^" + ".+".join(re.escape(p) for p in pattern.split("{}")) + "$")


def _strings(node: ast.expr) -> Iterator[ast.expr]:
    """The key expressions of an argument: both branches of ``"a" if c else "b"``."""
    if isinstance(node, ast.IfExp):
        yield from _strings(node.body)
        yield from _strings(node.orelse)
    else:
        yield node


def _call_table(node: ast.Call, prefix: str, calls: dict[str, int]) -> tuple[int, str] | None:
    """Where the key is among the call's arguments, and the prefix it takes; None: no key."""
    func = node.func
    owner = (
        func.value.id
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
        else None
    )
    name = _name(func)
    if name in KEYWORDS and (owner is None or owner == "i18n"):
        return 0, ""
    if owner == "catalog" and name in CATALOG_CALLS:
        return CATALOG_CALLS[name], ""
    # geo's own helpers: ctx.error(...), client.error(...), _error(...), choice(...)
    if name in calls and (owner is None or owner in OWNERS):
        return calls[name], prefix
    return None


def scan(root: Path = ROOT) -> Usage:
    """Find the keys, key families and string constants in the code under ``root``."""
    usage = Usage()
    for path in code_files(root):
        relative = path.relative_to(root).as_posix()
        domain = _domain(relative)
        prefix, calls = domain if domain else ("", {})
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=relative)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                usage.literals.add(node.value)
                if domain:
                    usage.literals.add(prefix + node.value)
            if not isinstance(node, ast.Call):
                continue
            found = _call_table(node, prefix, calls)
            if found is None or len(node.args) <= found[0]:
                continue
            position, add_prefix = found
            where = f"{relative}:{node.lineno}"
            for arg in _strings(node.args[position]):
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    usage.call(add_prefix + arg.value, where)
                elif isinstance(arg, ast.JoinedStr):
                    usage.pattern(add_prefix + _pattern(arg), where)
    # geo builds a domain's key from its code (f"file_{key}"): plumbing, not a family
    for domain_prefix, _places, _calls in DOMAINS:
        usage.patterns.pop(domain_prefix + "{}", None)
        usage.patterns.pop(domain_prefix + "field_{}", None)  # submit_field_<field>
    return usage


def load(lang: str, root: Path = ROOT) -> Catalog:
    """Read the ``.po`` catalog of ``lang`` under ``root``."""
    path = root / "locale" / lang / "LC_MESSAGES" / "care_atlas.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=None, domain="care_atlas")


def _ids(catalog: Catalog) -> dict[str, Message]:
    return {(m.id[0] if m.pluralizable else m.id): m for m in catalog if m.id}  # key -> Message


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def used_keys(usage: Usage, keys: set[str], dynamic: dict[str, str]) -> set[str]:
    """The catalog keys the code uses (see the module docstring)."""
    used = (set(usage.called) | usage.literals) & keys
    for pattern in set(usage.patterns) | set(dynamic):
        regex = pattern_regex(pattern)
        used |= {k for k in keys if regex.match(k)}
    # submit_field_<field>: the names of the submission's fields (geo.store.TEXT_FIELDS...)
    used |= {k for k in keys if k.startswith("submit_field_") and k[13:] in usage.literals}
    return used


def problems(root: Path = ROOT, *, languages: tuple[str, ...] = ("es", "en")) -> list[str]:
    """Every problem of the catalogs against the code, one line each (empty: all good)."""
    from ui.i18n import DYNAMIC_KEYS

    usage = scan(root)
    catalogs = {lang: _ids(load(lang, root)) for lang in languages}
    all_keys = set().union(*(set(c) for c in catalogs.values()))
    out = _missing_between(catalogs, languages)
    out += _usage_problems(usage, catalogs, all_keys, DYNAMIC_KEYS)
    for key in sorted(all_keys):
        out += _text_problems(key, catalogs)
    return out


def _missing_between(
    catalogs: dict[str, dict[str, Message]], languages: tuple[str, ...]
) -> list[str]:
    """The keys in the first language's catalog and not in another's, and the other way."""
    out: list[str] = []
    reference, *others = languages
    keys = set(catalogs[reference])
    for lang in others:
        for key in sorted(keys - set(catalogs[lang])):
            out.append(f"{key}: in the {reference} catalog, missing from {lang}")
        for key in sorted(set(catalogs[lang]) - keys):
            out.append(f"{key}: in the {lang} catalog, missing from {reference}")
    return out


def _usage_problems(
    usage: Usage,
    catalogs: dict[str, dict[str, Message]],
    all_keys: set[str],
    dynamic: Mapping[str, str],
) -> list[str]:
    """The keys the code uses and no catalog has, undeclared run-time keys, unused keys."""
    out: list[str] = []
    for key, places in sorted(usage.called.items()):
        for lang, messages in catalogs.items():
            if key not in messages:
                out.append(f"{key}: used at {places[0]}, missing from the {lang} catalog")
    for pattern, places in sorted(usage.patterns.items()):
        if pattern not in dynamic:
            out.append(
                f"{pattern}: a key built at run time ({places[0]}); declare it in "
                "ui.i18n.DYNAMIC_KEYS with where its codes come from"
            )
    for pattern in sorted(dynamic):
        if not any(pattern_regex(pattern).match(k) for k in all_keys):
            out.append(f"{pattern}: declared in ui.i18n.DYNAMIC_KEYS, names no catalog key")
    for key in sorted(all_keys - used_keys(usage, all_keys, dynamic)):
        out.append(f"{key}: in the catalogs, used nowhere in the code (remove it)")
    return out


def _text_problems(key: str, catalogs: dict[str, dict[str, Message]]) -> list[str]:
    """The problems of one key's texts: fuzzy, empty, plural in one only, placeholders differ."""
    out: list[str] = []
    found = {lang: messages[key] for lang, messages in catalogs.items() if key in messages}
    forms: dict[str, tuple[str, ...]] = {}
    for lang, message in found.items():
        if message.fuzzy:
            out.append(f"{key}: fuzzy in the {lang} catalog (check the text, drop the flag)")
        text = message.string
        forms[lang] = tuple(text) if isinstance(text, (tuple, list)) else (text,)
        if any(not form.strip() for form in forms[lang]):
            out.append(f"{key}: empty text in the {lang} catalog")
    if len({len(f) for f in forms.values()}) > 1:
        out.append(f"{key}: plural in one catalog, not in another")
    fields = {lang: set().union(*(_fields(f) for f in fs)) for lang, fs in forms.items()}
    if len({frozenset(f) for f in fields.values()}) > 1:
        shown = "; ".join(f"{lang} {sorted(f)}" for lang, f in fields.items())
        out.append(f"{key}: the {{placeholders}} differ: {shown}")
    return out


def template(root: Path = ROOT, *, source: str = "en") -> Catalog:
    """The template: every key the code uses, with its English text as a comment."""
    from ui.i18n import DYNAMIC_KEYS

    usage = scan(root)
    messages = _ids(load(source, root))
    used = used_keys(usage, set(messages), DYNAMIC_KEYS)
    pot = Catalog(
        project="Care Atlas",
        version="1",
        fuzzy=False,
        charset="utf-8",
        header_comment=(
            "# Care Atlas: template of the interface strings (python -m tools.catalog).\n"
            "# Monolingual: each msgid is a stable key; the comment gives the English text,\n"
            "# the source for translators (locale/en/LC_MESSAGES/care_atlas.po).\n"
        ),
    )
    pot.mime_headers = [
        *((k, v) for k, v in pot.mime_headers if k != "Plural-Forms"),
        ("Plural-Forms", "nplurals=2; plural=(n != 1);"),
    ]
    for key, message in messages.items():
        if key not in used:
            continue
        english = message.string
        comment = english[0] if isinstance(english, (tuple, list)) else english
        places = [
            (where.rsplit(":", 1)[0], int(where.rsplit(":", 1)[1]))
            for where in usage.called.get(key, [])
        ]
        pot.add(
            message.id,
            ("", "") if message.pluralizable else "",
            locations=places,
            auto_comments=[comment],
        )
    return pot


def write_template(root: Path = ROOT) -> Path:
    """Rewrite ``locale/care_atlas.pot`` from the code; return its path."""
    path = root / TEMPLATE.relative_to(ROOT)
    with path.open("wb") as handle:
        write_po(handle, template(root), width=0, sort_output=False)
    return path


def main() -> int:
    """Write the template, print the problems; exit 1 when there are any."""
    path = write_template()
    print(f"wrote {path.relative_to(ROOT)}")
    found = problems()
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
