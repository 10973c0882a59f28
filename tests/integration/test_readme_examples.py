"""The README's `curl` examples are true when run in order against `make run`'s service.

Every `$ curl ...` of the README's console blocks runs, in order, with a real shell and a real curl,
against `anomaly serve` on the embedded default. Where the README shows an answer, the real answer
must be the same JSON, except for what differs on every run (times and checksums).
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import anomaly, running_server

README = Path(__file__).resolve().parents[2] / "README.md"
DOCUMENTED_URL = "http://127.0.0.1:8000"
# What changes from one run to the next.
VOLATILE = {"created_at", "updated_at", "sha256"}


def examples() -> list[tuple[str, str | None]]:
    """(command, the answer shown after it or None) for each curl of the README, in order."""
    found: list[tuple[str, str | None]] = []
    for block in re.findall(r"```console\n(.*?)```", README.read_text(), flags=re.DOTALL):
        lines = block.splitlines()
        index = 0
        while index < len(lines):
            line = lines[index]
            index += 1
            if not line.startswith("$ "):
                continue
            # A command goes on over indented lines (after a backslash, or inside a quoted body).
            command = line[2:]
            while index < len(lines) and lines[index].startswith(" "):
                command += "\n" + lines[index]
                index += 1
            answer = None
            if index < len(lines) and lines[index].startswith(("{", "[")):
                answer = lines[index]
                index += 1
            if command.startswith("curl ") and DOCUMENTED_URL in command:
                found.append((command, answer))
    return found


def without_volatile(document: Any) -> Any:
    if isinstance(document, dict):
        return {key: without_volatile(value) for key, value in document.items() if key not in VOLATILE}
    if isinstance(document, list):
        return [without_volatile(item) for item in document]
    return document


def test_the_readme_shows_curl_examples_with_answers() -> None:
    shown = examples()
    assert len(shown) >= 10
    assert sum(answer is not None for _, answer in shown) >= 7


def test_every_curl_example_answers_as_the_readme_shows(tmp_path: Path) -> None:
    if shutil.which("curl") is None:
        # As for the browser: a visible skip here, a failure on CI (.ci/run installs curl).
        if os.environ.get("CI") == "true":
            pytest.fail("curl is missing, and CI=true requires the README test to run", pytrace=False)
        pytest.skip("needs curl, as the README's reader does")
    assert anomaly("migrate", cwd=tmp_path, env={}).returncode == 0
    with running_server(tmp_path, env={}) as base_url:
        for command, shown in examples():
            ran = subprocess.run(
                ["bash", "-c", command.replace(DOCUMENTED_URL, base_url)],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert ran.returncode == 0, f"{command}\n{ran.stderr}"
            if shown is None:
                continue
            assert without_volatile(json.loads(ran.stdout)) == without_volatile(json.loads(shown)), command
