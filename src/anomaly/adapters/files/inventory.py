"""Lists what lies in the artifact folders, for the garbage collector."""

import os
from datetime import UTC, datetime
from pathlib import Path

from anomaly.adapters.files.atomic_write import TEMPORARY_PREFIX
from anomaly.adapters.files.naming import ARTIFACT_NAME
from anomaly.domain.errors import InvalidInput
from anomaly.domain.model_version import StoredFile
from anomaly.domain.series_id import SeriesId


def list_files(roots: tuple[tuple[Path, str], ...]) -> list[StoredFile]:
    """Every regular file one level below a series folder of each (root, kind of artifact it holds),
    by its key; blocking, run it on a thread."""
    found = []
    for root, kind in roots:
        if not root.is_dir():
            continue
        for folder in os.scandir(root):
            series_id = _series_id(folder.name)
            if series_id is None or not folder.is_dir(follow_symlinks=False):
                continue  # not ours: never touch it
            for entry in os.scandir(folder.path):
                if not entry.is_file(follow_symlinks=False):
                    continue
                named = ARTIFACT_NAME.fullmatch(entry.name)
                if named is None or named["kind"] != kind:
                    continue  # only files this service names, in the folder of their kind, are ever swept
                try:
                    modified = entry.stat(follow_symlinks=False).st_mtime
                except FileNotFoundError:
                    continue  # renamed or removed since the folder was listed
                found.append(
                    StoredFile(
                        series_id=series_id,
                        location=f"{series_id.value}/{entry.name}",  # its key (see naming.Key)
                        modified_at=datetime.fromtimestamp(modified, UTC),
                        temporary=entry.name.startswith(TEMPORARY_PREFIX),
                    )
                )
    return found


def _series_id(name: str) -> SeriesId | None:
    try:
        return SeriesId(name)
    except InvalidInput:
        return None
