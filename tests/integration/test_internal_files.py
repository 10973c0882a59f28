"""The service's own files live where no series can be named: every valid series id can be fitted."""

from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from anomaly.adapters.files.internal import INTERNAL_FOLDER
from anomaly.bootstrap import create_app
from anomaly.domain.errors import InvalidInput
from anomaly.domain.series_id import SeriesId
from tests.conftest import file_settings
from tests.support.payloads import SMALL

# The old board of series changes took this name in the model folder; it is a valid series id.
OLD_BOARD = ".series-changes"


async def test_a_series_named_like_the_old_board_of_changes_is_fitted_and_predicted(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with AsyncTestClient(app=create_app(file_settings(tmp_path, sqlite_url))) as client:
        fitted = await client.post(f"/fit/{OLD_BOARD}", json=SMALL)
        assert fitted.status_code == 200, fitted.text
        assert fitted.json()["version"] == 1
        predicted = await client.post(f"/predict/{OLD_BOARD}", json={"timestamp": 1, "value": 10.0})
        assert predicted.status_code == 200, predicted.text
    assert len(list((tmp_path / "models" / OLD_BOARD).glob("*.model.json"))) == 1


async def test_a_board_left_at_its_old_place_gives_the_name_back_to_the_series(
    sqlite_url: str, tmp_path: Path
) -> None:
    left = tmp_path / "models" / OLD_BOARD
    left.parent.mkdir(parents=True)
    left.write_bytes(bytes(65_536 * 8))  # as the previous release made it
    async with AsyncTestClient(app=create_app(file_settings(tmp_path, sqlite_url))) as client:
        fitted = await client.post(f"/fit/{OLD_BOARD}", json=SMALL)
        assert fitted.status_code == 200, fitted.text
    assert left.is_dir()
    assert (tmp_path / "models" / "+anomaly" / "series-changes").stat().st_size == 65_536 * 8


def test_no_series_can_be_named_like_the_folder_of_our_own_files() -> None:
    with pytest.raises(InvalidInput):
        SeriesId(INTERNAL_FOLDER)
