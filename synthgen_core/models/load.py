"""Loading a model file without knowing its model type in advance.

The header names the model type; the registry finds its class (a plugin's too), and the
class rebuilds itself from the header and the arrays. Nothing in the file is executed.

A file can be damaged, or crafted, in ways no checksum sees (its author computes a new
one). So whatever goes wrong while rebuilding the model is reported as a
:class:`ModelFileError` naming the defect, and the rebuilt model draws a few rows before it
is handed out: a file that loads is a model that samples.
"""

from __future__ import annotations

from synthgen_core.errors import ConfigError, ModelFileError
from synthgen_core.io.model_file import (
    ModelFileHeader,
    ModelFileTarget,
    SigningKey,
    read_model_file,
    source_name,
)
from synthgen_core.models.base import Arrays, Synthesizer
from synthgen_core.models.registry import model_class

#: Rows drawn to check a loaded model: enough to touch every column's decoder.
CHECK_ROWS = 16


def load(source: ModelFileTarget, *, signing_key: SigningKey | None = None) -> Synthesizer:
    """The fitted model saved by :meth:`Synthesizer.save` at a path or in an open binary file.

    A file object is read to its end and left open, so a server can load a model from the
    stream its storage hands out without a local copy. With ``signing_key``, only a file
    signed with that key is loaded (see :mod:`synthgen_core.io.model_file`).
    """
    header, arrays = read_model_file(source, signing_key=signing_key)
    name = source_name(source)
    try:
        cls = model_class(header.model_type)
    except ConfigError:
        raise ModelFileError(
            f"model file {name!r} holds a {header.model_type!r} model, which this "
            "installation does not provide; install the plugin that defines it"
        ) from None
    return _restore(cls, header, arrays, name)


def _restore(
    cls: type[Synthesizer], header: ModelFileHeader, arrays: Arrays, name: str
) -> Synthesizer:
    """Rebuild and try the model; any failure names the file and what was wrong."""
    try:
        model = cls._from_file(header, arrays)
        model.sample(CHECK_ROWS, seed=0)
    except ModelFileError:
        raise
    except ConfigError as error:
        raise ModelFileError(
            f"model file {name!r} has options this SynthGen refuses ({error}); "
            "save the model again with this version"
        ) from None
    # Anything else (a KeyError, a LinAlgError, a RecursionError...) is a defect of the file.
    except Exception as error:
        reason = (str(error).splitlines() or [""])[0] or type(error).__name__
        raise ModelFileError(
            f"model file {name!r} does not hold a valid {cls.model_type} model ({reason}); "
            "save the model again"
        ) from None
    return model
