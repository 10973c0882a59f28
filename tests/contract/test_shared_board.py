"""What only the shared board promises: a board truncated, rewritten, replaced or deleted under the
processes using it is noticed at their next lookup, is never trusted for what it held, and kills none.

Two SharedSeriesChanges on one path behave as two processes: each has its own descriptor.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from anomaly.adapters.files import series_changes
from anomaly.adapters.files.series_changes import SIZE, SharedSeriesChanges
from anomaly.domain.series_id import SeriesId

CPU = SeriesId("cpu")


@pytest.fixture
def board(tmp_path: Path) -> Path:
    return tmp_path / "+anomaly" / "series-changes"


@pytest.fixture
def here(board: Path) -> Iterator[SharedSeriesChanges]:
    changes = SharedSeriesChanges(board)
    yield changes
    changes.close()


@pytest.fixture
def there(board: Path) -> Iterator[SharedSeriesChanges]:
    changes = SharedSeriesChanges(board)
    yield changes
    changes.close()


def sees_marks_of(reader: SharedSeriesChanges, writer: SharedSeriesChanges) -> bool:
    seen = reader.stamp(CPU)
    writer.mark(CPU)
    return reader.stamp(CPU) != seen


def test_a_truncated_board_is_never_trusted_and_is_put_back_whole(
    board: Path, here: SharedSeriesChanges, there: SharedSeriesChanges
) -> None:
    before = here.stamp(CPU)
    os.truncate(board, 0)  # `truncate -s 0`: through a memory map, the next read would be a SIGBUS
    after = here.stamp(CPU)
    assert after != before
    assert board.stat().st_size == SIZE
    assert sees_marks_of(here, there)
    assert sees_marks_of(there, here)


def test_a_board_rewritten_in_place_from_a_copy_is_never_trusted(
    board: Path, tmp_path: Path, here: SharedSeriesChanges, there: SharedSeriesChanges
) -> None:
    shutil.copyfile(board, tmp_path / "backup")
    before = here.stamp(CPU)
    with board.open("r+b") as restoring:  # `cp backup board` truncates, then writes
        restoring.truncate(0)
        assert here.stamp(CPU) != before
        restoring.write((tmp_path / "backup").read_bytes())
    assert here.stamp(CPU) != before
    assert sees_marks_of(here, there)
    assert sees_marks_of(there, here)


def test_a_deleted_board_is_noticed_and_a_process_started_after_shares_the_new_one(
    board: Path, here: SharedSeriesChanges
) -> None:
    before = here.stamp(CPU)
    board.unlink()
    # A process (re)started after the deletion makes a new board...
    restarted = SharedSeriesChanges(board)
    try:
        # ...which the process started before reads and marks from its next lookup on.
        assert here.stamp(CPU) != before
        assert sees_marks_of(here, restarted)
        assert sees_marks_of(restarted, here)
    finally:
        restarted.close()


def test_a_deleted_board_is_put_back_by_the_first_process_to_look(
    board: Path, here: SharedSeriesChanges, there: SharedSeriesChanges
) -> None:
    board.unlink()
    there.mark(CPU)
    assert board.stat().st_size == SIZE
    assert sees_marks_of(here, there)


def test_a_board_replaced_by_another_file_is_followed(
    board: Path, tmp_path: Path, here: SharedSeriesChanges, there: SharedSeriesChanges
) -> None:
    before = here.stamp(CPU)
    (tmp_path / "other").write_bytes(os.urandom(SIZE))
    os.replace(tmp_path / "other", board)  # `mv`, or rsync without --inplace
    assert here.stamp(CPU) != before
    assert sees_marks_of(here, there)
    assert sees_marks_of(there, here)


def test_while_no_board_can_be_put_back_stamps_never_repeat_and_marks_do_not_fail(
    board: Path, here: SharedSeriesChanges, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(series_changes, "RETRY_SECONDS", 0.0)
    before = here.stamp(CPU)
    shutil.rmtree(board.parent)
    board.parent.write_text("a file where the board's folder should be")
    stamps = [here.stamp(CPU) for _ in range(3)]
    assert len({before, *stamps}) == 4
    here.mark(CPU)
    board.parent.unlink()
    back = here.stamp(CPU)
    assert board.stat().st_size == SIZE
    assert back not in (before, *stamps)
    assert here.stamp(CPU) == back
