"""The generic file source: CSV, JSON, JSON Lines, any of them gzipped, through a mapping.

The format comes from the name (``.csv``, ``.json``, ``.jsonl``/``.ndjson``, each optionally
``.gz``); gzip is also recognised by its magic bytes, and a file with another name is sniffed
(``[``/``{`` first means JSON, else CSV).  A UTF-8 byte order mark is ignored.

Records: each CSV row is an object keyed by the header (an empty field is null); a JSON
array gives one record per element, a JSON object is one record; each JSONL line is one
record.  A CSV row with the wrong number of fields or a JSONL line that is not JSON is
kept as a record with a problem, so it is rejected into the quarantine, never dropped.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..mapping.apply import Record
from ..mapping.spec import MappingSpec
from ..mapping.write import LoadResult, load_records

FORMATS = ("csv", "json", "jsonl")
_SUFFIX = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise ConfigError(f"{path} looks gzipped but cannot be decompressed: {exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not UTF-8 text (byte {exc.start}): convert it to UTF-8 first") from None


def detect_format(path: Path, text: str) -> str:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    suffix = os.path.splitext(name)[1]
    if suffix in _SUFFIX:
        return _SUFFIX[suffix]
    head = text.lstrip()[:1]
    if head in ("[", "{"):
        first = text.lstrip().split("\n", 1)[0].strip()
        try:
            json.loads(text)
            return "json"
        except ValueError:
            return "jsonl" if first.startswith("{") else "json"
    return "csv"


def read_records(path: str | Path, format: str | None = None) -> list[Record]:
    """Every record of a file, each with its origin (``name line N`` or ``name [i]``)."""
    path = Path(path)
    text = _read_text(path)
    kind = format or detect_format(path, text)
    if kind not in FORMATS:
        raise ConfigError(f"unknown file format {kind!r}: use one of {', '.join(FORMATS)}")
    return {"csv": _csv, "json": _json, "jsonl": _jsonl}[kind](text, path.name)


#: The longest CSV field read, in characters (Python's csv module stops at 131,072 by
#: default).  A longer field rejects its row, with the start of its line; the rest of the
#: file is read on.
CSV_FIELD_LIMIT = 16 * 1024 * 1024
#: How much of a line with an oversized field the quarantine keeps.
KEPT_OF_LONG_LINE = 1_000


class _Lines:
    """The lines of a text, remembering the last one handed out (the csv reader reads one
    physical line at a time)."""

    def __init__(self, lines: Any) -> None:
        self._lines = iter(lines)
        self.last = ""

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        self.last = next(self._lines)
        return self.last


def _csv(text: str, name: str) -> list[Record]:
    lines = _Lines(io.StringIO(text, newline=""))
    reader = csv.reader(lines)
    previous_limit = csv.field_size_limit(CSV_FIELD_LIMIT)
    try:
        return _csv_records(reader, lines, name)
    finally:
        csv.field_size_limit(previous_limit)


def _csv_records(reader: Any, lines: _Lines, name: str) -> list[Record]:
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ConfigError(f"{name} line {reader.line_num}: the header row cannot be read: {exc}") from None
    if not header:
        return []
    header = [h.strip() for h in header]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes or "" in header:
        raise ConfigError(f"{name}: the header row has {'a repeated' if dupes else 'an empty'} column name {(dupes or [''])[0]!r}")
    out = []
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return out
        except csv.Error as exc:
            origin = f"{name} line {reader.line_num}"
            if "field limit" not in str(exc):
                raise ConfigError(f"{origin}: malformed CSV: {exc}") from None
            out.append(Record({"text": lines.last[:KEPT_OF_LONG_LINE]}, origin,
                              f"a field is longer than {CSV_FIELD_LIMIT:,} characters, the CSV field limit"))
            continue
        origin = f"{name} line {reader.line_num}"
        if not fields or fields == [""]:
            continue
        if len(fields) != len(header):
            out.append(Record({"fields": fields}, origin, f"{len(fields)} fields, but the header has {len(header)}"))
            continue
        out.append(Record({h: (v if v != "" else None) for h, v in zip(header, fields, strict=True)}, origin))


def _json(text: str, name: str) -> list[Record]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{name}: not valid JSON: {exc}") from None
    if isinstance(data, list):
        return [Record(item, f"{name} [{i}]") for i, item in enumerate(data)]
    return [Record(data, name)]


def _jsonl(text: str, name: str) -> list[Record]:
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        origin = f"{name} line {number}"
        try:
            out.append(Record(json.loads(line), origin))
        except ValueError as exc:
            out.append(Record(line, origin, f"not valid JSON: {exc}"))
        except RecursionError:
            out.append(Record(line, origin, "not valid JSON: nested too deeply"))
    return out


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
    """Read ``path`` and load it through ``mapping`` into ``store`` in one transaction.

    The capture time (used by ``captured_at()`` in the mapping, and as the quarantine's
    version) is ``captured_at`` if given, else the file's modification time, so loading
    the same unchanged file twice changes nothing the second time.
    """
    path = Path(path)
    records = read_records(path, format)
    if captured_at is not None:
        stamp, source = captured_at, "given"
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
    else:
        stamp = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        source = "file modification time"
    result = load_records(store, mapping, records, stamp)
    return FileLoad(result, stamp, source, len(records))
