"""Reading YAML while keeping line numbers, so every mistake can say where it is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import yaml

from ..errors import MappingError

T = TypeVar("T")


class Doc:
    """The file being checked: turns a YAML node into values and errors with its line.

    Mistakes are collected: :meth:`note` records one and checking goes on, :meth:`attempt`
    runs one part of the file (a target, a column) and records the error that ends it;
    :meth:`finish` raises one MappingError for all of them."""

    def __init__(self, file: str) -> None:
        self.file = file
        self._constructor = yaml.SafeLoader("")
        self.problems: list[MappingError] = []

    def error(self, node: yaml.Node | None, message: str) -> MappingError:
        line = node.start_mark.line + 1 if node is not None else None
        return MappingError(message, self.file, line)

    def note(self, error: MappingError) -> None:
        self.problems.extend(error.problems)

    def attempt(self, fn: Callable[..., T], *args: Any) -> T | None:
        """``fn(*args)``, or None when it raised a MappingError (which is recorded)."""
        try:
            return fn(*args)
        except MappingError as exc:
            self.note(exc)
            return None

    def finish(self) -> None:
        if self.problems:
            raise MappingError.of(self.problems)

    def compose(self, text: str) -> yaml.Node:
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc)
            raise MappingError(f"not valid YAML: {problem}", self.file, line) from None
        if node is None:
            raise MappingError("the file is empty; a mapping needs 'targets'", self.file, 1)
        return node

    def mapping(self, node: yaml.Node, what: str, allowed: tuple[str, ...] | None = None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """``{key: (key_node, value_node)}``; duplicate and (if ``allowed``) unknown keys are errors."""
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"{what} must be a mapping (key: value lines)")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:  # a bad key is noted and left out
            key = self.value(key_node)
            if not isinstance(key, str):
                self.note(self.error(key_node, f"{what}: key {key!r} must be text"))
            elif key in out:
                self.note(self.error(key_node, f"{what}: key {key!r} is given twice"))
            elif allowed is not None and key not in allowed:
                self.note(self.error(key_node, f"{what}: unknown key {key!r}; allowed keys are {', '.join(allowed)}"))
            else:
                out[key] = (key_node, value_node)
        return out

    def value(self, node: yaml.Node) -> Any:
        return self._constructor.construct_object(node, deep=True)

    def text(self, node: yaml.Node, what: str) -> str:
        value = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        if not isinstance(value, str) or not value.strip():
            raise self.error(node, f"{what} must be non-empty text")
        return value

    def names(self, node: yaml.Node, what: str) -> list[str]:
        """A name or a list of names."""
        if isinstance(node, yaml.ScalarNode):
            return [self.text(node, what)]
        if isinstance(node, yaml.SequenceNode) and node.value:
            return [self.text(item, what) for item in node.value]
        raise self.error(node, f"{what} must be a name or a non-empty list of names")

    def items(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, f"{what} must be a list")
        return list(node.value)
