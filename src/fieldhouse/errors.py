"""Every error fieldhouse raises on purpose derives from :class:`FieldhouseError`.

Messages are one sentence for a person: what is wrong, where, and how to fix it.
They never contain secrets (see :mod:`fieldhouse.urls`).
"""


class FieldhouseError(Exception):
    """Base class of the errors fieldhouse raises on purpose."""


class ConfigError(FieldhouseError):
    """A setting, URL or argument is malformed."""


class SchemaError(FieldhouseError):
    """A table declaration is invalid, or incompatible with the table in the database."""


class IdentifierError(SchemaError):
    """A table, schema or column name is not a safe SQL identifier."""


class CastError(FieldhouseError):
    """A value cannot be converted to a column type."""


class StoreError(FieldhouseError):
    """The database refused or lost a write; nothing of the batch was written."""


class StoreConnectionError(StoreError):
    """The database cannot be reached."""
