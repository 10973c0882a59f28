"""Who is calling: an identity that scopes idempotency keys, and the series it may see."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Caller:
    """`series_prefix`, when set, limits the caller to series whose id starts with it."""

    identity: str
    series_prefix: str | None = None

    def may_access(self, series_id: str) -> bool:
        return self.series_prefix is None or series_id.startswith(self.series_prefix)


# The one caller of a service that runs without API keys.
ANONYMOUS = Caller(identity="anonymous")
