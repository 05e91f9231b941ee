"""The fixed set of column types, and the rules for casting values to them.

Every value on its way to a table passes through :func:`caster` for its column's type.
A cast either returns the canonical Python value (``int``, ``float``, ``Decimal``, ``str``,
``bool``, ``date``, aware UTC ``datetime``, or a JSON-compatible object) or raises
:class:`~fieldhouse.errors.CastError` saying why.  The same rules serve the store, the
mappings and the file loader, so a value means the same thing wherever it comes from.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from typing import Any

from .errors import CastError, SchemaError

SIMPLE_TYPES = ("int", "bigint", "float", "text", "bool", "date", "timestamptz", "json")
_DECIMAL = re.compile(r"^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$")
INT_RANGE = {"int": (-(2**31), 2**31 - 1), "bigint": (-(2**63), 2**63 - 1)}
# Types a version column may have: they must have a total order the database agrees with.
VERSION_TYPES = ("int", "bigint", "float", "decimal", "text", "date", "timestamptz")


@dataclass(frozen=True)
class ColumnType:
    """A parsed column type: ``name`` is one of SIMPLE_TYPES or ``decimal``."""

    name: str
    precision: int | None = None
    scale: int | None = None

    @classmethod
    def parse(cls, spec: str | ColumnType) -> ColumnType:
        if isinstance(spec, ColumnType):
            return spec
        if not isinstance(spec, str):
            raise SchemaError(f"column type {spec!r} is not a string")
        text = spec.strip().lower()
        if text in SIMPLE_TYPES:
            return cls(text)
        m = _DECIMAL.match(text)
        if m:
            precision, scale = int(m[1]), int(m[2])
            if not 1 <= precision <= 1000 or scale > precision:
                raise SchemaError(
                    f"column type {spec!r}: decimal(p,s) needs 1 <= p <= 1000 and 0 <= s <= p"
                )
            return cls("decimal", precision, scale)
        raise SchemaError(
            f"unknown column type {spec!r}: use one of int, bigint, float, decimal(p,s), "
            "text, bool, date, timestamptz, json"
        )

    def __str__(self) -> str:
        if self.name == "decimal":
            return f"decimal({self.precision},{self.scale})"
        return self.name


# ---------------------------------------------------------------------------- casts
#
# A cast never raises anything but CastError, and it rejects every value one of the stores
# could not hold exactly, so SQLite and PostgreSQL always agree: text with a NUL character
# or a lone surrogate (PostgreSQL refuses both, and neither can be encoded as UTF-8),
# integers beyond their type's range, decimals with more digits before the point than the
# type allows, NaN and infinities (a float column rejects them: SQLite would store NaN as
# NULL; JSON has no way to write them), dates and timestamps outside years 1..9999 (Python's
# range, which lies inside PostgreSQL's), JSON nested deeper than Python can encode.

_INT_TEXT = re.compile(r"^[+-]?\d+(\.0*)?$")
_MINUTES_CLOCK = re.compile(r"^(\d{1,15}):([0-5]?\d(?:\.\d+)?)$")
_MINUTES_ISO = re.compile(r"^PT(?:(\d{1,15}(?:\.\d+)?)H)?(?:(\d{1,15}(?:\.\d+)?)M)?(?:(\d{1,15}(?:\.\d+)?)S)?$", re.I)
_TRUE = frozenset({"true", "t", "1", "yes", "y", "w"})
_FALSE = frozenset({"false", "f", "0", "no", "n", "l"})
_DATE_FORMATS = ("%Y-%m-%d", "%b %d, %Y", "%m/%d/%Y", "%Y%m%d")
_SURROGATE = re.compile("[\ud800-\udfff]")
# A NUL character inside JSON text written by json.dumps: an odd number of backslashes, u0000.
_JSON_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")
#: The most digits a whole number may have on its way to int or bigint (more is out of range).
_MAX_INT_DIGITS = 19


def _fail(value: Any, type_name: str, why: str = "") -> CastError:
    try:
        shown = repr(value)
    except ValueError:  # an int too long to print
        shown = f"<{type(value).__name__}>"
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return CastError(f"cannot cast {shown} to {type_name}" + (f": {why}" if why else ""))


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored as text (a NUL character, a lone surrogate), or None."""
    if "\x00" in text:
        return "it holds a NUL character, which PostgreSQL cannot store"
    if not text.isascii() and _SURROGATE.search(text):
        return "it holds a lone surrogate, which is not valid Unicode"
    return None


def minutes_from_text(text: str) -> float | None:
    """``"36:12"`` and ``"PT36M12.00S"`` as minutes (36.2); None if neither form."""
    m = _MINUTES_CLOCK.match(text)
    if m:
        return int(m[1]) + float(m[2]) / 60
    m = _MINUTES_ISO.match(text)
    if m and any(m.groups()):
        hours, mins, secs = (float(g) if g else 0.0 for g in m.groups())
        return hours * 60 + mins + secs / 60
    return None


