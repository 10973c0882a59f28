"""Removing artifacts nothing refers to any more, without letting a failure hide the work's outcome."""

import logging

import anyio

from anomaly.domain.model_version import ArtifactRef, ModelVersion
from anomaly.ports.artifacts import ArtifactRemover

logger = logging.getLogger(__name__)


async def remove_quietly(artifacts: ArtifactRemover, refs: list[ArtifactRef]) -> None:
    """Remove each artifact; one that cannot be removed is logged and left for the sweep (`anomaly gc`)."""
    with anyio.CancelScope(shield=True):
        for ref in refs:
            try:
                await artifacts.delete(ref)
            except Exception:
                logger.warning("could not remove artifact %s; the sweep will", ref.location, exc_info=True)


async def remove_artifacts_of(artifacts: ArtifactRemover, versions: list[ModelVersion]) -> None:
    """Both artifacts of each deleted version, quietly (see remove_quietly)."""
    await remove_quietly(artifacts, [ref for version in versions for ref in (version.model, version.data)])
