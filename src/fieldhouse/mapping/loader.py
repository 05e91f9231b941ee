"""Loading a mapping file: YAML to :class:`~fieldhouse.mapping.spec.MappingSpec`, checking
everything on the way.  Every mistake raises :class:`~fieldhouse.errors.MappingError` with
the file, the line and what is wrong."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path as FilePath
from typing import Any

import yaml

from ..errors import MappingError, SchemaError
from ..table import Column, Table
from ..types import ColumnType
from .expressions import Expression, ExpressionSyntaxError, parse_expression
from .paths import Path, PathSyntaxError, parse_path
from .spec import ColumnSpec, ForeignKey, MappingSpec, RowLevel, SnapshotSpec, Target
from .yamlnodes import Doc

TOP_KEYS = ("description", "targets")
TARGET_KEYS = ("table", "description", "rows", "primary_key", "version", "written_at",
               "columns", "filter", "checks", "foreign_keys", "snapshot", "partition_by")
SNAPSHOT_KEYS = ("parent", "version")
COLUMN_KEYS = ("type", "nullable", "path", "expr", "value", "description")
SOURCE_KEYS = ("path", "expr", "value")
LEVEL_KEYS = ("each", "result_set", "in", "group_by")
FK_KEYS = ("columns", "references", "ref_columns")
#: Whether this version's Table takes a parent_key (snapshot tables; the stores' side of
#: docs/mappings.md "Snapshots").  Until it does, a snapshot target's table is an ordinary
#: one and only the mapping side (apply_mapping's snapshots) works.
TABLES_HAVE_PARENTS = "parent_key" in {f.name for f in fields(Table)}


def load_mapping(path: str | FilePath) -> MappingSpec:
    """Read and check a mapping file."""
    file = str(path)
    try:
        text = FilePath(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise MappingError(f"cannot read the mapping: {exc.strerror or exc}", file) from None
    return parse_mapping(text, file)


def parse_mapping(text: str, file: str = "<mapping>") -> MappingSpec:
    """Check a mapping given as YAML text (``file`` names it in error messages).

    Every mistake of the file is reported, in one MappingError (see there)."""
    doc = Doc(file)
    root = doc.compose(text)
    top = doc.mapping(root, "the mapping", TOP_KEYS)
    if "targets" not in top:
        doc.note(doc.error(root, "the mapping needs 'targets'"))
        doc.finish()
    description = doc.value(top["description"][1]) if "description" in top else None
    targets_node = top["targets"][1]
    entries = doc.attempt(doc.mapping, targets_node, "targets") or {}
    if not entries and not doc.problems:
        doc.note(doc.error(targets_node, "'targets' is empty"))
    targets: dict[str, Target] = {}
    tables: dict[str, str] = {}
    broken: set[str] = set()  # targets with a mistake: others may still name them
    for name, (key_node, node) in entries.items():
        target = doc.attempt(_target, doc, name, key_node, node)
        if target is None:
            broken.add(name)
            continue
        if target.table.name in tables:
            doc.note(doc.error(key_node, f"targets {tables[target.table.name]!r} and {name!r} both write table {target.table.name!r}"))
            continue
        tables[target.table.name] = name
        targets[name] = target
    _check_foreign_keys(doc, targets, broken)
    order = doc.attempt(_load_order, doc, targets) or ()
    doc.finish()
    uses = any(_expressions_use_captured_at(t) for t in targets.values())
    return MappingSpec(targets, order, file, description, uses)


def _expressions_use_captured_at(target: Target) -> bool:
    exprs = [c.expr for c in target.columns.values() if c.expr is not None]
    exprs += list(target.checks) + ([target.filter] if target.filter else [])
    snapshot = target.snapshot
    if snapshot is not None:
        if snapshot.version is None:
            return True  # the snapshot's version is the capture time
        exprs += [s for _, s in snapshot.parent if isinstance(s, Expression)]
        exprs += [snapshot.version] if isinstance(snapshot.version, Expression) else []
    return any(e.uses_captured_at for e in exprs)


# --------------------------------------------------------------------------- targets

def _target(doc: Doc, name: str, key_node: yaml.Node, node: yaml.Node) -> Target:
    """One target; its mistakes are noted as they are found (the last one raised), so that
    a file with several is reported whole."""
    where = f"target {name!r}"
    before = len(doc.problems)
    spec = doc.mapping(node, where, TARGET_KEYS)
    for required in ("columns", "primary_key", "version"):
        if required not in spec:
            doc.note(doc.error(key_node, f"{where} needs {required!r}"))
    table_name = doc.attempt(doc.text, spec["table"][1], f"{where}: table") if "table" in spec else name
    levels = doc.attempt(_row_levels, doc, where, spec["rows"][1]) if "rows" in spec else ()
    context = levels  # what paths may reach; None: the rows have a mistake, nothing is checked
    levels = levels or ()
    written_at = doc.attempt(doc.text, spec["written_at"][1], f"{where}: written_at") if "written_at" in spec else None

    columns: dict[str, ColumnSpec] = {}
    col_entries: dict[str, Any] = {}
    if "columns" in spec:
        col_entries = doc.attempt(doc.mapping, spec["columns"][1], f"{where}: columns") or {}
        if not col_entries and len(doc.problems) == before:
            doc.note(doc.error(spec["columns"][1], f"{where}: 'columns' is empty"))
    for col, (knode, cnode) in col_entries.items():
        column = doc.attempt(_column, doc, where, col, knode, cnode, context, col == written_at)
        if column is not None:
            columns[col] = column
    known = set(col_entries)  # columns with a mistake are known too: no second error for them
    if written_at is not None and written_at not in known:
        doc.note(doc.error(spec["written_at"][0], f"{where}: written_at {written_at!r} is not a column; add it with type timestamptz and no source"))

    key: list[str] = []
    if "primary_key" in spec:
        pk_node = spec["primary_key"][1]
        key = doc.attempt(doc.names, pk_node, f"{where}: primary_key") or []
        for col in key:
            if col not in known:
                doc.note(doc.error(pk_node, f"{where}: primary key column {col!r} is not a column; columns are {', '.join(col_entries)}"))
    version = None
    if "version" in spec:
        version_node = spec["version"][1]
        version = doc.attempt(doc.text, version_node, f"{where}: version")
        if version is not None and version not in known:
            doc.note(doc.error(version_node, f"{where}: version column {version!r} is not a column; columns are {', '.join(col_entries)}"))
        elif version is not None and version in key:
            doc.note(doc.error(version_node, f"{where}: the version column {version!r} cannot be part of the primary key"))

    exprs: list[tuple[str, Expression, yaml.Node]] = []
    filt = None
    if "filter" in spec:
        filt = doc.attempt(_expression, doc, where + ": filter", spec["filter"][1], context)
        if filt is not None:
            exprs.append(("filter", filt, spec["filter"][1]))
    checks = []
    if "checks" in spec:
        for item in doc.attempt(doc.items, spec["checks"][1], f"{where}: checks") or []:
            check = doc.attempt(_expression, doc, where + ": check", item, context)
            if check is not None:
                checks.append(check)
                exprs.append(("check", check, item))
    for col in columns.values():
        if col.expr is not None:
            exprs.append((f"column {col.name!r}", col.expr, col_entries[col.name][1]))
    for what, expr, enode in exprs:
        unknown = sorted(expr.names - known)
        if unknown:
            doc.note(doc.error(enode, f"{where}: {what} uses {unknown[0]!r}, which is not a column of this target (to read the record, use path('{unknown[0]}'))"))
        if written_at in expr.names:
            doc.note(doc.error(enode, f"{where}: {what} uses the written_at column {written_at!r}, which the store sets after the row is made"))
    order = doc.attempt(_column_order, doc, where, columns, col_entries, written_at, known) or ()
    fks: tuple[ForeignKey, ...] = ()
    if "foreign_keys" in spec:
        items = doc.attempt(doc.items, spec["foreign_keys"][1], f"{where}: foreign_keys") or []
        fks = tuple(fk for fk in (doc.attempt(_foreign_key, doc, where, item, known) for item in items) if fk is not None)
    snapshot = None
    if "snapshot" in spec:
        snapshot = doc.attempt(_snapshot, doc, where, spec["snapshot"], columns, key, version)
    partition_by = None
    if "partition_by" in spec:
        partition_by = doc.attempt(doc.names, spec["partition_by"][1], f"{where}: partition_by")
    if len(doc.problems) > before:
        raise doc.problems.pop()  # the target is not built; its mistakes are all noted
    assert version is not None and table_name is not None
    parent_key = {"parent_key": snapshot.columns} if snapshot is not None and TABLES_HAVE_PARENTS else {}
    try:
        table = Table(
            table_name,
            columns={c.name: Column(c.type, c.nullable) for c in columns.values()},
            primary_key=key,
            version=version,
            written_at=written_at,
            **parent_key,
            partition_by=partition_by or None,
        )
    except SchemaError as exc:
        raise doc.error(key_node, f"{where}: {exc}") from None
    return Target(name, table, columns, levels, filt, tuple(checks), fks, order, key_node.start_mark.line + 1, snapshot)


def _snapshot(doc: Doc, where: str, nodes: tuple[yaml.Node, yaml.Node], columns: dict[str, ColumnSpec],
              key: list[str], version: str | None) -> SnapshotSpec:
    """``snapshot: {parent: {column: source}, version: source}``, each source a path (or
    ``{path: P}`` / ``{expr: E}``) read on the record."""
    key_node, node = nodes
    what = f"{where}: snapshot"
    spec = doc.mapping(node, what, SNAPSHOT_KEYS)
    if "parent" not in spec:
        raise doc.error(key_node, f"{what} needs 'parent': the parent-key columns and where the record gives them")
    parent_node = spec["parent"][1]
    entries = doc.mapping(parent_node, f"{what}: parent")
    if not entries:
        raise doc.error(parent_node, f"{what}: 'parent' names no column")
    parent = []
    for column, (col_key, col_node) in entries.items():
        if column not in key:
            raise doc.error(col_key, f"{what}: parent column {column!r} is not a primary-key column; the key is {', '.join(key)}")
        parent.append((column, _record_source(doc, f"{what}: parent {column!r}", col_node)))
    if len(parent) >= len(key):
        raise doc.error(parent_node, f"{what}: the parent must be fewer columns than the whole primary key ({', '.join(key)})")
    source = None
    if "version" in spec:
        source = _record_source(doc, f"{what}: version", spec["version"][1])
    elif version in columns and columns[version].type.name != "timestamptz":
        raise doc.error(key_node, f"{what} needs a 'version': without one it is the capture time, but the version column "
                                  f"{version!r} is {columns[version].type}, not timestamptz")
    return SnapshotSpec(tuple(parent), source, key_node.start_mark.line + 1)


def _record_source(doc: Doc, what: str, node: yaml.Node) -> Path | Expression:
    """A path (text, or ``{path: P}``) or an expression (``{expr: E}``) read on the record."""
    if isinstance(node, yaml.MappingNode):
        spec = doc.mapping(node, what, ("path", "expr"))
        if len(spec) != 1:
            raise doc.error(node, f"{what} needs exactly one of 'path' or 'expr'")
        kind, (_, value_node) = next(iter(spec.items()))
        if kind == "expr":
            expr = _expression(doc, what, value_node, ())
            if expr.names:
                raise doc.error(value_node, f"{what}: {sorted(expr.names)[0]!r} is not something a record has "
                                            f"(the snapshot is read on the record: use path('...'))")
            return expr
        node = value_node
    return _path(doc, what, node, ())


def _column(doc: Doc, where: str, name: str, key_node: yaml.Node, node: yaml.Node,
            levels: tuple[RowLevel, ...] | None, is_written_at: bool) -> ColumnSpec:
    what = f"{where}, column {name!r}"
    spec = doc.mapping(node, what, COLUMN_KEYS)
    if "type" not in spec:
        raise doc.error(key_node, f"{what} needs a 'type'")
    type_node = spec["type"][1]
    try:
        ctype = ColumnType.parse(doc.value(type_node))
    except SchemaError as exc:
        raise doc.error(type_node, f"{what}: {exc}") from None
    nullable = True
    if "nullable" in spec:
        nullable = doc.value(spec["nullable"][1])
        if not isinstance(nullable, bool):
            raise doc.error(spec["nullable"][1], f"{what}: nullable must be true or false")
    sources = [k for k in SOURCE_KEYS if k in spec]
    line = key_node.start_mark.line + 1
    if is_written_at:
        if sources:
            raise doc.error(spec[sources[0]][0], f"{what} is the written_at column: the store sets it, so it takes no {sources[0]!r}")
        return ColumnSpec(name, ctype, True, line=line)
    if not sources:
        raise doc.error(key_node, f"{what} has no source: give one of path, expr or value (for the load's capture time: expr: captured_at())")
    if len(sources) > 1:
        raise doc.error(spec[sources[1]][0], f"{what} has two sources ({sources[0]} and {sources[1]}); give exactly one")
    kind = sources[0]
    src_node = spec[kind][1]
    if kind == "path":
        return ColumnSpec(name, ctype, nullable, path=_path(doc, what, src_node, levels), line=line)
    if kind == "expr":
        return ColumnSpec(name, ctype, nullable, expr=_expression(doc, what, src_node, levels), line=line)
    value = doc.value(src_node)
    if isinstance(value, list | dict):
        raise doc.error(src_node, f"{what}: value must be a single constant")
    return ColumnSpec(name, ctype, nullable, value=value, has_value=True, line=line)


def _check_depth(doc: Doc, node: yaml.Node, what: str, path: Path, levels: tuple[RowLevel, ...] | None) -> None:
    """``path`` reaches only what the row-source ``levels`` around it give (None: unknown)."""
    if levels is None:
        return
    depth = len(levels)
    if path.depth_needed > depth:
        if path.mark or path.group:
            level = "the record" if path.up == depth else f"{path.up} level(s) out"
            asks = f"the {'group' if path.group == '@' else 'partner'}" if path.group else "the position or key"
            problem = f"{path.text!r} asks for {asks} of {level}, which is not an element of an array or object"
        else:
            problem = f"{path.text!r} reaches {path.up} level(s) out, but this is only {depth} row-source level(s) deep"
        raise doc.error(node, f"{what}: {problem}")
    if path.group and path.up is not None and levels[depth - 1 - path.up].group_by is None:
        level = levels[depth - 1 - path.up]
        raise doc.error(node, f"{what}: {path.text!r} needs a group, but rows level {depth - path.up} "
                              f"({level.describe()}) has no group_by")


def _path(doc: Doc, what: str, node: yaml.Node, levels: tuple[RowLevel, ...] | None) -> Path:
    text = doc.value(node)
    if text is None:
        raise doc.error(node, f"{what}: the path is empty (in YAML a '#' after a space starts a comment: write path: \"#\")")
    try:
        path = parse_path(text)
    except PathSyntaxError as exc:
        raise doc.error(node, f"{what}: bad path {text!r}: {exc} (at character {exc.offset + 1})") from None
    _check_depth(doc, node, what, path, levels)
    return path


def _expression(doc: Doc, what: str, node: yaml.Node, levels: tuple[RowLevel, ...] | None) -> Expression:
    text = doc.value(node)
    if isinstance(text, bool | int | float):
        text = str(text).lower()
    try:
        expr = parse_expression(text)
    except ExpressionSyntaxError as exc:
        raise doc.error(node, f"{what}: bad expression {text!r}: {exc}") from None
    for path in expr.paths:
        _check_depth(doc, node, what, path, levels)
    return expr


def _row_levels(doc: Doc, where: str, node: yaml.Node) -> tuple[RowLevel, ...]:
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    if not items:
        raise doc.error(node, f"{where}: 'rows' is an empty list")
    levels: list[RowLevel] = []
    for depth, item in enumerate(items):
        what = f"{where}: rows level {depth + 1}"
        outer = tuple(levels)
        if isinstance(item, yaml.ScalarNode):
            levels.append(RowLevel("each", _path(doc, what, item, outer), line=item.start_mark.line + 1))
            continue
        spec = doc.mapping(item, what, LEVEL_KEYS)
        kinds = [k for k in ("each", "result_set") if k in spec]
        if len(kinds) != 1:
            raise doc.error(item, f"{what} needs exactly one of 'each' or 'result_set'")
        line = item.start_mark.line + 1
        if kinds[0] == "each":
            if "in" in spec:
                raise doc.error(spec["in"][0], f"{what}: 'in' goes with 'result_set', not 'each'")
            level = RowLevel("each", _path(doc, what, spec["each"][1], outer), line=line)
        else:
            set_name = doc.value(spec["result_set"][1])
            if not isinstance(set_name, str | int) or isinstance(set_name, bool) or set_name == "":
                raise doc.error(spec["result_set"][1], f"{what}: result_set must be a result set's name or position")
            where_sets = _path(doc, what, spec["in"][1], outer) if "in" in spec else None
            level = RowLevel("result_set", where_sets, set_name, line)
        if "group_by" in spec:  # read on each element of this level (which has no group yet)
            key = _path(doc, f"{what}: group_by", spec["group_by"][1], (*outer, level))
            level = RowLevel(level.kind, level.path, level.name, line, key)
        levels.append(level)
    return tuple(levels)


def _column_order(doc: Doc, where: str, columns: dict[str, ColumnSpec], entries: dict[str, Any],
                  written_at: str | None, known: set[str]) -> tuple[str, ...]:
    """Plain columns first, then computed ones so that each comes after what it reads
    (names that are not good columns were reported already: they count as ready)."""
    order = [c for c, spec in columns.items() if spec.expr is None and c != written_at]
    done = set(order) | (known - set(columns)) | {n for spec in columns.values() if spec.expr for n in spec.expr.names - known}
    pending = {c: spec.expr.names for c, spec in columns.items() if spec.expr is not None}
    while pending:
        ready = [c for c, needs in pending.items() if needs <= done]
        if not ready:
            cycle = sorted(pending)
            raise doc.error(entries[cycle[0]][1], f"{where}: computed columns read each other in a cycle: {', '.join(cycle)}")
        for c in ready:
            order.append(c)
            done.add(c)
            del pending[c]
    return tuple(order)


def _foreign_key(doc: Doc, where: str, node: yaml.Node, columns: set[str]) -> ForeignKey:
    what = f"{where}: foreign key"
    spec = doc.mapping(node, what, FK_KEYS)
    for required in ("columns", "references"):
        if required not in spec:
            raise doc.error(node, f"{what} needs {required!r}")
    cols = doc.names(spec["columns"][1], f"{what}: columns")
    for col in cols:
        if col not in columns:
            raise doc.error(spec["columns"][1], f"{what}: {col!r} is not a column of this target")
    ref = doc.text(spec["references"][1], f"{what}: references")
    ref_cols = doc.names(spec["ref_columns"][1], f"{what}: ref_columns") if "ref_columns" in spec else []
    return ForeignKey(tuple(cols), ref, tuple(ref_cols), node.start_mark.line + 1)


def _fk_error(doc: Doc, line: int, message: str) -> MappingError:
    return MappingError(message, doc.file, line)


def _check_foreign_keys(doc: Doc, targets: dict[str, Target], broken: set[str]) -> None:
    """Resolve each foreign key's referenced columns; a key naming a target with mistakes
    of its own is left alone (that target's mistakes are reported)."""
    for target in targets.values():
        fixed = []
        for fk in target.foreign_keys:
            where = f"target {target.name!r}: foreign key {list(fk.columns)}"
            other = targets.get(fk.target)
            if other is None:
                if fk.target not in broken:
                    doc.note(_fk_error(doc, fk.line, f"{where} references unknown target {fk.target!r}; targets are {', '.join([*targets, *sorted(broken)])}"))
                continue
            ref_cols = fk.ref_columns or tuple(other.table.primary_key)
            missing = [col for col in ref_cols if col not in other.columns]
            if missing:
                doc.note(_fk_error(doc, fk.line, f"{where}: {missing[0]!r} is not a column of target {fk.target!r}"))
                continue
            if len(ref_cols) != len(fk.columns):
                doc.note(_fk_error(doc, fk.line, f"{where} has {len(fk.columns)} column(s) but references {len(ref_cols)} ({', '.join(ref_cols)})"))
                continue
            fixed.append(ForeignKey(fk.columns, fk.target, ref_cols, fk.line))
        target.foreign_keys = tuple(fixed)


def _load_order(doc: Doc, targets: dict[str, Target]) -> tuple[str, ...]:
    """Referenced targets before the targets that reference them (file order otherwise)."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = trail[trail.index(name):] + [name]
            first = targets[cycle[0]]
            line = next(fk.line for fk in first.foreign_keys if fk.target == cycle[1])
            raise _fk_error(doc, line, f"foreign keys form a cycle: {' -> '.join(cycle)}; a load order needs referenced targets to come first")
        state[name] = 1
        for fk in targets[name].foreign_keys:
            visit(fk.target, [*trail, name])
        state[name] = 2
        order.append(name)

    for name in targets:
        visit(name, [])
    return tuple(order)
