"""Failures the use cases report on top of the domain's and the ports'."""

from anomaly.ports.errors import StorageError


class ModelUnreadable(StorageError):
    """A stored version cannot be used: its model artifact is missing, altered or not a model."""

    def __init__(self, series_id: str, version: int, reason: str) -> None:
        super().__init__(f"version {version} of series {series_id!r} cannot be used: {reason}")
        self.series_id = series_id
        self.version = version
        # It names the version and says what is wrong, never where the file lives.
        self.public_message = str(self)
