"""Port: reading a batch from the form a client serialised it in."""

from dataclasses import dataclass
from typing import Any, Protocol

from anomaly.domain.time_series import Timestamps, Values


@dataclass(frozen=True, slots=True)
class ReadBatch:
    timestamps: Timestamps
    values: Values
    # The batch written out again, when the serialised form could be read two ways (a key given
    # twice, escapes, 7.0 for 7) and so must not be stored as it came; None: store it as it came.
    restated: bytes | None = None
    # The model kind and parameters the batch asks for, if it names them.
    kind: str | None = None
    parameters: dict[str, Any] | None = None


class BatchReader(Protocol):
    def read(self, serialised: bytes | bytearray) -> ReadBatch:
        """The batch's columns; `InvalidInput` naming the field at fault, or the reader's own error
        for content that is not its format at all. CPU-bound: a caller may run it on a thread."""
        ...
