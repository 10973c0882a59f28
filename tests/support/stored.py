"""What a production-wired service left behind: version rows in its database, artifact files on disk."""

from pathlib import Path

from anomaly.adapters.memory.series_changes import InMemorySeriesChanges
from anomaly.adapters.sql.database import open_database
from anomaly.adapters.sql.engine import create_engine
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId


async def stored_versions(url: str, series: str) -> list[ModelVersion]:
    engine = create_engine(url, pool_size=1, timeout_seconds=10)
    try:
        async with open_database(engine, InMemorySeriesChanges()).reads() as uow:
            return await uow.listings.list_versions(SeriesId(series))
    finally:
        await engine.dispose()


def stored_file(root: Path, location: str) -> Path:
    """The file a version row's key names, in `root`'s `models` or `data` folder (as `file_settings`)."""
    return root / ("models" if location.endswith(".model.json") else "data") / location


def artifact_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*.json") if path.is_file())
