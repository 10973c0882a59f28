"""What a production-wired service left behind: version rows in its database, artifact files on disk."""

from pathlib import Path

from anomaly.adapters.sql.engine import create_engine
from anomaly.adapters.sql.unit_of_work import unit_of_work_factory
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId


async def stored_versions(url: str, series: str) -> list[ModelVersion]:
    engine = create_engine(url, pool_size=1, timeout_seconds=10)
    try:
        async with unit_of_work_factory(engine)() as uow:
            return await uow.models.list_versions(SeriesId(series))
    finally:
        await engine.dispose()


def artifact_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*.json") if path.is_file())
