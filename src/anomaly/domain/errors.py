"""Errors the domain raises; they carry no transport detail, the edge maps them to responses."""


class DomainError(Exception):
    """Base of every rule the domain enforces."""


class InvalidInput(DomainError):
    """A client-supplied value breaks a rule; `field` names it the way the client wrote it."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class NotFound(DomainError):
    """What the client asked for does not exist (or is not theirs to see)."""


class SeriesNotFound(NotFound):
    def __init__(self, series_id: str) -> None:
        super().__init__(f"series {series_id!r} has no model version")
        self.series_id = series_id


class VersionConflict(DomainError):
    """The series gained a version while an update of its newest one ran: folding into the old
    newest would drop the new one's points, so nothing is recorded and the client retries."""

    def __init__(self, series_id: str, expected: int) -> None:
        super().__init__(
            f"series {series_id!r} changed while the update ran (version {expected} is no longer its "
            "newest) and nothing was recorded; send the update again to fold the points into the newest"
        )
        self.series_id = series_id
        self.expected = expected


class VersionNotFound(NotFound):
    def __init__(self, series_id: str, version: int) -> None:
        super().__init__(f"series {series_id!r} has no version {version}")
        self.series_id = series_id
        self.version = version
