"""Where the service keeps files of its own in an artifact folder: a sub-folder no series can name.

A series' artifacts live in `<folder>/<series_id>/`, and a series id may be any name made of
`A-Z a-z 0-9 . _ -` (but `.` and `..`), `.series-changes` as well as `cpu`. `+` is none of those,
so `<folder>/+anomaly/` can never be a series' folder, and the sweep, which only looks into folders
named like series, never looks into it.
"""

from pathlib import Path

INTERNAL_FOLDER = "+anomaly"


def internal_folder(root: Path) -> Path:
    return root / INTERNAL_FOLDER
