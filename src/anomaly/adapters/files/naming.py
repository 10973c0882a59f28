"""The names this store gives its files: unique, time-ordered, and recognisable by the sweeper."""

import random
import re
import time

# <20-digit nanosecond time>-<8 hex>.<model|data>.json, or that name as a temporary file:
# .tmp-<name>.<8 hex>. Nothing else in the artifact folders is ever touched.
ARTIFACT_NAME = re.compile(r"(?:\.tmp-)?[0-9]{20}-[0-9a-f]{8}\.(?:model|data)\.json(?:\.[0-9a-f]{8})?")


def unique_name() -> str:
    # Unique, not secret: the random module (reseeded in every forked process) asks the kernel for
    # nothing, where `secrets` makes a system call per name.
    return f"{time.time_ns():020d}-{random.getrandbits(32):08x}"
