"""Failures of the outside world, as adapters report them to the use cases."""


class StorageError(Exception):
    """Something we depend on failed; the request is ours to fail, not the client's."""


class DatabaseUnavailable(StorageError):
    """The metadata database cannot be reached or did not answer in time."""


class ArtifactStorageFull(StorageError):
    """The artifact folder has no room left."""


class ArtifactStorageUnavailable(StorageError):
    """The artifact folder cannot be written (missing, read-only, permissions)."""


class ArtifactUnreadable(StorageError):
    """A stored artifact is missing, or its bytes no longer match the checksum recorded for them."""
