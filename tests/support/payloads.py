"""Training batches as clients send them."""

from typing import Any


def batch(values: list[float], start: int = 1_705_000_000, step: int = 60) -> dict[str, Any]:
    return {"timestamps": [start + step * index for index in range(len(values))], "values": values}


SMALL = batch([10.0, 10.5, 9.5, 10.2, 9.8])
