"""Archives: raw responses as plain files, to move data between machines and to run any
source offline.

An archive is a directory::

    index.jsonl                               one line per response (see below)
    <source>/<endpoint>/<content_hash>.json.gz  the body exactly as received, gzipped

Each index line is a JSON object with ``source``, ``endpoint``, ``params`` (the canonical
parameters), ``captured_at`` (ISO 8601 UTC), ``content_hash`` (SHA-256 of the body),
``size`` and ``file`` (relative path).  Bodies are stored by content hash, so the same
content is written once; the hash is checked on every read.

:func:`export_archive` writes (or adds to) an archive from ``fieldhouse_raw``;
:func:`import_archive` lands an archive's responses into a database with the same rules as
online fetching; :class:`ArchiveFetcher` answers a source's requests from an archive
instead of the network (``--archive DIR``), newest capture first, so the source behaves
exactly as online, incremental logic included.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..errors import ArchiveError, ArchiveMissError, BadResponseError
from ..stores import Store
from ..table import check_identifier
from .http.response import Params, Response, canonical_params, content_hash, params_text
from .http.validate import Validator, any_json, parse_json
from .raw import RawResponse, land, raw_responses

INDEX = "index.jsonl"


@dataclass(frozen=True)
class Entry:
    source: str
    endpoint: str
    params: dict[str, str]
    captured_at: datetime
    content_hash: str
    size: int
    file: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.source, self.endpoint, params_text(self.params), self.content_hash)

    def as_json(self) -> str:
        return json.dumps({
            "source": self.source, "endpoint": self.endpoint, "params": self.params,
            "captured_at": self.captured_at.isoformat(), "content_hash": self.content_hash,
            "size": self.size, "file": self.file,
        }, sort_keys=True, ensure_ascii=False)


def _safe_part(name: str) -> str:
    """A path component from a source or endpoint name (``feed/live`` -> ``feed_live``)."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip(".")
    return cleaned or "_"


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_archive_folder(directory: str | Path) -> None:
    """ArchiveError unless ``directory`` is a folder (a source is about to read it)."""
    if not Path(directory).is_dir():
        raise ArchiveError(f"archive folder {str(directory)!r} does not exist: give the folder "
                           "`fieldhouse archive export` wrote, or leave out --archive")


def read_index(directory: str | Path) -> list[Entry]:
    """The entries of the archive at ``directory``; ArchiveError if it is not one."""
    root = Path(directory)
    index = root / INDEX
    if not index.is_file():
        raise ArchiveError(f"{root} is not a fieldhouse archive: it has no {INDEX}")
    entries = []
    with index.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                entries.append(Entry(
                    str(obj["source"]), str(obj["endpoint"]), canonical_params(obj["params"]),
                    datetime.fromisoformat(obj["captured_at"]), str(obj["content_hash"]),
                    int(obj.get("size", 0)), str(obj["file"]),
                ))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise ArchiveError(f"{index}, line {n}: not a valid index entry ({exc})") from None
            if entries[-1].captured_at.tzinfo is None:
                raise ArchiveError(f"{index}, line {n}: captured_at has no time zone")
    return entries


def read_body(directory: str | Path, entry: Entry) -> bytes:
    """The body of ``entry``, checked against its hash."""
    root = Path(directory).resolve()
    path = (root / entry.file).resolve()
    if root not in path.parents:
        raise ArchiveError(f"index entry file {entry.file!r} points outside the archive {root}")
    try:
        body = gzip.decompress(path.read_bytes())
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise ArchiveError(f"cannot read {path}: {exc}") from None
    if content_hash(body) != entry.content_hash:
        raise ArchiveError(f"{path} does not match its hash in the index: the file is damaged")
    return body


def _write_index(root: Path, entries: Iterable[Entry]) -> None:
    ordered = sorted(entries, key=lambda e: (e.captured_at, e.source, e.endpoint,
                                             params_text(e.params), e.content_hash))
    _write_atomic(root / INDEX, "".join(e.as_json() + "\n" for e in ordered).encode("utf-8"))


@dataclass
class ArchiveReport:
    """``added``: responses new to the destination; ``unchanged``: already there;
    ``rejected`` (import): ``(file, reason)`` of bodies the source's validator refused."""

    added: int = 0
    unchanged: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"added": self.added, "unchanged": self.unchanged,
                "rejected": [{"file": f, "reason": r} for f, r in self.rejected]}


def export_archive(store: Store, directory: str | Path, *, source: str | None = None,
                   since: date | datetime | None = None) -> ArchiveReport:
    """Write the stored raw responses (optionally of ``source``, captured since ``since``)
    to the archive at ``directory``, adding to what it already holds."""
    root = Path(directory)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ArchiveError(f"cannot export to {root}: it is a file, not a folder; give a folder "
                           "(new, or an archive to add to)") from None
    except OSError as exc:
        raise ArchiveError(f"cannot create the archive folder {root}: {exc.strerror or exc}") from None
    if not (root / INDEX).exists():
        return _export_new(store, root, source=source, since=since)
    entries = {e.key: e for e in read_index(root)}
    report = ArchiveReport()
    for raw in raw_responses(store, source=source, since=since):
        entry = _exported(root, raw)
        old = entries.get(entry.key)
        if old is not None and old.captured_at == entry.captured_at:
            report.unchanged += 1
            continue
        if old is None or entry.captured_at > old.captured_at:
            entries[entry.key] = entry
        report.added += 1
    _write_index(root, entries.values())
    return report


