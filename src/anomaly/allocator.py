"""How a server process's C allocator gives memory back: a large request's arrays, once freed, leave."""

import ctypes
import ctypes.util
import logging

logger = logging.getLogger(__name__)

# glibc's mallopt parameter, from <malloc.h>.
_M_MMAP_THRESHOLD = -3
# Blocks from this size are mapped on their own and unmapped when freed. glibc starts at 128 KiB but
# raises the threshold to the size of each mapped block freed (up to 32 MiB), so after one large
# request a million-point array comes from the heap, where freeing it does not shrink the process:
# a 1,000,000-point detect kept ~40 MB more resident. A fixed threshold stops that; 4 MiB keeps a
# request's smaller buffers (slices of an answer, blocks of a judgement) on the faster heap.
MMAP_THRESHOLD_BYTES = 4 * 2**20


def release_large_blocks() -> None:
    """Fix glibc's mmap threshold; a no-op elsewhere (musl, macOS), which has no such adaptation."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return
    if mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) != 1:
        logger.warning("could not fix the allocator's mmap threshold; large requests may keep memory")
