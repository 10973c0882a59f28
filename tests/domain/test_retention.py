"""Retention: which of a series' versions the sweep may delete."""

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anomaly.domain.errors import InvalidInput
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.retention import Retention
from tests.support.versions import CREATED, make_version

DAY = timedelta(days=1)


def versions(ages_in_days: list[int]) -> list[ModelVersion]:
    """Newest first: version n is `ages_in_days[-n]` days old."""
    count = len(ages_in_days)
    return [
        replace(make_version("cpu", count - index), created_at=CREATED - age * DAY)
        for index, age in enumerate(ages_in_days)
    ]


def numbers(expired: list[ModelVersion]) -> list[int]:
    return [version.version for version in expired]


def test_without_a_rule_every_version_is_kept() -> None:
    assert Retention().expired(versions([0, 10, 400]), CREATED) == []


def test_only_the_newest_few_are_kept() -> None:
    assert numbers(Retention(keep_newest=2).expired(versions([0, 1, 2, 3]), CREATED)) == [2, 1]


def test_only_the_recent_ones_are_kept() -> None:
    kept_for_a_week = Retention(keep_younger_than=7 * DAY)
    assert numbers(kept_for_a_week.expired(versions([0, 6, 7, 30]), CREATED)) == [2, 1]


def test_with_both_rules_a_version_either_one_keeps_stays() -> None:
    both = Retention(keep_newest=2, keep_younger_than=7 * DAY)
    # versions 5..1, aged 0, 20, 3, 30, 40 days: 5 and 4 are the newest two, 3 is recent.
    assert numbers(both.expired(versions([0, 20, 3, 30, 40]), CREATED)) == [2, 1]


def test_the_newest_version_is_kept_however_old() -> None:
    assert numbers(Retention(keep_younger_than=DAY).expired(versions([100, 200]), CREATED)) == [1]


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"keep_newest": 0}, "keep_newest"),
        ({"keep_younger_than": timedelta(0)}, "keep_younger_than"),
    ],
)
def test_a_rule_that_would_keep_nothing_is_refused(rule: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        Retention(**rule)  # type: ignore[arg-type]
    assert raised.value.field == field


@given(st.lists(st.integers(0, 1000), min_size=1, max_size=30), st.integers(1, 10))
def test_the_expired_versions_are_the_oldest_beyond_the_newest_n(ages: list[int], keep: int) -> None:
    listed = versions(ages)
    expired = Retention(keep_newest=keep).expired(listed, CREATED)
    assert expired == listed[keep:]