def _cast_int(kind: str) -> Callable[[Any], int]:
    low, high = INT_RANGE[kind]

    def cast(value: Any) -> int:
        if type(value) is int:
            result = value
        elif isinstance(value, bool):
            raise _fail(value, kind, "a boolean is not a number")
        elif isinstance(value, int):
            result = int(value)
        elif isinstance(value, float | Decimal):
            if not (math.isfinite(value) if isinstance(value, float) else value.is_finite()):
                raise _fail(value, kind, "not a finite number")
            if isinstance(value, Decimal) and value.adjusted() >= _MAX_INT_DIGITS:
                raise _fail(value, kind, f"out of range {low}..{high}")
            if value != int(value):
                raise _fail(value, kind, "it has a fractional part")
            result = int(value)
        elif isinstance(value, str):
            text = value.strip()
            if not _INT_TEXT.match(text):
                raise _fail(value, kind, "not a whole number")
            digits = text.split(".", 1)[0].lstrip("+-").lstrip("0") or "0"
            if len(digits) > _MAX_INT_DIGITS:
                raise _fail(value, kind, f"out of range {low}..{high}")
            result = -int(digits) if text.startswith("-") else int(digits)
        else:
            raise _fail(value, kind, f"a {type(value).__name__} is not a number")
        if not low <= result <= high:
            raise _fail(value, kind, f"out of range {low}..{high}")
        return result

    return cast


def _number_from_text(value: str, type_name: str) -> Decimal:
    text = value.strip()
    minutes = minutes_from_text(text) if ":" in text or text[:2] in ("PT", "pT", "Pt", "pt") else None
    if minutes is not None:
        return Decimal(repr(minutes))
    try:
        result = Decimal(text)
    except (InvalidOperation, ValueError):
        raise _fail(value, type_name, "not a number") from None
    if not result.is_finite():
        raise _fail(value, type_name, "not a finite number")
    return result


def _cast_float(value: Any) -> float:
    if type(value) is float:
        result = value
    elif isinstance(value, bool):
        raise _fail(value, "float", "a boolean is not a number")
    elif isinstance(value, Decimal) and not value.is_finite():
        raise _fail(value, "float", "not a finite number")
    elif isinstance(value, int | float | Decimal):
        try:
            result = float(value)
        except OverflowError:
            raise _fail(value, "float", "too large for a float") from None
    elif isinstance(value, str):
        text = value.strip()
        minutes = minutes_from_text(text) if ":" in text or text[:2] in ("PT", "pT", "Pt", "pt") else None
        if minutes is not None:
            result = minutes
        else:
            try:
                result = float(text)
            except ValueError:
                raise _fail(value, "float", "not a number") from None
    else:
        raise _fail(value, "float", f"a {type(value).__name__} is not a number")
    if not math.isfinite(result):
        raise _fail(value, "float", "not a finite number")
    return result + 0.0  # -0.0 becomes 0.0: one value, one representation


def _cast_decimal(precision: int, scale: int) -> Callable[[Any], Decimal]:
    quantum = Decimal(1).scaleb(-scale)
    type_name = f"decimal({precision},{scale})"
    whole = precision - scale  # digits allowed before the point
    # Enough precision for every value that fits (and one rounding carry), whatever the
    # default context says: no cast is ever rounded to 28 digits or raises InvalidOperation.
    context = Context(prec=precision + 1, rounding=ROUND_HALF_EVEN, Emax=MAX_EMAX, Emin=MIN_EMIN)

    def too_long(value: Any) -> CastError:
        return _fail(value, type_name, f"more than {whole} digits before the point")

    def cast(value: Any) -> Decimal:
        if isinstance(value, bool):
            raise _fail(value, type_name, "a boolean is not a number")
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, int):
            if value.bit_length() > 3.33 * whole + 4:  # surely more digits than allowed
                raise too_long(value)
            number = Decimal(value)
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise _fail(value, type_name, "not a finite number")
            number = Decimal(repr(value))
        elif isinstance(value, str):
            number = _number_from_text(value, type_name)
        else:
            raise _fail(value, type_name, f"a {type(value).__name__} is not a number")
        if not number.is_finite():
            raise _fail(value, type_name, "not a finite number")
        if number and number.adjusted() >= whole:  # rounding cannot make it shorter
            raise too_long(value)
        result = number.quantize(quantum, context=context)
        if result and result.adjusted() >= whole:  # 999.995 rounded up to 1000.00
            raise too_long(value)
        return result.copy_abs() if result.is_zero() else result  # -0.00 becomes 0.00

    return cast


def _cast_text(value: Any) -> str:
    if type(value) is str:
        text = value
    elif isinstance(value, str):
        text = str(value)
    elif isinstance(value, bool):
        return "true" if value else "false"
    elif isinstance(value, int | float | Decimal):
        try:
            return str(value)
        except ValueError:  # an int of more digits than Python prints
            raise _fail(value, "text", "too many digits") from None
    else:
        raise _fail(value, "text", f"a {type(value).__name__} is not text")
    problem = text_problem(text)
    if problem:
        raise _fail(value, "text", problem)
    return text


