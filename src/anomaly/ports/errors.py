"""Failures of the outside world, as adapters report them to the use cases.

Each carries two messages: `str(error)` with the details an operator needs in the log (paths,
hosts, driver errors), and `public_message`, safe to send to any client.
"""


class StorageError(Exception):
    """Something we depend on failed; the request is ours to fail, not the client's."""

    public_message = "a storage operation failed"


class DatabaseUnavailable(StorageError):
    """The metadata database cannot be reached or did not answer in time."""

    public_message = "the metadata database is unavailable"


class CommitOutcomeUnknown(DatabaseUnavailable):
    """A commit was sent but not acknowledged: the database may or may not have applied it."""


class SchemaMissing(StorageError):
    """The database answers, but its tables were never created."""

    public_message = "the database schema is missing: run `anomaly migrate`"


class SchemaOutOfDate(StorageError):
    """The database's schema is at another migration than the one this code expects."""

    public_message = "the database schema is not at this version's revision: run `anomaly migrate`"


class ArtifactStorageFull(StorageError):
    """The artifact folder has no room left."""

    public_message = "no space left to store the artifacts"


class ArtifactStorageUnavailable(StorageError):
    """The artifact folder cannot be written (missing, read-only, permissions)."""

    public_message = "the artifact folder cannot be written"


class ArtifactStoreOfAnotherDatabase(StorageError):
    """The artifact store belongs to another database than the one the service uses: sweeping it
    would delete that database's artifacts. The message names both."""

    public_message = "the artifact store belongs to another database"


class ArtifactUnreadable(StorageError):
    """A stored artifact is missing, or its bytes no longer match the checksum recorded for them."""

    public_message = "a stored artifact cannot be read"

    def __init__(self, location: str, reason: str) -> None:
        super().__init__(f"artifact {location} {reason}")
        self.location = location
        self.reason = reason


class ModelUnreadable(StorageError):
    """A stored version cannot be used: an artifact of it is missing, altered or not what it should be."""

    def __init__(self, series_id: str, version: int, reason: str) -> None:
        super().__init__(f"version {version} of series {series_id!r} cannot be used: {reason}")
        self.series_id = series_id
        self.version = version
        # It names the version and says what is wrong, never where the file lives.
        self.public_message = str(self)
