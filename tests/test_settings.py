"""Settings come from the environment once; every accepted spelling works, every bad value is named."""

from pathlib import Path

import pytest

from anomaly.settings import DEFAULT_DATABASE_URL, Settings, SettingsError, normalise_database_url


def test_defaults_are_the_embedded_database_and_local_folders() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == DEFAULT_DATABASE_URL == "sqlite+aiosqlite:///./data/anomaly.db"
    assert settings.min_training_data_points == 3
    assert settings.max_training_data_points == 1_000_000
    assert settings.model_state_folder == Path("./data/models")
    assert settings.training_data_folder == Path("./data/data")
    # A million points of JSON fit under the default body limit.
    assert settings.max_request_body_bytes >= 1_000_000 * 48


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql+asyncpg://u:p@h:5432/db", "postgresql+asyncpg://u:p@h:5432/db"),
        ("postgresql://u:p@h:5432/db", "postgresql+asyncpg://u:p@h:5432/db"),
        ("postgresql+psycopg2://u:p@h/db", "postgresql+asyncpg://u:p@h/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite:///./x.db", "sqlite+aiosqlite:///./x.db"),
        ("sqlite+aiosqlite:////abs/x.db", "sqlite+aiosqlite:////abs/x.db"),
    ],
)
def test_database_urls_are_normalised_to_async_drivers(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected
    assert Settings.from_env({"DATABASE_URL": given}).database_url == expected


def test_every_setting_is_read_from_its_variable() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://u@h/db",
            "MIN_TRAINING_DATA_POINTS": "5",
            "MAX_TRAINING_DATA_POINTS": "100",
            "MODEL_STATE_FOLDER": "/srv/models",
            "TRAINING_DATA_FOLDER": "/srv/data",
            "MAX_REQUEST_BODY_BYTES": "4096",
            "DATABASE_POOL_SIZE": "3",
            "DATABASE_TIMEOUT_SECONDS": "1.5",
            "RETAIN_VERSIONS": "10",
            "RETAIN_DAYS": "7.5",
        }
    )
    assert settings == Settings(
        database_url="postgresql+asyncpg://u@h/db",
        min_training_data_points=5,
        max_training_data_points=100,
        model_state_folder=Path("/srv/models"),
        training_data_folder=Path("/srv/data"),
        max_request_body_bytes=4096,
        database_pool_size=3,
        database_timeout_seconds=1.5,
        retain_versions=10,
        retain_days=7.5,
    )


def test_the_body_limit_follows_the_point_limit() -> None:
    small = Settings.from_env({"MAX_TRAINING_DATA_POINTS": "1000"})
    large = Settings.from_env({"MAX_TRAINING_DATA_POINTS": "2000000"})
    assert small.max_request_body_bytes < Settings.from_env({}).max_request_body_bytes
    assert large.max_request_body_bytes >= 2_000_000 * 48


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://root@localhost/db"),
        ("DATABASE_URL", "not a url"),
        ("MIN_TRAINING_DATA_POINTS", "three"),
        ("MIN_TRAINING_DATA_POINTS", "0"),
        ("MAX_TRAINING_DATA_POINTS", "2"),
        ("MAX_REQUEST_BODY_BYTES", "-1"),
        ("DATABASE_POOL_SIZE", "0"),
        ("DATABASE_TIMEOUT_SECONDS", "nan"),
        ("DATABASE_TIMEOUT_SECONDS", "inf"),
        ("DATABASE_TIMEOUT_SECONDS", "0"),
        ("RETAIN_VERSIONS", "0"),
        ("RETAIN_VERSIONS", "ten"),
        ("RETAIN_DAYS", "0"),
        ("RETAIN_DAYS", "-1"),
    ],
)
def test_a_bad_value_is_refused_naming_its_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_a_refused_url_never_echoes_its_password() -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"DATABASE_URL": "mysql://admin:s3cret@db/prod"})
    assert "s3cret" not in str(raised.value)


def test_libpq_sslmode_becomes_asyncpgs_ssl() -> None:
    url = Settings.from_env({"DATABASE_URL": "postgresql://u:p@h/db?sslmode=require&application_name=x"})
    assert url.database_url == "postgresql+asyncpg://u:p@h/db?ssl=require&application_name=x"


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite+aiosqlite://"])
def test_an_in_memory_sqlite_database_is_refused(url: str) -> None:
    with pytest.raises(SettingsError, match="DATABASE_URL: an in-memory SQLite database"):
        Settings.from_env({"DATABASE_URL": url})


def test_api_keys_come_from_the_variable_or_a_file_it_names(tmp_path: Path) -> None:
    inline = Settings.from_env({"ANOMALY_API_KEYS": "aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb:team-a."})
    assert inline.api_keys == (("aaaaaaaaaaaaaaaa", None), ("bbbbbbbbbbbbbbbb", "team-a."))
    keys = tmp_path / "keys"
    keys.write_text("# operators\naaaaaaaaaaaaaaaa\nbbbbbbbbbbbbbbbb:team-a.  # team A\n")
    assert Settings.from_env({"ANOMALY_API_KEYS": f"@{keys}"}).api_keys == inline.api_keys
    assert "aaaaaaaaaaaaaaaa" not in repr(inline)


@pytest.mark.parametrize(
    "value",
    ["too-short", "aaaaaaaaaaaaaaaa:bad/prefix", "aaaaaaaaaaaaaaaa aaaaaaaaaaaaaaaa", "@/nonexistent/keys"],
)
def test_bad_api_keys_are_refused_without_echoing_them(value: str) -> None:
    with pytest.raises(SettingsError, match="ANOMALY_API_KEYS") as raised:
        Settings.from_env({"ANOMALY_API_KEYS": value})
    assert "aaaaaaaaaaaaaaaa" not in str(raised.value)
