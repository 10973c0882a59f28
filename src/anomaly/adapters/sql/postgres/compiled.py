"""SQLAlchemy Core statements compiled once into the SQL and argument order asyncpg takes."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect


@dataclass(frozen=True, slots=True)
class Compiled:
    sql: str
    names: tuple[str, ...]  # the parameter behind each of $1, $2, ...
    constants: Mapping[str, Any]  # values the statement itself binds (literals in the Core expression)

    def arguments(self, values: Mapping[str, Any]) -> list[Any]:
        return [values[name] if name in values else self.constants[name] for name in self.names]


def compile_for_asyncpg(statement: sa.Executable) -> Compiled:
    compiled = statement.compile(dialect=asyncpg_dialect.dialect())  # type: ignore[attr-defined,no-untyped-call]
    names = tuple(compiled.positiontup or ())
    constants = {name: value for name, value in compiled.params.items() if value is not None}
    return Compiled(sql=str(compiled), names=names, constants=constants)
