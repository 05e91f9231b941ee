"""How stored MLB responses become rows: one handler per endpoint, used online (ingest
after a fetch, ``--from-files``) and offline (``fieldhouse replay``).

A feed is mapped by the four feed mappings in one transaction; its rows are versioned by
the feed's ``metaData.timeStamp`` (the mappings say so), so the ``captured_at`` of the
response only matters for the schedule, teams and people tables.
"""

from __future__ import annotations

from ...mapping import Record, apply_mapping, write_applied
from ...mapping.quarantine import QUARANTINE
from ...stores import Store, UpsertResult
from ..raw import RawResponse
from .schema import ENDPOINT_MAPPINGS, FEED_MAPPINGS, mapping

SOURCE = "mlb"


def write_mapped(store: Store, names: tuple[str, ...], raw: RawResponse) -> dict[str, UpsertResult]:
    """Apply the shipped mappings ``names`` to one response and write them together,
    rejects quarantined (one quarantine total)."""
    origin = f"{raw.source} {raw.endpoint} {raw.params_text}"
    results: dict[str, UpsertResult] = {}
    quarantined = UpsertResult(QUARANTINE.name)
    with store.transaction():
        for name in names:
            applied = apply_mapping(mapping(name), [Record(raw.data, origin)], raw.captured_at)
            loaded = write_applied(store, applied, raw.captured_at)
            results.update(loaded.tables)
            quarantined += loaded.quarantine
    if quarantined.total:
        results[QUARANTINE.name] = quarantined
    return results


def feed(store: Store, raw: RawResponse) -> dict[str, UpsertResult]:
    """A live feed: game, venue, players, line score, plays, pitches, runners, box score."""
    return write_mapped(store, FEED_MAPPINGS, raw)


def schedule(store: Store, raw: RawResponse) -> dict[str, UpsertResult]:
    return write_mapped(store, (ENDPOINT_MAPPINGS["schedule"],), raw)


def teams(store: Store, raw: RawResponse) -> dict[str, UpsertResult]:
    return write_mapped(store, (ENDPOINT_MAPPINGS["teams"],), raw)


def people(store: Store, raw: RawResponse) -> dict[str, UpsertResult]:
    return write_mapped(store, (ENDPOINT_MAPPINGS["people"],), raw)


#: The handler of each endpoint (``seasons`` responses are landed only: planning reads them);
#: what :meth:`MLBSource.handlers <fieldhouse.sources.mlb.source.MLBSource.handlers>` declares.
HANDLERS = {"feed/live": feed, "schedule": schedule, "teams": teams, "people": people}
HANDLED = tuple(HANDLERS)
