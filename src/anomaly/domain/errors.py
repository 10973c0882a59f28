"""Errors the domain raises; they carry no transport detail, the edge maps them to responses."""


class DomainError(Exception):
    """Base of every rule the domain enforces."""


class InvalidInput(DomainError):
    """A client-supplied value breaks a rule; `field` names it the way the client wrote it."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
