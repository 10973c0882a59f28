"""Recent request latencies of this process, for `/healthcheck`: no metrics server to run."""

import time
from collections import deque
from typing import Any

import numpy as np
from litestar.connection import ASGIConnection

WINDOW = 1000


class LatencyWindow:
    """The last `WINDOW` durations, in milliseconds."""

    def __init__(self, size: int = WINDOW) -> None:
        self._samples: deque[float] = deque(maxlen=size)

    def measure(self) -> "_Measuring":
        return _Measuring(self._samples)

    def summary(self) -> tuple[float, float]:
        """(average, 95th percentile); (0, 0) before the first request."""
        if not self._samples:
            return 0.0, 0.0
        samples = np.fromiter(self._samples, dtype=np.float64, count=len(self._samples))
        return float(samples.mean()), float(np.percentile(samples, 95))


class _Measuring:
    """A context manager as a class: on every request, a generator-based one costs several times more."""

    __slots__ = ("_samples", "_started")

    def __init__(self, samples: deque[float]) -> None:
        self._samples = samples
        self._started = 0.0

    def __enter__(self) -> None:
        self._started = time.perf_counter()

    def __exit__(self, *exc_info: object) -> None:
        self._samples.append((time.perf_counter() - self._started) * 1000)


class Latencies:
    def __init__(self) -> None:
        self.inference = LatencyWindow()
        self.training = LatencyWindow()


def latencies_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Latencies:
    """This process's latency windows, kept in the app's state (a plain lookup, no injection)."""
    latencies: Latencies = connection.app.state.latencies
    return latencies
