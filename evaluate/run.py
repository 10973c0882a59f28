"""`make evaluate`: the service on NAB through its public API, each client loop scored by NAB's rules.

One parameter set for the whole corpus; labels are read only to score. Prints one table beside the
published detectors and writes it as JSON under bench/results/.
"""

import argparse
import asyncio
import json
import re
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from evaluate.client_loops import LOOPS, ClientLoop
from evaluate.nab.corpus import Corpus, load_corpus
from evaluate.nab.published import load_scoreboard
from evaluate.nab.scoring import DetectorOutput, evaluate_detector
from evaluate.prototype.offline import score_corpus
from evaluate.served import served

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
# Files judged at once: the service serves them concurrently, as it would several clients.
CONCURRENT_FILES = 4


def series_id(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name.removesuffix(".csv"))[:128]


async def run_loop(loop: ClientLoop, corpus: Corpus) -> dict[str, DetectorOutput]:
    limit = asyncio.Semaphore(CONCURRENT_FILES)
    with tempfile.TemporaryDirectory(prefix="anomaly-evaluate-") as folder:
        async with served(Path(folder)) as client:

            async def one(name: str) -> tuple[str, DetectorOutput]:
                series = corpus.series[name]
                async with limit:
                    scores = await loop.run(client, series_id(name), series)
                return name, (series.timestamps, scores)

            return dict(await asyncio.gather(*(one(name) for name in corpus.series)))


def table(rows: list[dict[str, object]]) -> str:
    lines = [
        "| detector | standard | low FP | low FN | seconds |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        scores = row["scores"]
        assert isinstance(scores, dict)
        seconds = row.get("seconds")
        lines.append(
            f"| {row['name']} | "
            + " | ".join(f"{scores[profile]:.1f}" for profile in PROFILES)
            + f" | {'' if seconds is None else f'{seconds:.0f}'} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--only", help="comma-separated loops to run: " + ", ".join(loop.key for loop in LOOPS)
    )
    arguments = parser.parse_args()
    corpus = load_corpus()
    chosen = [loop for loop in LOOPS if not arguments.only or loop.key in arguments.only.split(",")]
    rows: list[dict[str, object]] = []
    for loop in chosen:
        started = time.monotonic()
        outputs = asyncio.run(run_loop(loop, corpus))
        results = evaluate_detector(outputs, corpus)
        rows.append(
            {
                "name": f"service: {loop.name}",
                "loop": loop.description,
                "scores": {profile: results[profile].normalised for profile in PROFILES},
                "thresholds": {profile: results[profile].threshold for profile in PROFILES},
                "seconds": time.monotonic() - started,
            }
        )
        print(f"{loop.name}: {rows[-1]['scores']}", flush=True)
    if not arguments.only or "reference" in arguments.only.split(","):
        # Not the service: the design its model kinds are to reproduce through the API.
        started = time.monotonic()
        results = evaluate_detector(score_corpus(corpus), corpus)
        rows.append(
            {
                "name": "reference detector, offline (evaluate/prototype)",
                "loop": "fit on the first 15%, then judge 10 points and fold them in",
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
