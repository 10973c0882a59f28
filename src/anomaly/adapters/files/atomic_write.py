"""Durable, all-or-nothing file writes: temporary file, write, flush, fsync, rename, fsync the folder."""

import os
import secrets
from contextlib import suppress
from pathlib import Path

import aiofiles
import aiofiles.os

TEMPORARY_PREFIX = ".tmp-"

_fsync = aiofiles.os.wrap(os.fsync)


async def write_atomically(path: Path, content: bytes) -> None:
    """After this returns, `path` holds `content` and survives a crash; before, readers never see it.

    The temporary file lives beside the target (same filesystem, so the rename is atomic) under a
    name a sweeper can recognise if a crash leaves it behind.
    """
    await aiofiles.os.makedirs(path.parent, exist_ok=True)
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
    await _fsync_folder(path.parent)


async def _fsync_folder(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk.
    descriptor = await aiofiles.os.wrap(os.open)(folder, os.O_RDONLY)
    try:
        await _fsync(descriptor)
    finally:
        os.close(descriptor)


async def _remove_quietly(path: Path) -> None:
    with suppress(FileNotFoundError):
        await aiofiles.os.remove(path)
