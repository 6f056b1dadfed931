"""What the service log says about an unexpected error: the classes, never the message."""

from __future__ import annotations

import sqlalchemy.exc

from synthgen_service.errors import _error_name


class DeadlockDetectedError(Exception):
    """Stands for the driver's error class (asyncpg's carries ``sqlstate``)."""

    sqlstate = "40P01"


def test_a_database_error_is_logged_with_the_drivers_class_and_sqlstate() -> None:
    driver = DeadlockDetectedError("row holds the secret value 'Zürich'")
    error = sqlalchemy.exc.DBAPIError("DELETE FROM models", {}, driver)
    name = _error_name(error)
    assert name == "DBAPIError (DeadlockDetectedError, SQLSTATE 40P01)"
    assert "Zürich" not in name


def test_other_errors_are_logged_by_their_class() -> None:
    assert _error_name(ValueError("cell value 42")) == "ValueError"
