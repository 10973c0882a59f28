"""Storing a model learnt from a batch as its series' next version: the steps a fit and an update share.

Artifacts are written and synced first, then the version is recorded in one short step. No lock is
held while files are written, a version row never exists without its artifacts, and a request that
certainly failed leaves no artifact behind: only a commit of unknown outcome leaves them, to the sweep.
"""

import asyncio
from collections.abc import Callable
from typing import TypeVar

from anomaly.domain.model_kind import Model
from anomaly.domain.model_version import ModelVersion, VersionDraft
from anomaly.domain.series_id import SeriesId
from anomaly.ports.artifacts import ArtifactWriter, StagedFit
from anomaly.ports.batch_reader import ReadBatch
from anomaly.ports.clock import Clock
from anomaly.ports.errors import CommitOutcomeUnknown
from anomaly.ports.version_recorder import Receipt, VersionRecorder
from anomaly.use_cases.offload import run_cpu_bound
from anomaly.use_cases.to_completion import in_background

T = TypeVar("T")

# A point takes at least this many bytes of a serialised batch, so a batch's size in bytes bounds
# how many points it holds, which decides whether it is read and learnt on a worker thread.
FEWEST_BYTES_PER_POINT = 20


async def record_next_version(
    series_id: SeriesId,
    serialised: bytes | bytearray,
    learn: Callable[[], tuple[ReadBatch, Model, T]],
    artifacts: ArtifactWriter,
    recorder: VersionRecorder,
    clock: Clock,
    *,
    follows: int | None = None,
    receipt: Callable[[T], Receipt | None] = lambda _: None,
) -> tuple[ModelVersion, T]:
    """Stage `serialised` as the training data, run `learn` (CPU-bound: it reads the batch and
    returns the model and whatever else the caller wants back), keep the model beside the data and
    record both as the next version (see `VersionDraft.follows`), with the receipt, if any, that
    `receipt` makes of what `learn` gave back (see `VersionRecorder.record`)."""
    # Staged before it is read: the store may write a large batch while it is being read.
    staged = artifacts.stage(series_id, serialised)
    try:
        batch, model, extra = await run_cpu_bound(len(serialised) // FEWEST_BYTES_PER_POINT, learn)
        if batch.restated is not None:
            await staged.discard()
            staged = artifacts.stage(series_id, batch.restated)
        model_ref, data_ref = await staged.keep(model)
    except BaseException:
        await staged.discard()
        raise
    draft = VersionDraft(
        series_id=series_id,
        model=model_ref,
        data=data_ref,
        summary=model.summary(),
        created_at=clock.now(),
        kind=model.kind,
        parameters=model.parameters,
        follows=follows,
    )
    # A commit whose outcome is unknown may have been applied, and a row must never lose its
    # artifacts: they stay, and the sweep removes them if no row refers to them. Any other failure
    # is known to have recorded nothing: they go at once.
    recording = asyncio.ensure_future(recorder.record(draft, receipt(extra)))
    try:
        return await asyncio.shield(recording), extra
    except asyncio.CancelledError:
        # The request is cancelled, not its recording: that runs to its end, and the files go if it
        # failed knowingly, as they would have here.
        in_background(_discard_unless_recorded(recording, staged))
        raise
    except CommitOutcomeUnknown:
        raise
    except Exception:
        await staged.discard()
        raise


async def _discard_unless_recorded(recording: asyncio.Future[ModelVersion], staged: StagedFit) -> None:
    [outcome] = await asyncio.gather(recording, return_exceptions=True)
    # Cancelled itself (the process is stopping), its commit may be under way: as unknown.
    if isinstance(outcome, BaseException) and not isinstance(
        outcome, CommitOutcomeUnknown | asyncio.CancelledError
    ):
        await staged.discard()
