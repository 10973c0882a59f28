"""Turns driver and SQLAlchemy failures into the storage errors the use cases understand."""

from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
from sqlalchemy import exc

from anomaly.ports.errors import CommitOutcomeUnknown, DatabaseUnavailable, SchemaMissing, StorageError

# Failures of reaching the database rather than of the statement: the client may retry later.
_UNREACHABLE = (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError, exc.TimeoutError)


# How SQLite (in its message) and PostgreSQL (by SQLSTATE, undefined_table) say that a table is
# missing: the schema was never migrated.
_NO_SUCH_TABLE = "no such table"
_UNDEFINED_TABLE = "42P01"

# PostgreSQL's SQLSTATEs for a server that cannot serve us now, whatever the statement: class 08, the
# connection failed; class 57, operator intervention (a shutdown, a restart, a crash or an
# administrator ended the session, the server is starting up or shutting down, a statement was
# cancelled); 53300, no connection slot left; class 28 and 3D000, the role or the database named by
# DATABASE_URL is refused or does not exist. The driver raises most of them as plain errors.
_UNAVAILABLE_CLASSES = ("08", "57", "28")
_UNAVAILABLE_STATES = ("53300", "3D000")


def unavailable_state(sqlstate: object) -> bool:
    """Whether a PostgreSQL SQLSTATE says the database is unavailable, not that a statement failed."""
    return isinstance(sqlstate, str) and (
        sqlstate[:2] in _UNAVAILABLE_CLASSES or sqlstate in _UNAVAILABLE_STATES
    )


@contextmanager
def database_errors(action: str) -> Iterator[None]:
    try:
        yield
    except exc.DBAPIError as error:
        sqlstate = getattr(error.orig, "sqlstate", None)
        if sqlstate == _UNDEFINED_TABLE or _NO_SUCH_TABLE in str(error.orig):
            raise SchemaMissing(f"database schema is missing while {action}: {_cause(error)}") from error
        if isinstance(error, _UNREACHABLE) or unavailable_state(sqlstate):
            raise DatabaseUnavailable(f"database unavailable while {action}: {_cause(error)}") from error
        if error.connection_invalidated:
            raise DatabaseUnavailable(f"database connection lost while {action}") from error
        raise StorageError(f"database error while {action}: {_cause(error)}") from error
    except _UNREACHABLE as error:
        raise DatabaseUnavailable(f"database unavailable while {action}: {_cause(error)}") from error
    except (OSError, TimeoutError) as error:
        # asyncpg raises these directly when it cannot connect at all.
        raise DatabaseUnavailable(f"database unreachable while {action}: {error}") from error
    except exc.SQLAlchemyError as error:
        raise StorageError(f"database error while {action}: {error}") from error


# SQLite's primary result codes for a COMMIT it refused without writing (the transaction stays open,
# and is rolled back): busy, locked, read-only, a deferred constraint violated. Any other (an I/O
# error, a full disk) can come after the transaction reached its log, which SQLite replays.
_SQLITE_REFUSED = frozenset({5, 6, 8, 19})
# PostgreSQL's SQLSTATE classes for a COMMIT it answered with a refusal: integrity (a deferred
# constraint), invalid transaction state, transaction rollback (serialization failure, deadlock).
_POSTGRES_REFUSED = frozenset({"23", "25", "40"})


@contextmanager
def commit_errors() -> Iterator[None]:
    """A failed COMMIT as the port's errors: `CommitOutcomeUnknown` unless the database certainly did
    not apply it (it was never sent, or the database refused it), which `database_errors` maps."""
    try:
        yield
    except Exception as error:
        if not certainly_not_applied(error):
            raise CommitOutcomeUnknown(f"commit not acknowledged: {type(error).__name__}: {error}") from error
        with database_errors("committing"):
            raise
        raise DatabaseUnavailable(f"commit refused: {type(error).__name__}: {error}") from error


def certainly_not_applied(error: BaseException) -> bool:
    """Whether a failed write statement or COMMIT certainly changed nothing: the driver refused to send
    it (asyncpg's InterfaceError: a connection already closed, say), or the database answered with a
    refusal that leaves the transaction unapplied."""
    for link in _causes(error):
        if isinstance(link, asyncpg.InterfaceError):
            return True
        code = getattr(link, "sqlite_errorcode", None)
        if isinstance(code, int):
            return code & 0xFF in _SQLITE_REFUSED
        state = getattr(link, "sqlstate", None)
        if isinstance(state, str) and state:
            return state[:2] in _POSTGRES_REFUSED
    return False


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error, then what it wraps: SQLAlchemy's `orig`, then the driver's own cause."""
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        wrapped = getattr(link, "orig", None)
        link = wrapped if isinstance(wrapped, BaseException) else link.__cause__


def _cause(error: exc.SQLAlchemyError) -> str:
    original = getattr(error, "orig", None) or error
    return f"{type(original).__name__}: {original}".splitlines()[0]
