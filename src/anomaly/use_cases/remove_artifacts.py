"""Removing artifacts nothing refers to any more, without letting a failure hide the work's outcome."""

import logging

from anomaly.domain.model_version import ArtifactRef, ModelVersion
from anomaly.ports.artifacts import ArtifactRemover
from anomaly.use_cases.to_completion import to_completion

logger = logging.getLogger(__name__)


async def remove_quietly(artifacts: ArtifactRemover, refs: list[ArtifactRef]) -> None:
    """Remove each artifact; one that cannot be removed is logged and left for the sweep (`anomaly gc`)."""
    await to_completion(_remove_each(artifacts, refs))


async def _remove_each(artifacts: ArtifactRemover, refs: list[ArtifactRef]) -> None:
    for ref in refs:
        try:
            await artifacts.delete(ref)
        except Exception:
            logger.warning("could not remove artifact %s; the sweep will", ref.location, exc_info=True)


async def remove_artifacts_of(artifacts: ArtifactRemover, versions: list[ModelVersion]) -> None:
    """Both artifacts of each deleted version, quietly (see remove_quietly)."""
    await remove_quietly(artifacts, [ref for version in versions for ref in (version.model, version.data)])
