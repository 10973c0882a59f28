"""`make evaluate`: the service on NAB through its public API, each client loop scored by NAB's rules.

One parameter set for the whole corpus; labels are read only to score. Prints one table beside the
published detectors and writes it as JSON under bench/results/.
"""

import argparse
import asyncio
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np

from evaluate.client_loops import LOOPS, ClientLoop, KindUnavailable
from evaluate.nab.corpus import Corpus, load_corpus
from evaluate.nab.published import load_scoreboard
from evaluate.nab.scoring import DetectorOutput, evaluate_detector
from evaluate.offline import score_corpus
from evaluate.served import GC_INTERVAL_SECONDS, served

RESULTS = Path(__file__).resolve().parents[1] / "bench" / "results"
PROFILES = ("standard", "reward_low_FP_rate", "reward_low_FN_rate")
PUBLISHED = (
    "ARTime",
    "numenta",
    "earthgeckoSkyline",
    "knncad",
    "relativeEntropy",
    "twitterADVec",
    "windowedGaussian",
    "null",
)
# The --only key of the offline row (the seasonal kind driven in process, not through the service).
OFFLINE = "offline"
# Files judged at once: the service serves them concurrently, as it would several clients.
CONCURRENT_FILES = 4
# The service's folder (database and artifacts) goes on a tmpfs when there is one: the evaluation
# measures detection, not the disk, and a stream loop records a version per update.
TMPFS = Path("/dev/shm")


def series_id(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name.removesuffix(".csv"))[:128]


def scratch_folder() -> tempfile.TemporaryDirectory[str]:
    on_tmpfs = TMPFS.is_dir() and os.access(TMPFS, os.W_OK)
    return tempfile.TemporaryDirectory(prefix="anomaly-evaluate-", dir=TMPFS if on_tmpfs else None)


@dataclass(frozen=True)
class LoopRun:
    outputs: dict[str, DetectorOutput]
    seconds: float  # from the service's start to the last file's last answer
    versions_kept: int  # versions stored at the end, over every series (the sweep keeps a few each)


async def run_loop(loop: ClientLoop, corpus: Corpus) -> LoopRun:
    """Every file of the corpus through `loop`, several at once, each as a series of its own;
    `KindUnavailable` if the service has not the loop's model kind."""
    limit = asyncio.Semaphore(CONCURRENT_FILES)
    outputs: dict[str, DetectorOutput] = {}
    started = time.monotonic()
    with scratch_folder() as folder:
        async with served(Path(folder)) as client:

            async def one(name: str) -> None:
                series = corpus.series[name]
                async with limit:
                    scores = await loop.run(client, series_id(name), series)
                outputs[name] = (series.timestamps, scores)

            try:
                async with asyncio.TaskGroup() as group:
                    for name in corpus.series:
                        group.create_task(one(name))
            except* KindUnavailable as missing:
                # The first file's fit says so; the others' say the same.
                raise missing.exceptions[0] from None
            seconds = time.monotonic() - started
            # Give the sweep one full turn after the last update, then count what it left.
            await asyncio.sleep(2 * GC_INTERVAL_SECONDS)
            kept = await versions_kept(client)
    return LoopRun({name: outputs[name] for name in corpus.series}, seconds, kept)


async def versions_kept(client: httpx.AsyncClient) -> int:
    total, offset = 0, 0
    while True:
        response = await client.get("/series", params={"limit": 1000, "offset": offset})
        response.raise_for_status()
        page = response.json()
        total += sum(int(item["versions"]) for item in page["items"])
        offset += len(page["items"])
        if offset >= page["total"] or not page["items"]:
            return total


def table(rows: list[dict[str, object]]) -> str:
    lines = [
        "| detector | standard | low FP | low FN | seconds |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        scores = row.get("scores")
        seconds = row.get("seconds")
        figures = (
            " | ".join(f"{scores[profile]:.1f}" for profile in PROFILES)
            if isinstance(scores, dict)
            else " | ".join(["skipped"] * len(PROFILES))
        )
        lines.append(f"| {row['name']} | {figures} | {'' if seconds is None else f'{seconds:.0f}'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--only",
        help="comma-separated loops to run: " + ", ".join([loop.key for loop in LOOPS] + [OFFLINE]),
    )
    arguments = parser.parse_args()
    corpus = load_corpus()
    chosen = [loop for loop in LOOPS if not arguments.only or loop.key in arguments.only.split(",")]
    rows: list[dict[str, object]] = []
    for loop in chosen:
        try:
            run = asyncio.run(run_loop(loop, corpus))
        except KindUnavailable as missing:
            # The service does not have this loop's kind (yet): a row that says so, not a crash.
            rows.append({"name": f"service: {loop.name}", "loop": loop.description, "skipped": str(missing)})
            print(f"{loop.name}: skipped, {missing}", flush=True)
            continue
        started = time.monotonic()
        results = evaluate_detector(run.outputs, corpus)
        rows.append(
            {
                "name": f"service: {loop.name}",
                "loop": loop.description,
                "scores": {profile: results[profile].normalised for profile in PROFILES},
                "thresholds": {profile: results[profile].threshold for profile in PROFILES},
                # The loop through the service, then NAB's scoring of it.
                "seconds": run.seconds + time.monotonic() - started,
                "versions_kept": run.versions_kept,
            }
        )
        print(
            f"{loop.name}: {rows[-1]['scores']} in {rows[-1]['seconds']:.0f} s, "
            f"{run.versions_kept} versions kept",
            flush=True,
        )
    if not arguments.only or OFFLINE in arguments.only.split(","):
        # The seasonal stream's arithmetic without the service (no HTTP, storage or concurrency):
        # the same scores in seconds, a sanity check of the model kind itself.
        started = time.monotonic()
        results = evaluate_detector(score_corpus(corpus), corpus)
        rows.append(
            {
                "name": "seasonal kind, offline (no HTTP)",
                "loop": "fit on the first 15%, then judge 10 points and fold them in, in process",
                "scores": {profile: results[profile].normalised for profile in PROFILES},
                "thresholds": {profile: results[profile].threshold for profile in PROFILES},
                "seconds": time.monotonic() - started,
            }
        )
    board = load_scoreboard()
    for detector in PUBLISHED:
        if detector in board:
            rows.append({"name": f"published: {detector}", "scores": board[detector]})
    report = table(rows)
    print()
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    document = json.dumps({"rows": rows}, indent=2, default=lambda value: float(np.asarray(value)))
    for name in (f"evaluate-{stamp}.json", "evaluate-latest.json"):
        (RESULTS / name).write_text(document + "\n")
    print(f"\nwritten to {RESULTS / 'evaluate-latest.json'}")


if __name__ == "__main__":
    main()
