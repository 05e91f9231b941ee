"""``fieldhouse schema MAPPING.yaml``: the DDL a mapping implies."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .app import app


@app.command()
def schema(
    mapping: Annotated[Path, typer.Argument(help="The mapping YAML file.", show_default=False)],
    dialect: Annotated[str, typer.Option(help="sqlite or postgresql.")] = "sqlite",
) -> None:
    """Print the CREATE statements of the mapping's tables (and the quarantine table), in load order."""
    from ..mapping import load_mapping, schema_sql

    if dialect not in ("sqlite", "postgresql"):
        raise typer.BadParameter("use sqlite or postgresql", param_hint="--dialect")
    print(schema_sql(load_mapping(mapping), dialect), end="")
