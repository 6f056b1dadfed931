"""Loading a model file without knowing its model type in advance.

The header names the model type; the registry finds its class (a plugin's too), and the
class rebuilds itself from the header and the arrays. Nothing in the file is executed.
"""

from __future__ import annotations

import os

from synthgen_core.errors import ConfigError, ModelFileError
from synthgen_core.io.model_file import read_model_file
from synthgen_core.models.base import Synthesizer
from synthgen_core.models.registry import model_class


def load(path: str | os.PathLike[str]) -> Synthesizer:
    """The fitted model saved at ``path`` by :meth:`Synthesizer.save`."""
    header, arrays = read_model_file(path)
    try:
        cls = model_class(header.model_type)
    except ConfigError:
        raise ModelFileError(
            f"model file {str(path)!r} holds a {header.model_type!r} model, which this "
            "installation does not provide; install the plugin that defines it"
        ) from None
    try:
        return cls._from_file(header, arrays)
    except ConfigError as error:
        raise ModelFileError(
            f"model file {str(path)!r} has options this SynthGen refuses ({error}); "
            "save the model again with this version"
        ) from None
