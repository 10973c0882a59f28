"""Durable, all-or-nothing file writes: temporary file, write, flush, fsync, rename, fsync the folder."""

import errno
import hashlib
import os
import random
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from anomaly.domain.model_version import ArtifactRef
from anomaly.ports.errors import ArtifactStorageFull, ArtifactStorageUnavailable

TEMPORARY_PREFIX = ".tmp-"


def write_atomically(path: Path | str, content: bytes | bytearray) -> str:
    """Write `content` at `path` durably and return its SHA-256; blocking, so run it on a thread.

    After this returns, `path` holds `content` and survives a crash; before, readers never see it.
    The temporary file lives beside the target (same filesystem, so the rename is atomic) under a
    name a sweeper can recognise if a crash leaves it behind. If anything fails after the rename,
    the file is removed again: the caller was never told it exists, so nothing may refer to it.
    Hashing here, on the same thread, keeps a large artifact's checksum off the event loop too.
    """
    # Plain strings and os calls: pathlib's objects cost more CPU than the system calls themselves.
    target = os.fspath(path)
    folder, name = os.path.split(target)
    _make_folders(folder)
    # Names need to be unique, not secret: the random module asks the kernel for nothing.
    temporary = os.path.join(folder, f"{TEMPORARY_PREFIX}{name}.{random.getrandbits(32):08x}")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        try:
            digest = _write_and_hash(descriptor, content)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    try:
        _fsync_folder(folder)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(target)
        raise
    return digest


# Large contents go to the file a slice at a time, each slice's writeback started at once; the
# slice is hashed while the disk writes it, so the checksum costs no time of its own, and the
# final fsync only waits for what is still in flight.
_SLICE = 4 * 1024 * 1024


def _write_and_hash(descriptor: int, content: bytes | bytearray) -> str:
    digest = hashlib.sha256()
    view = memoryview(content)
    offset = 0
    while offset < len(view):
        piece = view[offset : offset + _SLICE]
        written = 0
        while written < len(piece):
            written += os.write(descriptor, piece[written:])
        if _START_WRITEBACK is not None and len(view) > _SLICE:
            _START_WRITEBACK(descriptor, offset, len(piece), _WRITE)
        digest.update(piece)
        offset += len(piece)
    return digest.hexdigest()


# Linux only; elsewhere the final fsync does all the work.
_START_WRITEBACK = getattr(os, "sync_file_range", None)
_WRITE: int = getattr(os, "SYNC_FILE_RANGE_WRITE", 2)


def write_files(files: list[tuple[str, Path, bytes | bytearray]]) -> list[ArtifactRef]:
    """Write each (key, path, content) durably, in order, on the calling thread (one trip to a
    worker thread for the lot, rather than one per file or per system call); if one fails, none is
    left. Each is returned as its key, checksum and size."""
    written: list[tuple[Path, ArtifactRef]] = []
    try:
        for key, path, content in files:
            with storage_errors(path):
                digest = write_atomically(path, content)
            written.append((path, ArtifactRef(location=key, sha256=digest, size=len(content))))
    except BaseException:
        for path, _ in written:
            with suppress(OSError):
                path.unlink()
        raise
    return [ref for _, ref in written]


@contextmanager
def storage_errors(path: Path) -> Iterator[None]:
    """OSError as the port's errors: the disk is full, or storage cannot be written."""
    try:
        yield
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise ArtifactStorageFull(f"no space left to write {path}") from error
        raise ArtifactStorageUnavailable(f"cannot write {path}: {error.strerror or error}") from error


def _make_folders(folder: str) -> None:
    """Create `folder` and its missing parents, each made durable in the folder that holds it."""
    missing = []
    current = folder
    while not os.path.isdir(current):
        missing.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    if not missing:
        return
    os.makedirs(folder, exist_ok=True)
    for created in reversed(missing):
        _fsync_folder(os.path.dirname(created))


def _fsync_folder(folder: str) -> None:
    # A new entry (file or folder) is durable only once the folder holding it is on disk.
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
