"""``sg.load`` on damaged and crafted files, for every model type: a ModelFileError or a
model that samples, never anything else.

Valid files of each type are mutated the ways a disk, a network or an attacker would: bytes
flipped, the file cut short, header values replaced, JSON nested 10,000 deep, weights made
NaN or infinite, reshaped, recast or removed. Every mutation but the first two comes with a
recomputed checksum, so the checksum alone cannot be what refuses it.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors.numpy import load as load_arrays

import synthgen_core as sg
from synthgen_core.errors import ModelFileError
from tests.core.io.forging import forge, split
from tests.core.models.test_contract import MODEL_TYPES, _options

FUZZ = settings(
    max_examples=25,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def valid_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """One saved model per type, fitted on a slice of the demo table."""
    with resources.as_file(resources.files("synthgen_core") / "data" / "demo.csv") as path:
        table = pd.read_csv(path).head(300)
    folder = tmp_path_factory.mktemp("valid")
    files = {}
    for model_type in MODEL_TYPES:
        target = folder / f"{model_type}.sgm"
        sg.create(model_type, **_options(model_type, seed=0)).fit(table).save(target)
        files[model_type] = target.read_bytes()
    return files


def _load_outcome(path: Path) -> str:
    """Load ``path``: only a ModelFileError may escape, and a loaded model must sample."""
    try:
        model = sg.load(path)
    except ModelFileError as error:
        message = str(error)
        return "refused" if message.startswith(("model file", f"{str(path)!r}")) else message
    frame = model.sample(50, seed=1)
    assert len(frame) == 50
    return "loaded"


@pytest.mark.parametrize("model_type", MODEL_TYPES)
def test_the_unmodified_files_load_and_sample(valid_files, tmp_path, model_type):
    header, payload = split(valid_files[model_type])
    path = tmp_path / "m.sgm"
    path.write_bytes(valid_files[model_type])
    assert _load_outcome(path) == "loaded"
    path.write_bytes(forge(header, payload))  # the forger writes files the reader accepts
    assert _load_outcome(path) == "loaded"


def _refused(path: Path, blob: bytes) -> None:
    path.write_bytes(blob)
    with pytest.raises(ModelFileError) as caught:
        sg.load(path)
    assert type(caught.value) is ModelFileError


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every position (a key path) inside a JSON value, the value itself included."""
    found = [prefix]
    items: Any = ()
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    for key, child in items:
        found.extend(_paths(child, (*prefix, key)))
    return found


def _replace(header: dict[str, Any], at: tuple[Any, ...], value: Any) -> None:
    target: Any = header
    for key in at[:-1]:
        target = target[key]
    target[at[-1]] = value


@pytest.mark.parametrize("model_type", MODEL_TYPES)
@pytest.mark.parametrize("seed", range(8))
def test_flipped_bytes_and_truncations_are_refused(valid_files, tmp_path, model_type, seed):
    blob = valid_files[model_type]
    rng = np.random.default_rng(seed)
    path = tmp_path / "m.sgm"
    for _ in range(10):
        flipped = bytearray(blob)
        at = rng.choice(len(blob), size=rng.integers(1, 5), replace=False)
        for position, mask in zip(at, rng.integers(1, 256, at.size), strict=True):
            flipped[position] ^= int(mask)
        path.write_bytes(bytes(flipped))
        assert _load_outcome(path) == "refused", at
        path.write_bytes(blob[: rng.integers(0, len(blob))])
        assert _load_outcome(path) == "refused"


@pytest.mark.parametrize("model_type", MODEL_TYPES)
@settings(FUZZ, max_examples=60)
@given(data=st.data())
def test_header_values_replaced_with_a_valid_checksum(valid_files, tmp_path, model_type, data):
    header, payload = split(valid_files[model_type])
    fields = {k: v for k, v in header.items() if k not in ("payload_sha256", "signature")}
    at = data.draw(st.sampled_from([p for p in _paths(fields) if p]))
    _replace(header, at, data.draw(JSON_VALUES))
    path = tmp_path / "m.sgm"
    path.write_bytes(forge(header, payload))
    assert _load_outcome(path) in {"refused", "loaded"}


@pytest.mark.parametrize("model_type", MODEL_TYPES)
@pytest.mark.parametrize("field", ["options", "metadata", "state", "model_type", "deepest"])
def test_nesting_ten_thousand_deep_is_refused(valid_files, tmp_path, model_type, field):
    header, payload = split(valid_files[model_type])
    at = max(_paths(header["state"]), key=len) if field == "deepest" else ()
    _replace(header, ("state", *at) if field == "deepest" else (field,), "DEEP")
    deep = b"[" * 10_000 + b"0" + b"]" * 10_000
    _refused(tmp_path / "m.sgm", forge(header, payload, splice={"DEEP": deep}))


def _float_arrays(blob: bytes) -> dict[str, np.ndarray]:
    arrays = load_arrays(split(blob)[1])
    return {name: a for name, a in arrays.items() if a.dtype.kind == "f" and a.size}


