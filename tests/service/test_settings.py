from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from synthgen_service.settings import DEFAULT_MAX_UPLOAD_BYTES, Settings


def test_defaults_are_embedded_and_documented():
    settings = Settings.from_env({})
    assert settings.data_dir == Path("data")
    assert settings.redis_url is None
    assert settings.database_url is None
    assert settings.port == 8888
    assert settings.max_upload_bytes == DEFAULT_MAX_UPLOAD_BYTES == 500 * 1024 * 1024
    assert settings.max_generate_rows == 10_000_000


def test_sqlite_file_lives_in_the_data_dir(tmp_path):
    url = Settings(data_dir=tmp_path).resolved_database_url
    assert url == f"sqlite+aiosqlite:///{tmp_path.resolve()}/synthgen.db"


def test_from_env_reads_every_variable(tmp_path):
    settings = Settings.from_env(
        {
            "SYNTHGEN_DATA_DIR": str(tmp_path),
            "SYNTHGEN_DATABASE_URL": "postgresql+asyncpg://u@h/db",
            "SYNTHGEN_REDIS_URL": "redis://h:6379/1",
            "MAX_DATASET_UPLOAD_BYTES": "1024",
            "SYNTHGEN_MAX_GENERATE_ROWS": "50",
            "SYNTHGEN_PORT": "9000",
            "SYNTHGEN_HOST": "0.0.0.0",
            "UNRELATED": "x",
        }
    )
    assert settings.data_dir == tmp_path
    assert settings.resolved_database_url == "postgresql+asyncpg://u@h/db"
    assert settings.redis_url == "redis://h:6379/1"
    assert (settings.max_upload_bytes, settings.max_generate_rows) == (1024, 50)
    assert (settings.host, settings.port) == ("0.0.0.0", 9000)


def test_invalid_values_name_the_setting():
    with pytest.raises(msgspec.ValidationError, match="port"):
        Settings.from_env({"SYNTHGEN_PORT": "eighty"})
    with pytest.raises(msgspec.ValidationError, match="max_upload_bytes"):
        Settings.from_env({"MAX_DATASET_UPLOAD_BYTES": "0"})


def test_training_limits_have_defaults_and_variables():
    defaults = Settings.from_env({})
    assert defaults.max_training_seconds == 6 * 3600
    assert defaults.max_training_jobs_per_owner == 4
    assert (defaults.max_model_parameters, defaults.max_training_memory_bytes) == (
        200_000_000,
        8 * 1024**3,
    )
    settings = Settings.from_env(
        {
            "SYNTHGEN_MAX_MODEL_PARAMETERS": "1000",
            "SYNTHGEN_MAX_TRAINING_MEMORY_BYTES": "2048",
            "SYNTHGEN_MAX_TRAINING_SECONDS": "90.5",
            "SYNTHGEN_MAX_TRAINING_JOBS_PER_OWNER": "1",
        }
    )
    assert (settings.max_model_parameters, settings.max_training_memory_bytes) == (1000, 2048)
    assert (settings.max_training_seconds, settings.max_training_jobs_per_owner) == (90.5, 1)
    with pytest.raises(msgspec.ValidationError, match="max_training_seconds"):
        Settings.from_env({"SYNTHGEN_MAX_TRAINING_SECONDS": "0"})
