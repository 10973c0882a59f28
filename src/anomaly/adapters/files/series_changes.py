"""Series changes as stamps in a small file that every process on this host shares: the board.

The board (`<model folder>/+anomaly/series-changes`) holds 65,536 slots of 64 bits; a series owns
the slot its id hashes to (CRC-32, which, unlike `hash`, is the same in every process). Marking
writes a fresh random value into the slot. Series that share a slot only make each other re-read
now and then, and a random 64-bit value repeats an old one with odds no cache will ever meet.
Slots are aligned 8-byte words, which the kernel reads and writes whole, so no lock is needed.

The board is read and written with `pread` and `pwrite`, never through a memory map: a process that
touches a mapped page someone truncated away is killed (SIGBUS), and an operator's `truncate` or
`cp` must not take the service down. Before each read and after each write, one `stat` checks that
the path still names the whole file this process has open. When it does not (the file was
truncated, is being rewritten, was deleted or replaced by another), nothing read before is trusted
again (every stamp from then on differs from every earlier one), and the process opens the board
the path names now, or puts a new one in place; until it has one, each lookup reads the database.
So every process reads and marks the one board the path names: none is ever left marking a file
the others no longer read. (An old copy written back in place, without the truncation `cp` makes
on the way, brings back stamps a process may still hold: it then reuses a row it read before for at
most the second every row is kept. The board holds nothing worth restoring: to reset it, delete it.)

Only processes that share the file's pages see each other's marks: fine on a local filesystem
(one host, any number of workers or containers sharing the folder), not on a network one, where
hosts cache pages on their own, nor on a copy-on-write one, where even an overwrite needs free
space; `open_series_changes` then falls back to stamps that never repeat.
"""

import contextlib
import logging
import os
import random
import secrets
import stat
import sys
import time
import zlib
from dataclasses import dataclass
from itertools import count
from pathlib import Path

from anomaly.adapters.files.internal import internal_folder
from anomaly.adapters.files.mounts import filesystem_type, is_local_filesystem
from anomaly.domain.series_id import SeriesId

SLOTS = 1 << 16
SIZE = SLOTS * 8
FILE_NAME = "series-changes"
# Where the board lived before it had a folder of its own: in the model folder, under a name that
# is also a valid series id, whose fits it made fail.
OLD_FILE_NAME = ".series-changes"
# A board found missing or damaged is put back at most this often: where none can be made, the
# attempt costs once a second, not once per request.
RETRY_SECONDS = 1.0
# Marking retries while the path keeps naming another board after the write.
_MARK_ATTEMPTS = 3

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Board:
    descriptor: int
    identity: tuple[int, int]  # (device, inode)


