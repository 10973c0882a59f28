"""Durable, all-or-nothing file writes: temporary file, write, flush, fsync, rename, fsync the folder."""

import os
import secrets
from contextlib import suppress
from pathlib import Path

import aiofiles
import aiofiles.os
import aiofiles.ospath

TEMPORARY_PREFIX = ".tmp-"

_fsync = aiofiles.os.wrap(os.fsync)
_open = aiofiles.os.wrap(os.open)


async def write_atomically(path: Path, content: bytes) -> None:
    """After this returns, `path` holds `content` and survives a crash; before, readers never see it.

    The temporary file lives beside the target (same filesystem, so the rename is atomic) under a
    name a sweeper can recognise if a crash leaves it behind. If anything fails after the rename,
    the file is removed again: the caller was never told it exists, so nothing may refer to it.
    """
    await _make_folders(path.parent)
    temporary = path.with_name(f"{TEMPORARY_PREFIX}{path.name}.{secrets.token_hex(4)}")
    try:
        async with aiofiles.open(temporary, "xb") as file:
            await file.write(content)
            await file.flush()
            await _fsync(file.fileno())
        await aiofiles.os.replace(temporary, path)
    except BaseException:
        await _remove_quietly(temporary)
        raise
    try:
        await _fsync_folder(path.parent)
    except BaseException:
        await _remove_quietly(path)
        raise


async def _make_folders(folder: Path) -> None:
    """Create `folder` and its missing parents, each made durable in the folder that holds it."""
    missing = []
    current = folder
    while not await aiofiles.ospath.isdir(current):
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    if not missing:
        return
    await aiofiles.os.makedirs(folder, exist_ok=True)
    for created in reversed(missing):
        await _fsync_folder(created.parent)


async def _fsync_folder(folder: Path) -> None:
    # A new entry (file or folder) is durable only once the folder holding it is on disk.
    descriptor = await _open(folder, os.O_RDONLY)
    try:
        await _fsync(descriptor)
    finally:
        os.close(descriptor)


async def _remove_quietly(path: Path) -> None:
    with suppress(FileNotFoundError):
        await aiofiles.os.remove(path)
