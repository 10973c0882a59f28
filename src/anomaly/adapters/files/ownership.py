"""Which database an artifact folder belongs to: a marker among the folder's own files,
`+anomaly/database-id`, written once, by the first database to use the folder."""

import json
import os
import random
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

from anomaly.adapters.files.atomic_write import storage_errors, write_atomically
from anomaly.adapters.files.internal import internal_folder
from anomaly.domain.store_pairing import DatabaseIdentity
from anomaly.ports.errors import ArtifactStorageUnavailable

MARKER = "database-id"


def marker_of(folder: Path) -> Path:
    return internal_folder(folder) / MARKER


def read_owner(folder: Path) -> DatabaseIdentity | None:
    """The database the folder's marker names; None if it has none. Blocking: run it on a thread."""
    marker = marker_of(folder)
    try:
        content = marker.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ArtifactStorageUnavailable(f"cannot read {marker}: {error.strerror or error}") from error
    try:
        document = json.loads(content)
        return DatabaseIdentity(id=str(document["database_id"]), name=str(document["database"]))
    except (ValueError, KeyError, TypeError) as error:
        raise ArtifactStorageUnavailable(
            f"{marker} does not say which database the folder belongs to ({type(error).__name__}: "
            f"{error}); remove it only if no other database uses the folder"
        ) from error


def claim_folder(folder: Path, owner: DatabaseIdentity) -> None:
    """Give the folder a marker naming `owner`, unless it has one: written whole and synced under a
    name of its own, then linked into place, so that of two claims at once the first stands.
    Blocking: run it on a thread."""
    marker = marker_of(folder)
    if marker.exists():
        return
    content = json.dumps(
        {"database_id": owner.id, "database": owner.name, "claimed_at": datetime.now(UTC).isoformat()},
        indent=2,
    ).encode()
    claim = marker.with_name(f"{MARKER}.{random.getrandbits(32):08x}")
    with storage_errors(marker):
        write_atomically(claim, content)
        try:
            with suppress(FileExistsError):
                os.link(claim, marker)
        finally:
            claim.unlink()
        descriptor = os.open(marker.parent, os.O_RDONLY)
        try:
            os.fsync(descriptor)  # the link, durable
        finally:
            os.close(descriptor)