def _export_new(store: Store, root: Path, *, source: str | None, since: date | datetime | None) -> ArchiveReport:
    """Export into a folder without an index: the responses stream in the index's own order
    (``raw_responses`` is ordered as :func:`_write_index` orders), so each index line is
    written as its response comes and memory does not grow with the number of responses."""
    report = ArchiveReport()
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".tmp-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as index:
            for raw in raw_responses(store, source=source, since=since):
                index.write(_exported(root, raw).as_json() + "\n")
                report.added += 1
        os.replace(tmp, root / INDEX)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ArchiveError(f"cannot write to the archive folder {root}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return report


def _exported(root: Path, raw: RawResponse) -> Entry:
    """Write ``raw``'s body into the archive (once per content) and return its index entry."""
    rel = f"{_safe_part(raw.source)}/{_safe_part(raw.endpoint)}/{raw.content_hash}.json.gz"
    path = root / rel
    if not path.exists():
        _write_body(root, path, raw.body)
    return Entry(raw.source, raw.endpoint, raw.params, raw.captured_at, raw.content_hash, len(raw.body), rel)


def _write_body(root: Path, path: Path, body: bytes) -> None:
    try:
        _write_atomic(path, gzip.compress(body, compresslevel=6, mtime=0))
    except OSError as exc:
        raise ArchiveError(f"cannot write to the archive folder {root}: {exc.strerror or exc}") from None


def _validator(source: str) -> Validator:
    """The validator of ``source``'s responses: its :meth:`Source.validate` (what its
    fetcher uses), else :func:`any_json` for a source that is not installed."""
    from .registry import UnknownSourceError, get

    try:
        return get(source).validate
    except UnknownSourceError:
        return any_json


def import_archive(store: Store, directory: str | Path) -> ArchiveReport:
    """Land every response of the archive into ``store`` (oldest first), with the same
    rules as online fetching: content already held is left alone.  Each body is checked by
    its source's validator (the one its fetcher uses): a body a sync would refuse is not
    landed but listed in ``rejected``."""
    entries = read_index(directory)
    entries.sort(key=lambda e: e.captured_at)
    report = ArchiveReport()
    with store.transaction():
        for entry in entries:
            body = read_body(directory, entry)
            try:
                _validator(entry.source)(entry.endpoint, parse_json(body, entry.endpoint))
            except BadResponseError as exc:
                report.rejected.append((entry.file, str(exc)))
                continue
            raw = RawResponse(entry.source, entry.endpoint, entry.params, entry.captured_at,
                              entry.content_hash, body)
            landed = land(store, raw)
            if landed.stored:
                report.added += 1
            else:
                report.unchanged += 1
    return report


class ArchiveFetcher:
    """Answers :meth:`get` like a live :class:`~fieldhouse.sources.http.Fetcher`, from an
    archive: the newest capture of (source, endpoint, canonical params), validated as an
    online response would be; :class:`~fieldhouse.errors.ArchiveMissError` for a request
    the archive does not hold.  The returned response keeps its original ``captured_at``.
    """

    base_url: str | None = None

    def __init__(self, directory: str | Path, source: str, *, validator: Validator = any_json) -> None:
        check_identifier(source, "source name")
        self.directory = Path(directory)
        self.source = source
        self.validator = validator
        self._newest: dict[tuple[str, str], Entry] = {}
        for entry in read_index(self.directory):
            if entry.source != source:
                continue
            key = (entry.endpoint, params_text(entry.params))
            held = self._newest.get(key)
            if held is None or entry.captured_at > held.captured_at:
                self._newest[key] = entry

    def __len__(self) -> int:
        return len(self._newest)

    def get(self, endpoint: str, params: Params | None = None, *, url: str | None = None,
            headers: Mapping[str, str] | None = None) -> Response:
        query = canonical_params(params)
        entry = self._newest.get((endpoint, params_text(query)))
        if entry is None:
            raise ArchiveMissError(
                f"the archive {self.directory} holds no {self.source} {endpoint} response for "
                f"parameters {params_text(query)}; fetch it online, or use an archive that has it",
                endpoint=endpoint,
            )
        body = read_body(self.directory, entry)
        data: Any = parse_json(body, endpoint)
        self.validator(endpoint, data)
        return Response(
            source=self.source, endpoint=endpoint, params=query, body=body, data=data,
            captured_at=entry.captured_at, url=url or f"archive:{entry.file}", status=200,
            attempts=1, from_archive=True,
        )

    def close(self) -> None:
        pass
