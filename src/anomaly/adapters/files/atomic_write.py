"""Durable, all-or-nothing file writes: temporary file, write, flush, fsync, rename, fsync the folder."""

import hashlib
import os
import secrets
from contextlib import suppress
from pathlib import Path

import aiofiles.os

TEMPORARY_PREFIX = ".tmp-"


def write_atomically(path: Path, content: bytes) -> str:
    """Write `content` at `path` durably and return its SHA-256; blocking, so run it on a thread.

    After this returns, `path` holds `content` and survives a crash; before, readers never see it.
    The temporary file lives beside the target (same filesystem, so the rename is atomic) under a
    name a sweeper can recognise if a crash leaves it behind. If anything fails after the rename,
    the file is removed again: the caller was never told it exists, so nothing may refer to it.
    Hashing here, on the same thread, keeps a large artifact's checksum off the event loop too.
    """
    digest = hashlib.sha256(content).hexdigest()
    _make_folders(path.parent)
    temporary = path.with_name(f"{TEMPORARY_PREFIX}{path.name}.{secrets.token_hex(4)}")
    try:
        with temporary.open("xb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        temporary.replace(path)
    except BaseException:
        with suppress(FileNotFoundError):
            temporary.unlink()
        raise
    try:
        _fsync_folder(path.parent)
    except BaseException:
        with suppress(FileNotFoundError):
            path.unlink()
        raise
    return digest


# One executor hop for the whole sequence rather than one per system call.
write_atomically_async = aiofiles.os.wrap(write_atomically)


def _make_folders(folder: Path) -> None:
    """Create `folder` and its missing parents, each made durable in the folder that holds it."""
    missing = []
    current = folder
    while not current.is_dir():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    if not missing:
        return
    folder.mkdir(parents=True, exist_ok=True)
    for created in reversed(missing):
        _fsync_folder(created.parent)


def _fsync_folder(folder: Path) -> None:
    # A new entry (file or folder) is durable only once the folder holding it is on disk.
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
