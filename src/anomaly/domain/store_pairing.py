"""An artifact store belongs to one database: the identity that pairs them."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DatabaseIdentity:
    """Which database this is: an id made once, by the migration that created its schema, and the
    name an operator knows it by (its URL, without a password), for messages."""

    id: str
    name: str
