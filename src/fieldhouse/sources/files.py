"""The generic file source: CSV, JSON, JSON Lines, any of them gzipped, through a mapping.

The format comes from the name (``.csv``, ``.json``, ``.jsonl``/``.ndjson``, each optionally
``.gz``); gzip is also recognised by its magic bytes, and a file with another name is sniffed
(``[``/``{`` first means JSON, else CSV).  A UTF-8 byte order mark is ignored.

Records: each CSV row is an object keyed by the header (an empty field is null); a JSON
array gives one record per element, a JSON object is one record; each JSONL line is one
record.  A CSV row with the wrong number of fields or a JSONL line that is not JSON is
kept as a record with a problem, so it is rejected into the quarantine, never dropped.

CSV and JSON Lines are read as they are loaded, a part at a time; a JSON document is
parsed whole (use JSON Lines for files too large for memory).
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import ConfigError
from ..mapping.apply import Record
from ..mapping.load import load_records
from ..mapping.spec import MappingSpec
from ..mapping.write import LoadResult

FORMATS = ("csv", "json", "jsonl")
_SUFFIX = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}
#: The longest CSV field read, in characters (Python's csv module stops at 131,072 by
#: default).  A longer field rejects its row, with the start of its line; the rest of the
#: file is read on.
CSV_FIELD_LIMIT = 16 * 1024 * 1024
#: How much of a line with an oversized field the quarantine keeps.
KEPT_OF_LONG_LINE = 1_000


@contextmanager
def _binary(path: Path) -> Iterator[BinaryIO]:
    """The file's bytes, decompressed when it is gzipped (recognised by its magic bytes)."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    with raw:
        yield gzip.GzipFile(fileobj=raw) if raw.peek(2)[:2] == b"\x1f\x8b" else raw


_LONE_CR = re.compile("(?<=\r)(?!\n)")


def _lines(path: Path, binary: BinaryIO) -> Iterator[str]:
    """The file's lines as text, decoded as UTF-8 one at a time (a byte order mark dropped;
    line endings kept, a lone CR ending a line too); a file that cannot be read on is one
    error saying where."""
    number = 0
    try:
        for number, raw in enumerate(binary, start=1):  # noqa: B007 - read in the except clauses
            line = raw.decode("utf-8")
            if number == 1 and line.startswith("\ufeff"):
                line = line[1:]
            if ("\r" in line and not line.endswith("\r\n")) or line.count("\r") > 1:
                yield from filter(None, _LONE_CR.split(line))
            else:
                yield line
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text (line {number}): convert it to UTF-8 first") from None
    except (OSError, EOFError) as exc:
        raise ConfigError(f"{path} looks gzipped but cannot be decompressed (after line {number}): {exc}") from None


def detect_format(path: Path, head: str = "") -> str:
    """The format by the name, else by the start of the text (``head``: up to two lines)."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    suffix = os.path.splitext(name)[1]
    if suffix in _SUFFIX:
        return _SUFFIX[suffix]
    first, _, rest = head.lstrip().partition("\n")
    if first[:1] == "[":
        return "json"
    if first[:1] == "{":
        try:
            json.loads(first)
        except ValueError:
            return "json"  # a document over several lines
        return "jsonl" if rest.strip() else "json"
    return "csv"


def iter_records(path: str | Path, format: str | None = None) -> Iterator[Record]:
    """Every record of a file, each with its origin (``name line N`` or ``name [i]``), read
    as they are needed: a CSV or JSON Lines file is never held whole (a JSON document is)."""
    path = Path(path)
    if format is not None and format not in FORMATS:
        raise ConfigError(f"unknown file format {format!r}: use one of {', '.join(FORMATS)}")
    with _binary(path) as binary:
        lines = _lines(path, binary)
        head = list(islice(lines, 2))
        kind = format or detect_format(path, "".join(head))
        every = chain(head, lines)
        if kind == "json":
            yield from _json("".join(every), path.name)
        elif kind == "jsonl":
            yield from _jsonl(every, path.name)
        else:
            yield from _csv(every, path.name)


def read_records(path: str | Path, format: str | None = None) -> list[Record]:
    """Every record of a file, as a list (see :func:`iter_records`)."""
    return list(iter_records(path, format))


class _Lines:
    """Lines, remembering the last one handed out (the csv reader reads one physical line
    at a time)."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.last = ""

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        self.last = next(self._lines)
        return self.last


