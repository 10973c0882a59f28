"""Lists what lies in the artifact folders, for the garbage collector."""

import os
from datetime import UTC, datetime
from pathlib import Path

from anomaly.adapters.files.atomic_write import TEMPORARY_PREFIX
from anomaly.adapters.files.naming import ARTIFACT_NAME
from anomaly.domain.errors import InvalidInput
from anomaly.domain.model_version import StoredFile
from anomaly.domain.series_id import SeriesId


def list_files(roots: tuple[Path, ...]) -> list[StoredFile]:
    """Every regular file one level below a series folder of each root; blocking, run it on a thread."""
    found = []
    for root in roots:
        if not root.is_dir():
            continue
        for folder in os.scandir(root):
            series_id = _series_id(folder.name)
            if series_id is None or not folder.is_dir(follow_symlinks=False):
                continue  # not ours: never touch it
            for entry in os.scandir(folder.path):
                if not entry.is_file(follow_symlinks=False) or not ARTIFACT_NAME.fullmatch(entry.name):
                    continue  # only files this service names are ever swept
                try:
                    modified = entry.stat(follow_symlinks=False).st_mtime
                except FileNotFoundError:
                    continue  # renamed or removed since the folder was listed
                found.append(
                    StoredFile(
                        series_id=series_id,
                        location=entry.path,
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
