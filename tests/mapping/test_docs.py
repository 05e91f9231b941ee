"""Every example in docs/mappings.md runs, and gives what the page shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from fieldhouse.errors import MappingError
from fieldhouse.mapping import parse_mapping, unregister_function

from .helpers import CAPTURED, plain, run

DOC = Path(__file__).resolve().parents[2] / "docs" / "mappings.md"
BLOCK = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```", re.S | re.M)


def _examples() -> tuple[list[str], list[dict]]:
    setups: list[str] = []
    examples: list[dict] = []
    for lang, info, body in BLOCK.findall(DOC.read_text()):
        info = info.strip()
        if lang == "python" and info == "setup":
            setups.append(body)
        elif lang == "yaml":
            examples.append({"yaml": body, "line": len(examples)})
        elif lang == "json" and info in ("records", "rows", "rejects", "snapshots"):
            examples[-1][info] = json.loads(body)
        elif lang == "text" and info == "error":
            examples[-1]["error"] = body.strip()
    return setups, examples


SETUPS, EXAMPLES = _examples()


def test_the_page_has_examples_and_each_shows_a_result() -> None:
    assert len(EXAMPLES) >= 10
    for ex in EXAMPLES:
        assert "error" in ex or ("records" in ex and "rows" in ex), ex["yaml"][:80]


@pytest.fixture(autouse=True)
def _setup():
    for code in SETUPS:
        exec(compile(code, str(DOC), "exec"), {})  # noqa: S102 - our own documentation
    yield
    unregister_function("cents")


@pytest.mark.parametrize("ex", EXAMPLES, ids=[f"example{i}" for i in range(len(EXAMPLES))])
def test_example(ex: dict) -> None:
    if "error" in ex:
        with pytest.raises(MappingError) as info:
            parse_mapping(ex["yaml"], "docs.yaml")
        assert str(info.value) == "docs.yaml, " + ex["error"]
        return
    applied = run(ex["yaml"], ex["records"], CAPTURED)
    assert plain(applied.rows) == ex["rows"]
    got = [{"target": r.target, "reason": r.reason, "location": r.location} for r in applied.all_rejects()]
    want = ex.get("rejects", [])
    assert [{k: g[k] for k in w} for g, w in zip(got, want, strict=False)] == want
    assert len(got) == len(want)
    if "snapshots" in ex:  # per target: [[parent values...], version] per record
        assert plain({n: [[list(p), v] for p, v in snaps] for n, snaps in applied.snapshots.items()}) == ex["snapshots"]
