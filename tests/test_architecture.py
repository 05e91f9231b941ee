"""The shape of the package (docs/architecture.md): imports run one way, cli -> query -> runs
-> sources -> mapping -> stores -> core, even those made by string; no module outside
``sources/<name>/`` names a source or imports a source's package; the public surface is
``fieldhouse.__all__``; ``fieldhouse --help`` loads none of the heavy modules."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import fieldhouse

PACKAGE = Path(fieldhouse.__file__).parent
CORE = {"errors", "types", "table", "urls", "settings", "_version"}
# serve/ (the HTTP service) is a face like the CLI: it reads through query and below; the CLI
# starts it (imported lazily, inside the command).
RANK = {"core": 0, "stores": 1, "mapping": 2, "sources": 3, "runs": 4, "query": 5, "cli": 6, "serve": 6,
        "testing": 6, "root": 7}
SOURCE_PACKAGES = sorted(p.name for p in (PACKAGE / "sources").iterdir()
                         if p.is_dir() and p.name not in ("http", "__pycache__"))
MODULE_STRING = re.compile(r"^fieldhouse(\.\w+)+(:\w+)?$")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in ("__init__", "__main__"):
        return "root"
    return "core" if parts[1] in CORE else parts[1]


def source_package(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "sources" and parts[2] in SOURCE_PACKAGES else None


def is_module(name: str) -> bool:
    path = PACKAGE.parent / Path(*name.split("."))
    return path.is_dir() or path.with_suffix(".py").is_file()


def imports(path: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports: import statements (relative ones resolved), and string
    literals naming a fieldhouse module (``importlib.import_module("fieldhouse.x")``, entry
    point style ``"fieldhouse.x:attr"``)."""
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            submodules = [f"{target}.{alias.name}" for alias in node.names if is_module(f"{target}.{alias.name}")]
            if node.module or len(submodules) < len(node.names):  # ``from .. import query``: the submodule
                found.append((node.lineno, target))
            found += [(node.lineno, name) for name in submodules]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and MODULE_STRING.match(node.value):
            target = node.value.split(":", 1)[0]
            if is_module(target):  # not, e.g., a logger called "fieldhouse.http"
                found.append((node.lineno, target))
    return [(line, name) for line, name in found if name == "fieldhouse" or name.startswith("fieldhouse.")]


def all_modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def upward(path: Path) -> list[str]:
    here = module_name(path)
    return [f"{path.relative_to(PACKAGE)}:{line} ({layer(here)}) imports {target} ({layer(target)})"
            for line, target in imports(path) if RANK[layer(target)] > RANK[layer(here)]]


def test_the_walker_catches_relative_string_and_function_level_upward_imports():
    probe = PACKAGE / "stores" / "_probe_for_test.py"
    probe.write_text("def f():\n    from ..runs import ledger\n    import importlib\n"
                     "    importlib.import_module('fieldhouse.cli.app')\n    return 'fieldhouse.query.reads:runs'\n")
    try:
        found = upward(probe)
    finally:
        probe.unlink()
    assert sorted(f.split(" imports ")[1] for f in found) == [
        "fieldhouse.cli.app (cli)", "fieldhouse.query.reads (query)", "fieldhouse.runs (runs)",
        "fieldhouse.runs.ledger (runs)"]


def test_no_module_imports_upward():
    assert [found for path in all_modules() for found in upward(path)] == []


def test_only_a_source_imports_its_own_package():
    assert "nba" in SOURCE_PACKAGES
    crossing = []
    for path in all_modules():
        here = module_name(path)
        for line, target in imports(path):
            theirs = source_package(target)
            if theirs is not None and theirs != source_package(here) and layer(here) != "root":
                crossing.append(f"{path.relative_to(PACKAGE)}:{line} imports {target}")
    assert crossing == []


def test_no_module_outside_a_source_names_a_source():
    """``grep -rnw -E "nba|mlb" src/fieldhouse --include=*.py`` outside sources/nba and sources/mlb."""
    word = re.compile(r"\b(nba|mlb)\b")
    named = []
    for path in all_modules():
        if source_package(module_name(path)) is not None:
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if word.search(line):
                named.append(f"{path.relative_to(PACKAGE)}:{n}: {line.strip()}")
    assert named == []


def test_settings_hold_no_source_fields():
    from fieldhouse.settings import Settings

    assert not [name for name in Settings.model_fields if name.split("_", 1)[0] in SOURCE_PACKAGES]


PUBLIC = [
    "ArchiveError", "ArchiveFetcher", "ArchiveMissError", "AuditResult", "BadResponseError", "BaseSource",
    "CastError", "CircuitOpenError", "Column", "ColumnType", "ConfigError", "Counts", "DatabaseURL", "Demo",
    "DeprecatedSettingWarning", "FetchError", "FetchPolicy", "Fetcher", "FieldhouseError", "IdentifierError",
    "LoadResult", "LockBusyError", "Mapping", "MappingError", "RawResponse", "Rejected", "Response",
    "RunReport", "SchemaError", "Settings", "Shown", "Source", "SourceContext", "SourceOptions",
    "SourceSettings", "Store", "StoreConnectionError", "StoreError", "Table", "Unit", "UnitResult",
    "UpsertResult", "__version__", "apply_mapping", "audit", "backfill", "bundled_archive", "cast",
    "connect", "demo", "doctor", "execute_run", "export_archive", "get_source", "import_archive", "ingest",
    "land", "load_file", "load_mapping", "load_records", "query", "read_records", "redact", "register_function",
    "register_handler", "replay", "retry", "retry_nba", "source_names", "sync", "sync_nba", "verdict", "watch",
]


def test_the_public_surface_is_pinned_and_every_name_resolves():
    assert fieldhouse.__all__ == sorted(PUBLIC)
    for name in fieldhouse.__all__:
        assert getattr(fieldhouse, name) is not None, name
    with pytest.raises(AttributeError):
        fieldhouse.no_such_name  # noqa: B018


def test_docs_import_only_the_public_surface():
    """``fieldhouse`` itself, and ``fieldhouse.testing`` (the test kit) in test examples."""
    root = PACKAGE.parents[1]
    texts = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    private = [f"{path.name}: {line.strip()}" for path in texts for line in path.read_text().splitlines()
               if re.match(r"\s*(from fieldhouse\.(?!testing import)|import fieldhouse\.)", line)]
    assert private == []


def test_the_cli_imports_none_of_the_heavy_modules():
    code = ("import sys, fieldhouse.cli; heavy = [m for m in ('nba_api', 'requests', 'tenacity', 'pydantic', "
            "'pydantic_settings', 'psycopg', 'yaml', 'fieldhouse.sources.nba') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