def _cast_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise _fail(value, "bool", "use true/false, t/f, 1/0, yes/no or W/L")


def _cast_date(value: Any) -> date:
    if isinstance(value, datetime):
        if value.time() != time(0):
            raise _fail(value, "date", "it has a time of day")
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii():
            try:  # YYYY-MM-DD, the common case, without strptime (40 times faster)
                return date.fromisoformat(text)
            except ValueError:
                pass  # the formats below decide
        if len(text) >= 19 and text[10] in "T ":
            try:
                stamp = _cast_timestamptz(text)
            except CastError as exc:
                raise _fail(value, "date", str(exc).rsplit(": ", 1)[-1]) from None
            if stamp.time() != time(0):
                raise _fail(value, "date", "it has a time of day")
            return stamp.date()
        for fmt in _DATE_FORMATS:
            try:
                return datetime.strptime(text.title() if "%b" in fmt else text, fmt).date()
            except ValueError:
                continue
        raise _fail(value, "date", "use YYYY-MM-DD (years 1 to 9999)")
    raise _fail(value, "date", f"a {type(value).__name__} is not a date")


def _cast_timestamptz(value: Any) -> datetime:
    if isinstance(value, datetime):
        stamp = value
    elif isinstance(value, date):
        stamp = datetime.combine(value, time(0))
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            stamp = datetime.fromisoformat(text)
        except ValueError:
            raise _fail(value, "timestamptz", "use ISO 8601, e.g. 2019-04-13T20:30:00Z (years 1 to 9999)") from None
    else:
        raise _fail(value, "timestamptz", f"a {type(value).__name__} is not a timestamp")
    if stamp.tzinfo is None:
        return stamp.replace(tzinfo=UTC)  # naive times are taken as UTC (documented)
    try:
        return stamp.astimezone(UTC)
    except (OverflowError, ValueError):
        raise _fail(value, "timestamptz", "in UTC it falls outside years 1 to 9999") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _cast_json(value: Any) -> Any:
    """Any JSON value; text is read as a JSON document.  The value must survive both stores:
    no NaN or infinity, no NUL character or lone surrogate in a string or key."""
    given = value
    if isinstance(value, str):
        try:
            value = json.loads(value, parse_constant=_reject_constant)
        except RecursionError:
            raise _fail(given, "json", "nested too deeply") from None
        except ValueError:
            raise _fail(given, "json", "text for a json column must be a JSON document") from None
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False)
    except RecursionError:
        raise _fail(given, "json", "nested too deeply") from None
    except (TypeError, ValueError) as exc:  # NaN or an infinity (also 1e400), a set, a huge int
        raise _fail(given, "json", str(exc)) from None
    if "\\u0000" in text and _JSON_NUL.search(text):
        raise _fail(given, "json", "a string holds a NUL character, which PostgreSQL cannot store")
    if not text.isascii() and _SURROGATE.search(text):
        raise _fail(given, "json", "a string holds a lone surrogate, which is not valid Unicode")
    return value


def caster(column_type: ColumnType | str) -> Callable[[Any], Any]:
    """The cast function of a column type; it never returns None for a non-None input."""
    ctype = ColumnType.parse(column_type)
    if ctype.name in INT_RANGE:
        return _cast_int(ctype.name)
    if ctype.name == "decimal":
        assert ctype.precision is not None and ctype.scale is not None
        return _cast_decimal(ctype.precision, ctype.scale)
    return {
        "float": _cast_float,
        "text": _cast_text,
        "bool": _cast_bool,
        "date": _cast_date,
        "timestamptz": _cast_timestamptz,
        "json": _cast_json,
    }[ctype.name]


def cast(column_type: ColumnType | str, value: Any) -> Any:
    """Cast one value (None stays None)."""
    return None if value is None else caster(column_type)(value)


class CastRow(dict):  # type: ignore[type-arg]
    """A row (column -> value) whose values were already cast by :func:`caster` for their
    columns' types, with no column but the table's and no NULL where the table forbids one:
    what a mapping makes.  A store takes its values as they are instead of casting and
    checking them a second time (a value that is not of its column's Python type is still
    cast, so a row changed by hand cannot smuggle in a wrong type)."""

    __slots__ = ()


# ------------------------------------------------------------------ canonical text

def timestamp_text(stamp: datetime) -> str:
    """Fixed-width UTC text of a timestamp: sorts as text in time order (the year always has
    four digits, also before 1000)."""
    return stamp.astimezone(UTC).isoformat(timespec="microseconds")


def json_text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(value: Any) -> str:
    """One text per cast value, used for the content hash (None is never passed)."""
    kind = type(value)
    if kind is str:
        return value
    if kind is bool:
        return "t" if value else "f"
    if kind is int:
        return str(value)
    if kind is float:
        return repr(value)
    if kind is Decimal:
        return str(value)
    if kind is datetime:
        return timestamp_text(value)
    if kind is date:
        return value.isoformat()
    return json_text(value)
