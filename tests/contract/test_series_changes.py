"""One contract for series stamps: in memory, and in the file every process of a host maps."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from anomaly.adapters.files.internal import INTERNAL_FOLDER
from anomaly.adapters.files.mounts import filesystem_type
from anomaly.adapters.files.series_changes import (
    FILE_NAME,
    OLD_FILE_NAME,
    SharedSeriesChanges,
    UnsharedSeriesChanges,
    open_series_changes,
)
from anomaly.adapters.memory.series_changes import InMemorySeriesChanges
from anomaly.domain.series_id import SeriesId
from anomaly.ports.series_changes import SeriesChanges

CPU, DISK = SeriesId("cpu"), SeriesId("disk")  # in different slots of the shared file


@pytest.fixture(params=["memory", "shared"])
def changes(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SeriesChanges]:
    if request.param == "memory":
        yield InMemorySeriesChanges()
        return
    shared = SharedSeriesChanges(tmp_path / FILE_NAME)
    yield shared
    shared.close()


def test_a_stamp_holds_until_the_series_is_marked(changes: SeriesChanges) -> None:
    before = changes.stamp(CPU)
    assert changes.stamp(CPU) == before
    changes.mark(CPU)
    after = changes.stamp(CPU)
    assert after != before
    changes.mark(CPU)
    assert changes.stamp(CPU) not in (before, after)


def test_marking_one_series_leaves_another_alone(changes: SeriesChanges) -> None:
    disk = changes.stamp(DISK)
    changes.mark(CPU)
    assert changes.stamp(DISK) == disk


def test_processes_mapping_the_same_file_see_each_others_marks(tmp_path: Path) -> None:
    here, there = SharedSeriesChanges(tmp_path / FILE_NAME), SharedSeriesChanges(tmp_path / FILE_NAME)
    try:
        seen = here.stamp(CPU)
        there.mark(CPU)
        assert here.stamp(CPU) != seen
        assert here.stamp(CPU) == there.stamp(CPU)
    finally:
        here.close()
        there.close()


def test_stamps_survive_a_restart(tmp_path: Path) -> None:
    first = SharedSeriesChanges(tmp_path / FILE_NAME)
    first.mark(CPU)
    stamp = first.stamp(CPU)
    first.close()
    second = SharedSeriesChanges(tmp_path / FILE_NAME)
    try:
        assert second.stamp(CPU) == stamp
    finally:
        second.close()


MOUNTINFO = """\
22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
30 22 0:40 / /srv/models rw,relatime shared:9 - nfs4 files:/export rw,vers=4.2
31 30 0:41 / /srv/models/local\\040cache rw - tmpfs tmpfs rw
"""


def test_the_deepest_mount_above_a_folder_tells_its_filesystem() -> None:
    assert filesystem_type(Path("/var/lib/anomaly"), MOUNTINFO) == "ext4"
    assert filesystem_type(Path("/srv/models/cpu"), MOUNTINFO) == "nfs4"
    assert filesystem_type(Path("/srv/models/local cache/x"), MOUNTINFO) == "tmpfs"
    assert filesystem_type(Path("/srv/modelsx"), MOUNTINFO) == "ext4"


def test_a_folder_where_no_board_can_be_made_gets_stamps_that_never_repeat(tmp_path: Path) -> None:
    (tmp_path / INTERNAL_FOLDER).write_text("a file where the board's folder should be")
    stamps = open_series_changes(tmp_path)
    assert isinstance(stamps, UnsharedSeriesChanges)
    assert stamps.stamp(CPU) != stamps.stamp(CPU)


def test_a_folder_other_hosts_may_share_gets_stamps_that_never_repeat(tmp_path: Path) -> None:
    network = f"22 1 0:40 / {tmp_path} rw - nfs4 files:/export rw\n"
    stamps = open_series_changes(tmp_path, network)
    assert isinstance(stamps, UnsharedSeriesChanges)
    assert stamps.stamp(CPU) != stamps.stamp(CPU)
    assert list(tmp_path.iterdir()) == []
    local = open_series_changes(tmp_path, f"22 1 0:40 / {tmp_path} rw - ext4 /dev/vda1 rw\n")
    try:
        assert isinstance(local, SharedSeriesChanges)
        board = tmp_path / INTERNAL_FOLDER / FILE_NAME
        assert board.stat().st_size == 65_536 * 8
        assert board.stat().st_blocks * 512 >= 65_536 * 8  # allocated, not sparse
        assert [path.name for path in tmp_path.iterdir()] == [INTERNAL_FOLDER]
        assert [path.name for path in board.parent.iterdir()] == [FILE_NAME]
    finally:
        local.close()


def test_a_board_at_its_old_place_is_removed_and_a_series_folder_of_that_name_is_left_alone(
    tmp_path: Path,
) -> None:
    (tmp_path / OLD_FILE_NAME).write_bytes(bytes(65_536 * 8))  # where the board lived before
    open_series_changes(tmp_path).close()
    assert not (tmp_path / OLD_FILE_NAME).exists()
    (tmp_path / OLD_FILE_NAME).mkdir()  # now a series may have that name
    (tmp_path / OLD_FILE_NAME / "artifact").write_bytes(b"{}")
    open_series_changes(tmp_path).close()
    assert (tmp_path / OLD_FILE_NAME / "artifact").exists()
