"""Graceful shutdown: on SIGTERM, first stop looking ready, keep serving a while, then let the server stop."""

import asyncio
import logging
import signal
from collections.abc import Callable
from types import FrameType
from typing import Any

logger = logging.getLogger(__name__)


# Load balancers and orchestrators take a moment to notice a readiness change; answering `503` on
# `/health/ready` while still serving for `drain_seconds` lets them move traffic away before the server
# closes its socket. The server's own handler then stops accepting, waits for in-flight requests (up to
# its graceful-shutdown timeout) and runs the app's shutdown.
class Drain:
    def __init__(self) -> None:
        self.draining = False

    def install(self, drain_seconds: float) -> Callable[[], None]:
        """Take over SIGTERM, passing it on to the current handler after `drain_seconds`; return an undo."""
        loop = asyncio.get_running_loop()
        previous: Any = signal.getsignal(signal.SIGTERM)

        def pass_on(sig: int, frame: FrameType | None) -> None:
            if callable(previous):
                previous(sig, frame)
            else:
                signal.raise_signal(sig)  # the default action, once our handler is gone

        def on_sigterm(sig: int, frame: FrameType | None) -> None:
            if self.draining:
                return
            self.draining = True
            logger.info("SIGTERM: not ready any more; serving %g s more before shutting down", drain_seconds)
            if not callable(previous):
                signal.signal(signal.SIGTERM, previous)
            loop.call_soon_threadsafe(loop.call_later, drain_seconds, pass_on, sig, frame)

        def undo() -> None:
            signal.signal(signal.SIGTERM, previous)

        signal.signal(signal.SIGTERM, on_sigterm)
        return undo