class SharedSeriesChanges:
    def __init__(self, path: Path) -> None:
        self._path = os.fspath(path)
        self._board: _Board | None = None
        # A stamp read from a board carries the generation it was read in, and the generation moves
        # on whenever the board is not the one read before: no stamp matches one of another board.
        self._generation = 0
        # Stamps while there is no whole board: negative (below every stamp read from one), and new.
        self._boardless = count(1)
        self._retry_at = 0.0
        self._warned = False
        if self._current() is None:
            raise OSError(f"no board of series changes can be made at {self._path}")

    def stamp(self, series_id: SeriesId) -> int:
        board = self._current()
        if board is not None:
            word = os.pread(board.descriptor, 8, _offset(series_id))
            if len(word) == 8:
                return (self._generation << 64) | int.from_bytes(word, sys.byteorder)
            self._generation += 1  # truncated since it was checked
        return -next(self._boardless)

    def mark(self, series_id: SeriesId) -> None:
        # Fresh, not secret: the random module makes no system call, where `secrets` makes one.
        word = random.getrandbits(64).to_bytes(8, sys.byteorder)
        for _ in range(_MARK_ATTEMPTS):
            board = self._current()
            if board is None:
                return  # no board to mark: every process reads the database until there is one again
            os.pwrite(board.descriptor, word, _offset(series_id))
            # Written into the board the path still names: every process reading after this sees it.
            # Otherwise, it went to a file that was replaced meanwhile: write it into the new one.
            if self._names(board):
                return

    def close(self) -> None:
        if self._board is not None:
            os.close(self._board.descriptor)
            self._board = None

    def _current(self) -> _Board | None:
        """The board the path names, whole, opened; None while there is none."""
        board = self._board
        if board is not None and self._names(board):
            return board
        # Not the board read before, or no longer whole: whatever was read from it is not trusted.
        self._generation += 1
        self.close()
        return self._open()

    def _names(self, board: _Board) -> bool:
        try:
            seen = os.stat(self._path)
        except OSError:
            return False
        return _whole(seen) and (seen.st_dev, seen.st_ino) == board.identity

    def _open(self) -> _Board | None:
        try:
            seen: os.stat_result | None = os.stat(self._path)
        except OSError:
            seen = None
        if seen is None or not _whole(seen):
            if time.monotonic() < self._retry_at:
                return None
            try:
                _put_in_place(self._path, replacing=seen is not None)
            except OSError as error:
                self._retry_at = time.monotonic() + RETRY_SECONDS
                self._warn(f"no board of series changes at {self._path} ({error})")
                return None
        try:
            descriptor = os.open(self._path, os.O_RDWR | os.O_CLOEXEC)
        except OSError as error:
            self._warn(f"cannot open the board of series changes at {self._path} ({error})")
            return None
        opened = os.fstat(descriptor)
        if not _whole(opened):  # damaged again since it was put in place: next time
            os.close(descriptor)
            return None
        self._board = _Board(descriptor, (opened.st_dev, opened.st_ino))
        if self._warned:
            logger.warning("the board of series changes at %s is back in use", self._path)
            self._warned = False
        return self._board

    def _warn(self, problem: str) -> None:
        if not self._warned:
            logger.warning("%s: lookups read their version from the database until it is back", problem)
            self._warned = True


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


def _whole(found: os.stat_result) -> bool:
    return stat.S_ISREG(found.st_mode) and found.st_size == SIZE


def _put_in_place(path: str, *, replacing: bool) -> None:
    """Make a board whole under a temporary name, then put it at `path`: over a damaged file (which
    every process then sees replaced), or, where there is none, by a link (the first one wins)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.{secrets.token_hex(4)}"
    descriptor = os.open(temporary, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        try:
            # Real blocks, not a sparse file: an overwrite never needs space a full disk lacks.
            os.posix_fallocate(descriptor, 0, SIZE)
        finally:
            os.close(descriptor)
        if replacing:
            os.replace(temporary, path)
        else:
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _offset(series_id: SeriesId) -> int:
    return (zlib.crc32(series_id.value.encode()) & (SLOTS - 1)) * 8


def retire_old_board(folder: Path) -> None:
    """Remove a board left at its old place, where it took a name a series may have."""
    old = folder / OLD_FILE_NAME
    try:
        if not stat.S_ISREG(os.lstat(old).st_mode):
            return  # a series' folder by that name: not ours
        old.unlink()
    except FileNotFoundError:
        return
    except OSError as error:
        logger.warning("cannot remove the old board of series changes %s (%s): remove it by hand", old, error)
        return
    logger.info("removed the board of series changes from its old place, %s", old)


def open_series_changes(
    folder: Path, mountinfo: str | None = None
) -> SharedSeriesChanges | UnsharedSeriesChanges:
    """The board in `folder` (the model state folder), if this host alone can share it safely.

    Otherwise every stamp is new: each request reads its version from the database, as correct
    as ever and only slower, so a folder the board cannot live in never stops the service.
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
        retire_old_board(folder)
        return SharedSeriesChanges(internal_folder(folder) / FILE_NAME)
    except OSError as error:
        logger.warning("no shared file of series changes in %s (%s): %s", folder, error, fallback)
        return UnsharedSeriesChanges()
