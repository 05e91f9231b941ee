"""``fieldhouse load FILE --mapping M.yaml``: a CSV/JSON/JSONL file through a mapping."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .app import EXIT_PARTIAL, DbOption, JsonOption, app, console, fail, settings_for
from .output import counts_table


@app.command()
def load(
    file: Annotated[Path, typer.Argument(help="CSV, JSON or JSONL file, optionally gzipped.", show_default=False)],
    mapping: Annotated[Path, typer.Option("--mapping", "-m", help="The mapping YAML file.", show_default=False)],
    db: DbOption = None,
    as_json: JsonOption = False,
    captured_at: Annotated[str | None, typer.Option(
        "--captured-at", help="When the data was captured (ISO 8601); default: the file's modification time.",
        show_default=False)] = None,
) -> None:
    """Load FILE through a mapping; rejected rows go to fieldhouse_rejects with their reason.
    Exit code 3 when some rows were rejected."""
    from ..errors import CastError
    from ..mapping import load_mapping
    from ..sources.files import load_file
    from ..stores import connect
    from ..types import cast

    spec = load_mapping(mapping)
    stamp = None
    if captured_at is not None:
        try:
            stamp = cast("timestamptz", captured_at)
        except CastError as exc:
            raise fail(f"--captured-at: {exc}", 2) from None
    settings = settings_for(db)
    with connect(settings.database) as store:
        done = load_file(store, file, spec, stamp)
    rejected = sum(r.rejected for r in done.result.tables.values())
    if as_json:
        print(json.dumps(done.as_dict()))
    else:
        console().print(counts_table(f"{file.name} -> {settings.database.redacted}",
                                     {name: result.counts() for name, result in done.result.tables.items()}))
        use = "used by the mapping" if spec.uses_captured_at else "not used by the mapping; the version comes from the data"
        console().print(f"captured_at {done.captured_at.isoformat()} from {done.captured_from} ({use})", highlight=False)
        if rejected:
            q = done.result.quarantine
            console().print(f"{rejected} row(s) rejected: see table fieldhouse_rejects "
                            f"({q.inserted} new, {q.total - q.inserted} already there or repeated)", highlight=False)
            for rej in done.result.rejects[:5]:
                console().print(f"  {rej.origin or rej.target}: {rej.reason}", highlight=False, soft_wrap=True)
    if rejected:
        raise typer.Exit(EXIT_PARTIAL)
