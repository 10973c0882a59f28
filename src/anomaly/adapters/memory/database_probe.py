"""A database probe for adapters that have no database to lose."""


class AlwaysReady:
    async def check(self) -> None:
        return None