@pytest.mark.parametrize("model_type", MODEL_TYPES)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_weights_are_refused(valid_files, tmp_path, model_type, bad):
    blob = valid_files[model_type]
    for name, array in _float_arrays(blob).items():
        header, payload = split(blob)
        arrays = load_arrays(payload)
        poisoned = array.copy()
        poisoned.flat[poisoned.size // 2] = bad
        arrays[name] = poisoned
        path = tmp_path / "m.sgm"
        path.write_bytes(forge(header, arrays))
        with pytest.raises(ModelFileError, match=f"NaN or infinite values in tensor '{name}'"):
            sg.load(path)


RESHAPES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "one element less": lambda a: a.reshape(-1)[:-1],
    "one row more": lambda a: np.concatenate([a, a[:1]]) if a.ndim else a.reshape(1),
    "flattened to 1-D": lambda a: a.reshape(-1) if a.ndim > 1 else a.reshape(1, -1),
    "empty": lambda a: a.reshape(-1)[:0],
}


@pytest.mark.parametrize("model_type", MODEL_TYPES)
@pytest.mark.parametrize("reshape", RESHAPES, ids=str)
def test_mis_shaped_tensors_are_refused(valid_files, tmp_path, model_type, reshape):
    blob = valid_files[model_type]
    header, payload = split(blob)
    for name, array in load_arrays(payload).items():
        if array.size <= 1 and reshape != "one row more":
            continue
        arrays = load_arrays(payload)
        arrays[name] = np.ascontiguousarray(RESHAPES[reshape](array))
        path = tmp_path / "m.sgm"
        path.write_bytes(forge(header, arrays))
        assert _load_outcome(path) == "refused", name


@pytest.mark.parametrize("model_type", MODEL_TYPES)
def test_missing_tensors_are_refused(valid_files, tmp_path, model_type):
    header, payload = split(valid_files[model_type])
    for name in load_arrays(payload):
        arrays = load_arrays(payload)
        del arrays[name]
        path = tmp_path / "m.sgm"
        path.write_bytes(forge(header, arrays))
        assert _load_outcome(path) == "refused", name


@pytest.mark.parametrize("model_type", MODEL_TYPES)
@pytest.mark.parametrize("dtype", ["int8", "bool", "float16"])
def test_recast_tensors_load_or_are_refused(valid_files, tmp_path, model_type, dtype):
    header, payload = split(valid_files[model_type])
    for name in load_arrays(payload):
        arrays = load_arrays(payload)
        arrays[name] = arrays[name].astype(dtype)
        path = tmp_path / "m.sgm"
        path.write_bytes(forge(header, arrays))
        assert _load_outcome(path) in {"refused", "loaded"}


@pytest.mark.parametrize("model_type", MODEL_TYPES)
@pytest.mark.parametrize(
    "forgery",
    [
        "header length beyond the file",
        "payload_bytes beyond the file",
        "negative payload_bytes",
        "safetensors header length beyond the payload",
        "tensor extending beyond the payload",
        "garbage payload",
    ],
)
def test_huge_or_wrong_declared_sizes_are_refused(valid_files, tmp_path, model_type, forgery):
    blob = valid_files[model_type]
    header, payload = split(blob)
    if forgery == "header length beyond the file":
        forged = blob[:8] + (2**64 - 1).to_bytes(8, "little") + blob[16:]
    elif forgery.endswith("payload_bytes beyond the file") or forgery == "negative payload_bytes":
        raw = forge(header, payload)
        size = -1 if forgery.startswith("negative") else 2**62
        forged = raw.replace(b'"payload_bytes":%d' % len(payload), b'"payload_bytes":%d' % size)
    elif forgery == "safetensors header length beyond the payload":
        forged = forge(header, (2**63).to_bytes(8, "little") + payload[8:])
    elif forgery == "tensor extending beyond the payload":
        forged = forge(header, payload[:-4])
    else:
        forged = forge(header, b"\x00" * 64)
    _refused(tmp_path / "m.sgm", forged)


def test_bad_metadata_is_a_model_file_error(valid_files, tmp_path):
    header, payload = split(valid_files["gaussian_copula"])
    header["metadata"]["columns"][0]["kind"] = "hologram"
    _refused(tmp_path / "m.sgm", forge(header, payload))


def test_options_that_are_no_keyword_are_a_model_file_error(valid_files, tmp_path):
    header, payload = split(valid_files["tvae"])
    header["options"]["self"] = 1
    _refused(tmp_path / "m.sgm", forge(header, payload))


def test_a_correlation_that_is_not_positive_definite_is_refused(valid_files, tmp_path):
    header, payload = split(valid_files["gaussian_copula"])
    arrays = load_arrays(payload)
    size = arrays["correlation"].shape[0]
    arrays["correlation"] = np.full((size, size), -0.9) + np.eye(size) * 1.9
    path = tmp_path / "m.sgm"
    path.write_bytes(forge(header, arrays))
    with pytest.raises(ModelFileError, match="not positive definite"):
        sg.load(path)


@pytest.mark.parametrize(
    ("dims", "message"),
    [
        ([64], r"'decoder\.body\.0\.weight' has shape \(32, 16\), the network needs \(64, 16\)"),
        ([16_384] * 16, r"weight 'decoder\.body\.\d+\.\w+' is missing"),
    ],
)
def test_options_declaring_another_network_are_refused_naming_the_weight(
    valid_files, tmp_path, dims, message
):
    header, payload = split(valid_files["tvae"])
    header["options"]["decompress_dims"] = dims  # the weights are for [32]
    path = tmp_path / "m.sgm"
    path.write_bytes(forge(header, payload))
    with pytest.raises(ModelFileError, match=message):
        sg.load(path)
