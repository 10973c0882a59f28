"""The NAB corpus for the evaluation tests: where CI puts it, or a visible skip."""

import os
from pathlib import Path

import pytest

from evaluate.nab.corpus import default_nab_dir


def require_nab() -> Path:
    """The NAB folder when present; otherwise a visible skip, or a failure under CI=true."""
    root = default_nab_dir()
    if not (root / "labels" / "combined_windows.json").is_file():
        reason = f"the NAB corpus is not at {root} (set NAB_DIR to its folder)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; under CI=true the NAB tests must run", pytrace=False)
        pytest.skip(reason)
    return root
