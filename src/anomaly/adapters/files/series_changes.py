"""Series changes as stamps in a small memory-mapped file that every process on this host shares.

The file holds 65,536 slots of 64 bits; a series owns the slot its id hashes to (CRC-32, which,
unlike `hash`, is the same in every process). Marking writes a fresh random value into the slot.
Series that share a slot only make each other re-read now and then, and a random 64-bit value
repeats an old one with odds no cache will ever meet. Slots are aligned 8-byte words, which x86-64
and ARM64 load and store whole, so no lock is needed.

Only processes that map the same file see each other's marks: fine on a local filesystem (one
host, any number of workers or containers sharing the folder), not on a network one, where hosts
cache pages on their own, nor on a copy-on-write one, where even an overwrite needs free space;
`open_series_changes` then falls back to stamps that never repeat.
"""

import contextlib
import logging
import mmap
import os
import random
import secrets
import zlib
from itertools import count
from pathlib import Path

from anomaly.adapters.files.mounts import filesystem_type, is_local_filesystem
from anomaly.domain.series_id import SeriesId

SLOTS = 1 << 16
SIZE = SLOTS * 8
FILE_NAME = ".series-changes"

logger = logging.getLogger(__name__)


class SharedSeriesChanges:
    def __init__(self, path: Path) -> None:
        if not path.exists():
            _create(path)
        descriptor = os.open(path, os.O_RDWR)
        try:
            if os.fstat(descriptor).st_size != SIZE:
                # Touching a page past the end of a mapped file kills the process (SIGBUS).
                raise OSError(f"{path} is not a file of series changes of {SIZE} bytes")
            self._map = mmap.mmap(descriptor, SIZE)
        finally:
            os.close(descriptor)
        self._slots = memoryview(self._map).cast("Q")

    def stamp(self, series_id: SeriesId) -> int:
        return int(self._slots[_slot(series_id)])

    def mark(self, series_id: SeriesId) -> None:
        # Fresh, not secret: the random module makes no system call, where `secrets` makes one.
        self._slots[_slot(series_id)] = random.getrandbits(64)

    def close(self) -> None:
        self._slots.release()
        self._map.close()


class UnsharedSeriesChanges:
    """For storage other hosts may share: every stamp is new, so nothing read is ever reused."""

    def __init__(self) -> None:
        self._next = count()

    def stamp(self, series_id: SeriesId) -> int:
        return next(self._next)

    def mark(self, series_id: SeriesId) -> None:
        pass

    def close(self) -> None:
        pass


def _create(path: Path) -> None:
    """Make the file whole under a temporary name, then link it into place: first one wins."""
    temporary = path.with_name(f"{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            # Real blocks, not a sparse file: a write through the map that found the disk full
            # would kill the process (SIGBUS) instead of failing.
            os.posix_fallocate(descriptor, 0, SIZE)
        finally:
            os.close(descriptor)
        # Unlike a rename, a link never replaces a file that other processes already map.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink()


def _slot(series_id: SeriesId) -> int:
    return zlib.crc32(series_id.value.encode()) & (SLOTS - 1)


def open_series_changes(
    folder: Path, mountinfo: str | None = None
) -> SharedSeriesChanges | UnsharedSeriesChanges:
    """The shared file in `folder` (the model state folder), if this host alone can share it safely.

    Otherwise every stamp is new: each request reads its version from the database, as correct
    as ever and only slower, so a folder the file cannot live in never stops the service.
    """
    fallback = "every request reads its model version from the database"
    if not is_local_filesystem(folder, mountinfo):
        kind = filesystem_type(folder, mountinfo) or "unknown"
        logger.warning(
            "%s is on a %s filesystem, which the shared file of series changes cannot use: %s",
            folder,
            kind,
            fallback,
        )
        return UnsharedSeriesChanges()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return SharedSeriesChanges(folder / FILE_NAME)
    except OSError as error:
        logger.warning("no shared file of series changes in %s (%s): %s", folder, error, fallback)
        return UnsharedSeriesChanges()
