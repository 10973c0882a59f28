"""Artifacts under two folders, one per kind, each series in its own sub-folder."""

import hashlib
import os
import tempfile
from contextlib import suppress
from pathlib import Path

import aiofiles.os
import anyio.to_thread

from anomaly.adapters.files.atomic_write import storage_errors
from anomaly.adapters.files.inventory import list_files
from anomaly.adapters.files.naming import DATA, MODEL, Key, parse_key, unique_name
from anomaly.adapters.files.ownership import claim_folder, read_owner
from anomaly.adapters.files.staged_fit import FileStagedFit
from anomaly.adapters.model_artifact import model_in
from anomaly.domain.model_kind import Model
from anomaly.domain.model_version import ArtifactRef, StoredFile
from anomaly.domain.series_id import SeriesId
from anomaly.domain.store_pairing import DatabaseIdentity
from anomaly.ports.errors import ArtifactUnreadable

# Hashing a large body releases the GIL, so it runs on a thread beside the event loop.
_HASH_INLINE_LIMIT = 1 << 20

MODEL_SUFFIX = "model.json"
DATA_SUFFIX = "data.json"


class FileArtifactStore:
    """`<model_folder>/<series_id>/<name>.model.json` and `<data_folder>/<series_id>/<name>.data.json`,
    known to version rows by their keys, `<series_id>/<name>.<kind>.json` (see `naming.Key`); each
    folder names the database it belongs to in `+anomaly/database-id` (see `ownership`).

    Names are unique and time-ordered rather than version numbers: artifacts are written before the
    version is allocated, so that no lock is held while files are written.
    """

    def __init__(self, model_folder: Path, data_folder: Path) -> None:
        self._model_folder = model_folder.resolve()
        self._data_folder = data_folder.resolve()

    def stage(self, series_id: SeriesId, training_data: bytes | bytearray) -> FileStagedFit:
        # The two files share a name; their folders and suffixes tell them apart.
        name = unique_name()
        model = Key(series_id, f"{name}.{MODEL_SUFFIX}", MODEL)
        data = Key(series_id, f"{name}.{DATA_SUFFIX}", DATA)
        return FileStagedFit(
            model=(str(model), self._path(model)),
            data=(str(data), self._path(data)),
            training_data=training_data,
            delete=self.delete,
        )

    async def load(self, ref: ArtifactRef) -> bytes:
        path = self._owned(ref.location)
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

    async def load_model(self, ref: ArtifactRef) -> Model:
        return model_in(await self.load(ref), ref.location)

    async def delete(self, ref: ArtifactRef) -> None:
        await self.remove(ref.location)

    async def check_writable(self) -> None:
        await anyio.to_thread.run_sync(_check_writable, (self._model_folder, self._data_folder))

    async def inventory(self) -> list[StoredFile]:
        roots = ((self._model_folder, MODEL), (self._data_folder, DATA))
        return await anyio.to_thread.run_sync(lambda: list_files(roots))

    async def remove(self, location: str) -> None:
        path = self._owned(location)
        with storage_errors(path), suppress(FileNotFoundError):
            await aiofiles.os.remove(path)

    async def owners(self) -> list[tuple[str, DatabaseIdentity | None]]:
        return await anyio.to_thread.run_sync(
            lambda: [(str(folder), read_owner(folder)) for folder in self._folders()]
        )

    async def claim(self, owner: DatabaseIdentity) -> None:
        def claim_each() -> None:
            for folder in self._folders():
                claim_folder(folder, owner)

        await anyio.to_thread.run_sync(claim_each)

    def _folders(self) -> list[Path]:
        # Both kinds may share one folder.
        return list(dict.fromkeys((self._model_folder, self._data_folder)))

    def _owned(self, location: str) -> Path:
        # Only a key this store gives, never a path a database row may hold: SeriesId admits no
        # separator and neither '.' nor '..', so a key's file is always inside its folder.
        key = parse_key(location)
        if key is None:
            raise ArtifactUnreadable(location, "is not the key of an artifact in the artifact folders")
        return self._path(key)

    def _path(self, key: Key) -> Path:
        folder = self._model_folder if key.kind == MODEL else self._data_folder
        return folder / key.series_id.value / key.name


def _check_writable(folders: tuple[Path, ...]) -> None:
    """Make a file in each folder (and the folder, if missing) and remove it; blocking."""
    for folder in folders:
        with storage_errors(folder):
            folder.mkdir(parents=True, exist_ok=True)
            descriptor, name = tempfile.mkstemp(prefix=".writable-", dir=folder)
            os.close(descriptor)
            os.unlink(name)


async def _sha256(content: bytes | bytearray) -> str:
    if len(content) <= _HASH_INLINE_LIMIT:
        return hashlib.sha256(content).hexdigest()
    return await anyio.to_thread.run_sync(lambda: hashlib.sha256(content).hexdigest())
