"""Artifacts under two folders, one per kind, each series in its own sub-folder."""

import errno
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import aiofiles.os
import anyio.to_thread

from anomaly.adapters.files.atomic_write import write_atomically_async
from anomaly.adapters.files.inventory import list_files
from anomaly.adapters.files.naming import unique_name
from anomaly.domain.model_version import ArtifactRef, StoredFile
from anomaly.domain.series_id import SeriesId
from anomaly.ports.errors import ArtifactStorageFull, ArtifactStorageUnavailable, ArtifactUnreadable

# Hashing a large body releases the GIL, so it runs on a thread beside the event loop.
_HASH_INLINE_LIMIT = 1 << 20


class FileArtifactStore:
    """`<model_folder>/<series_id>/<name>.model.json` and `<data_folder>/<series_id>/<name>.data.json`.

    Names are unique and time-ordered rather than version numbers: artifacts are written before the
    version is allocated, so that no lock is held while files are written.
    """

    def __init__(self, model_folder: Path, data_folder: Path) -> None:
        self._model_folder = model_folder.resolve()
        self._data_folder = data_folder.resolve()

    async def save_model(self, series_id: SeriesId, content: bytes) -> ArtifactRef:
        return await self._save(self._model_folder, series_id, "model.json", content)

    async def save_training_data(self, series_id: SeriesId, content: bytes | bytearray) -> ArtifactRef:
        return await self._save(self._data_folder, series_id, "data.json", content)

    async def load(self, ref: ArtifactRef) -> bytes:
        path = self._owned(ref)
        try:
            async with aiofiles.open(path, "rb") as file:
                content = await file.read()
        except FileNotFoundError:
            raise ArtifactUnreadable(str(path), "is missing") from None
        except OSError as error:
            raise ArtifactUnreadable(str(path), f"cannot be read ({error.strerror or error})") from error
        if len(content) != ref.size or await _sha256(content) != ref.sha256:
            raise ArtifactUnreadable(str(path), "does not match its checksum")
        return content

    async def delete(self, ref: ArtifactRef) -> None:
        path = self._owned(ref)
        with _storage_errors(path), suppress(FileNotFoundError):
            await aiofiles.os.remove(path)

    async def inventory(self) -> list[StoredFile]:
        roots = (self._model_folder, self._data_folder)
        return await anyio.to_thread.run_sync(lambda: list_files(roots))

    async def remove(self, location: str) -> None:
        await self.delete(ArtifactRef(location=location, sha256="", size=0))

    def _owned(self, ref: ArtifactRef) -> Path:
        # Never touch a file outside our folders, whatever a database row says.
        path = Path(ref.location).resolve()
        if not any(path.is_relative_to(root) for root in (self._model_folder, self._data_folder)):
            raise ArtifactUnreadable(ref.location, "is outside the artifact folders")
        return path

    async def _save(
        self, root: Path, series_id: SeriesId, suffix: str, content: bytes | bytearray
    ) -> ArtifactRef:
        # SeriesId admits no separator and neither '.' nor '..', so this path stays under root.
        path = root / series_id.value / f"{unique_name()}.{suffix}"
        with _storage_errors(path):
            digest = await write_atomically_async(path, content)
        return ArtifactRef(location=str(path), sha256=digest, size=len(content))


async def _sha256(content: bytes | bytearray) -> str:
    if len(content) <= _HASH_INLINE_LIMIT:
        return hashlib.sha256(content).hexdigest()
    return await anyio.to_thread.run_sync(lambda: hashlib.sha256(content).hexdigest())


@contextmanager
def _storage_errors(path: Path) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise ArtifactStorageFull(f"no space left to write {path}") from error
        raise ArtifactStorageUnavailable(f"cannot write {path}: {error.strerror or error}") from error
