"""A small typed schema for TOML tables, shared by routine files and the config file.

`check_table` reads one table against its fields and reports every problem as a line in the
form of design §4: unknown keys (with "did you mean"), wrong types and out-of-range values.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from player.core.errors import Problem


def shown(value: object) -> str:
    """A found value as a person wrote it in TOML, short enough for one line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return '"' + text.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, float) and math.isinf(value):  # 1e999 is read as infinity
        return f"a number too {'big' if value > 0 else 'small'} to use ({value})"
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True, slots=True)
class Field:
    """One key of a table: what it must be, said in words, and the test that checks it."""

    expect: str
    accepts: Callable[[Any], bool]
    required: bool = False


def text(expect: str = "text", *, required: bool = False, blank: bool = False) -> Field:
    """A string; empty or blank only when `blank` allows it."""
    return Field(expect, lambda v: isinstance(v, str) and (blank or bool(v.strip())), required)


def boolean() -> Field:
    """true or false."""
    return Field("true or false", lambda v: isinstance(v, bool))


def number(low: float, high: float, noun: str, *, whole: bool = False) -> Field:
    """A finite number from low to high (whole numbers only when `whole`), named by `noun`."""

    def accepts(value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if whole and not isinstance(value, int):
            return False
        return math.isfinite(value) and low <= value <= high

    return Field(f"{noun} from {_num(low)} to {_num(high)}", accepts)


def choice(*values: str) -> Field:
    """One of a few fixed words."""
    words = " or ".join(f'"{v}"' for v in values)
    return Field(words, lambda v: isinstance(v, str) and v in values)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def check_table(
    table: Mapping[str, Any],
    fields: Mapping[str, Field],
    report: Callable[[str, str], None],
    prefix: str = "",
    subtables: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Check `table` against `fields`; report (field, message) per problem; return the good values.

    Keys named in `subtables` are left to the caller.
    """
    good: dict[str, Any] = {}
    suggested: set[str] = set()
    for key, value in table.items():
        if key in subtables:
            continue
        field = fields.get(key)
        if field is None:
            near = nearest(key, [*fields, *subtables])
            suggested.add(near or "")
            report(prefix + key, unknown(key, [*fields, *subtables]))
        elif field.accepts(value):
            good[key] = value
        else:
            report(prefix + key, f"expected {field.expect}, found {shown(value)}")
    for key, field in fields.items():
        if field.required and key not in table and key not in suggested:
            report(prefix + key, f"expected {field.expect}, found nothing (this field is required)")
    return good


def nearest(key: str, known: list[str]) -> str | None:
    """The known key a typo most likely meant, if one is close."""
    near = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if near:
        return near[0]
    longer = [k for k in known if len(key) >= 3 and k.startswith(key)]  # "safety": "safety_..."
    return longer[0] if len(longer) == 1 else None


def unknown(key: str, known: list[str]) -> str:
    """The message for an unknown key, with the nearest known key when one is close."""
    near = nearest(key, known)
    return f'unknown field (did you mean "{near}"?)' if near else "unknown field"


BOM = "\ufeff"
CURLY_QUOTES = "\u201c\u201d\u2018\u2019\u201e\u00ab\u00bb"  # a word processor's quotes
_WHERE = re.compile(
    r"^(?P<what>.*?) \(at (?:line (?P<line>\d+), column (?P<col>\d+)|(?P<end>end of document))\)$"
)


def parse_toml(data: bytes, file: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Decode UTF-8 TOML, turning every way it can fail into one problem line."""
    try:
        source = data.decode("utf-8").removeprefix(BOM)  # Notepad's mark: harmless, so allowed
    except UnicodeDecodeError as error:
        message = f"expected UTF-8 text, found a byte that is not (at byte {error.start + 1})"
        return None, [Problem(file, message)]
    try:
        return tomllib.loads(source), []
    except tomllib.TOMLDecodeError as error:
        return None, [Problem(file, _toml_message(str(error), source))]
    except RecursionError:
        return None, [Problem(file, "expected TOML, found lists or tables nested too deeply")]


def _toml_message(raw: str, source: str) -> str:
    match = _WHERE.match(raw)
    if match is None:
        return f"expected TOML, found a syntax error: {raw}"
    what = match["what"][:1].lower() + match["what"][1:]
    where = "end of file" if match["end"] else f"line {match['line']}, column {match['col']}"
    line = source.splitlines()[int(match["line"]) - 1] if match["line"] else ""
    curly = list(dict.fromkeys(c for c in line if c in CURLY_QUOTES))
    if curly:
        return (
            f'{where}: expected straight quotes ("), found curly ones ({" ".join(curly)}) as a '
            "word processor writes them: type the quotes again in a plain text editor"
        )
    return f"{where}: expected TOML, found a syntax error ({what})"


def read_file(path: str) -> tuple[bytes | None, list[Problem]]:
    """Read a file's bytes, or say in one line why it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return handle.read(), []
    except FileNotFoundError:
        return None, [Problem(path, "expected a file, found nothing there")]
    except IsADirectoryError:
        return None, [Problem(path, "expected a file, found a folder")]
    except PermissionError:
        return None, [Problem(path, "expected a file we may read, found one we may not")]
    except OSError as error:
        return None, [Problem(path, f"expected a readable file, found an error: {error.strerror}")]
