"""Every error the library raises on purpose.

The tree, so callers can catch at the depth they care about::

    SynthGenError                 anything SynthGen refuses to do
    ├── DataError                 the table cannot be used as given (empty, bad column, ...)
    ├── ConfigError               a model option is unknown, mistyped or out of range
    │   └── ConfigOptionError     ... naming the option (``option``: ``constraints[0].low``)
    ├── ConstraintError           sampling could not meet the model's constraints in budget
    ├── ConditionError            conditional sampling asked for something impossible
    │                             (``column`` names the condition at fault, when one is)
    ├── NotFittedError            a model was used before ``fit``
    ├── TrainingError             training diverged (a loss became NaN or infinite)
    ├── ModelFileError            a model file is unreadable, tampered, truncated or too new
    └── MissingDependencyError    a feature needs an optional extra that is not installed

Messages name the column or option at fault *and* say how to fix it, because the
service shows them verbatim to users who never see a traceback.
"""

from __future__ import annotations


class SynthGenError(Exception):
    """Base of every deliberate SynthGen error."""


class DataError(SynthGenError, ValueError):
    """The input table (or a column of it) cannot be used as given."""


class ConfigError(SynthGenError, ValueError):
    """A model option is unknown, has the wrong type or an invalid value."""


class ConfigOptionError(ConfigError):
    """A :class:`ConfigError` about one named option, so the service can point at it."""

    def __init__(self, message: str, *, option: str) -> None:
        super().__init__(message)
        self.option = option


class ConstraintError(SynthGenError, ValueError):
    """Sampling drew its whole budget of rows without enough that meet the constraints."""


class ConditionError(SynthGenError, ValueError):
    """Conditional sampling cannot produce rows that satisfy the conditions.

    ``column`` names the condition at fault, so the service can point at
    ``conditions.<column>``; it is ``None`` when no single condition is to blame.
    """

    def __init__(self, message: str, *, column: str | None = None) -> None:
        super().__init__(message)
        self.column = column


class NotFittedError(SynthGenError, RuntimeError):
    """A model was asked to sample or save before it was fitted."""


class TrainingError(SynthGenError, RuntimeError):
    """Training diverged, so the fitted weights would be useless."""


class ModelFileError(SynthGenError, OSError):
    """A model file cannot be loaded safely."""


class MissingDependencyError(SynthGenError, ImportError):
    """A feature needs an optional extra (``plots``, ``service``) that is not installed."""


__all__ = [
    "ConditionError",
    "ConfigError",
    "ConfigOptionError",
    "ConstraintError",
    "DataError",
    "MissingDependencyError",
    "ModelFileError",
    "NotFittedError",
    "SynthGenError",
    "TrainingError",
]
