"""SynthGen: synthetic tabular data that keeps the statistics of a real table.

>>> import synthgen_core as sg
>>> model = sg.create("gaussian_copula", seed=7).fit(df)      # doctest: +SKIP
>>> synthetic = model.sample(1_000, conditions={"sex": "Female"})  # doctest: +SKIP
>>> older = model.sample(1_000, conditions={"age": sg.Range(min=60)})  # doctest: +SKIP
>>> model.save("model.sgm"); again = sg.load("model.sgm")      # doctest: +SKIP

The model classes and ``evaluate`` are imported on first access, so ``import synthgen_core``
stays light (no PyTorch, no scikit-learn); ``create`` and ``load`` import only the class
they need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from synthgen_core import errors
from synthgen_core._version import __version__
from synthgen_core.constraints import suggest_constraints
from synthgen_core.errors import (
    ConditionError,
    ConfigError,
    ConstraintError,
    DataError,
    ModelFileError,
    NotFittedError,
    SynthGenError,
    TrainingError,
)
from synthgen_core.metadata import Metadata
from synthgen_core.models.load import load
from synthgen_core.models.registry import MODEL_TYPES, create
from synthgen_core.ranges import Range

if TYPE_CHECKING:
    from synthgen_core.evaluation import evaluate
    from synthgen_core.models.autoregressive.model import Autoregressive
    from synthgen_core.models.copulagan import CopulaGAN
    from synthgen_core.models.ctgan.model import CTGAN
    from synthgen_core.models.gaussian_copula.model import GaussianCopula
    from synthgen_core.models.tvae.model import TVAE

#: Public class name -> model type id in the registry.
_MODEL_CLASSES = {
    "GaussianCopula": "gaussian_copula",
    "CTGAN": "ctgan",
    "CopulaGAN": "copulagan",
    "TVAE": "tvae",
    "Autoregressive": "autoregressive",
}


def __getattr__(name: str) -> Any:
    if name in _MODEL_CLASSES:
        from synthgen_core.models.registry import model_class

        return model_class(_MODEL_CLASSES[name])
    if name == "evaluate":  # the report pulls in scikit-learn: load it on first use
        from synthgen_core.evaluation import evaluate

        return evaluate
    raise AttributeError(f"module 'synthgen_core' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "CTGAN",
    "MODEL_TYPES",
    "TVAE",
    "Autoregressive",
    "ConditionError",
    "ConfigError",
    "ConstraintError",
    "CopulaGAN",
    "DataError",
    "GaussianCopula",
    "Metadata",
    "ModelFileError",
    "NotFittedError",
    "Range",
    "SynthGenError",
    "TrainingError",
    "__version__",
    "create",
    "errors",
    "evaluate",
    "load",
    "suggest_constraints",
]