def _csv(lines: Iterator[str], name: str) -> Iterator[Record]:
    source = _Lines(lines)
    reader = csv.reader(source)
    # The limit is the csv module's, process-wide: raised while this file is read.
    previous_limit = csv.field_size_limit(CSV_FIELD_LIMIT)
    try:
        yield from _csv_records(reader, source, name)
    finally:
        csv.field_size_limit(previous_limit)


def _csv_records(reader: Any, lines: _Lines, name: str) -> Iterator[Record]:
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ConfigError(f"{name} line {reader.line_num}: the header row cannot be read: {exc}") from None
    if not header:
        return
    header = [h.strip() for h in header]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes or "" in header:
        raise ConfigError(f"{name}: the header row has {'a repeated' if dupes else 'an empty'} column name {(dupes or [''])[0]!r}")
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            origin = f"{name} line {reader.line_num}"
            if "field limit" not in str(exc):
                raise ConfigError(f"{origin}: malformed CSV: {exc}") from None
            yield Record({"text": lines.last[:KEPT_OF_LONG_LINE]}, origin,
                         f"a field is longer than {CSV_FIELD_LIMIT:,} characters, the CSV field limit")
            continue
        origin = f"{name} line {reader.line_num}"
        if not fields or fields == [""]:
            continue
        if len(fields) != len(header):
            yield Record({"fields": fields}, origin, f"{len(fields)} fields, but the header has {len(header)}")
            continue
        yield Record({h: (v if v != "" else None) for h, v in zip(header, fields, strict=True)}, origin)


def _json(text: str, name: str) -> list[Record]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ConfigError(f"{name}: not valid JSON: {exc}") from None
    if isinstance(data, list):
        return [Record(item, f"{name} [{i}]") for i, item in enumerate(data)]
    return [Record(data, name)]


def _jsonl(lines: Iterator[str], name: str) -> Iterator[Record]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        origin = f"{name} line {number}"
        text = line.rstrip("\r\n")
        try:
            yield Record(json.loads(text), origin)
        except ValueError as exc:
            yield Record(text, origin, f"not valid JSON: {exc}")
        except RecursionError:
            yield Record(text, origin, "not valid JSON: nested too deeply")


@dataclass
class FileLoad:
    """What ``load_file`` did: the counts, and where the capture time came from."""

    result: LoadResult
    captured_at: datetime
    captured_from: str  # "--captured-at" / "given", or "file modification time"
    records: int

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.result.as_dict(),
            "records": self.records,
            "captured_at": self.captured_at.isoformat(),
            "captured_at_from": self.captured_from,
        }


def load_file(store: Any, path: str | Path, mapping: MappingSpec, captured_at: datetime | None = None,
              format: str | None = None) -> FileLoad:
    """Read ``path`` and load it through ``mapping`` into ``store`` in one transaction,
    reading, mapping and writing it a part at a time (memory does not grow with the file).

    The capture time (used by ``captured_at()`` in the mapping, and as the quarantine's
    version) is ``captured_at`` if given, else the file's modification time, so loading
    the same unchanged file twice changes nothing the second time.
    """
    path = Path(path)
    if captured_at is not None:
        stamp, source = captured_at, "given"
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
    else:
        try:
            stamp = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
        source = "file modification time"
    counted = _Counted(iter_records(path, format))
    result = load_records(store, mapping, counted, stamp)
    return FileLoad(result, stamp, source, counted.n)


class _Counted:
    """An iterator that counts what it hands out."""

    def __init__(self, items: Iterator[Any]) -> None:
        self._items = items
        self.n = 0

    def __iter__(self) -> _Counted:
        return self

    def __next__(self) -> Any:
        item = next(self._items)
        self.n += 1
        return item
