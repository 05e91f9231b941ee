"""The two roles a store plays in a run (SPEC-capabilities.md): ``data``, where a source's
tables land, and ``control``, where fieldhouse keeps its own tables (run ledger, units,
watermarks, dead letters, raw landing zone).  Today both are usually one database, often
one store object; nothing may assume they share a transaction without asking
:attr:`Stores.shared`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ..errors import ConfigError

T = TypeVar("T")


def shares_transaction(data: Any, control: Any) -> bool:
    """Whether writes to ``data`` and ``control`` can commit in one transaction: the same
    store object (one connection), and it can make several tables' writes atomic."""
    return data is control and bool(data.capabilities.multi_table_transactions)


@dataclass(frozen=True)
class Stores:
    """The data store and the control store of a run (the same object by default)."""

    data: Any
    control: Any

    @classmethod
    def of(cls, data: Any, control: Any | None = None) -> Stores:
        if control is None:
            # a data-only store (a Delta lake) names its own default control store
            default = getattr(data, "default_control", None)
            control = default() if default is not None and not data.capabilities.control else data
        if not control.capabilities.control:
            raise ConfigError(f"{control.url.redacted} cannot hold fieldhouse's control tables "
                              "(run ledger, watermarks, dead letters, raw zone): give a SQLite or "
                              "PostgreSQL database as the control store")
        return cls(data, control)

    @property
    def shared(self) -> bool:
        """True when data and control rows can commit in one transaction."""
        return shares_transaction(self.data, self.control)

    def commit(self, data_part: Callable[[], T], control_part: Callable[[T], object]) -> T:
        """Run ``data_part`` (writes to the data store), then ``control_part`` with its result
        (writes to the control store): in one transaction when they can share one, else the
        data committed first and the control rows second.  Writes are idempotent, so a crash
        between the two commits is repaired by running the work again."""
        if self.shared:
            with self.data.transaction():
                out = data_part()
                control_part(out)
            return out
        with self.data.transaction():
            out = data_part()
        with self.control.transaction():
            control_part(out)
        return out

    def close(self) -> None:
        self.data.close()
        if self.control is not self.data:
            self.control.close()

    def __enter__(self) -> Stores:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
