"""The .sgm model file: round trip, and every way a file can be refused."""

from __future__ import annotations

import io
import json
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synthgen_core as sg
from synthgen_core.errors import ModelFileError
from synthgen_core.io.model_file import (
    FORMAT_VERSION,
    MAGIC,
    ModelFileHeader,
    read_model_file,
    write_model_file,
)
from synthgen_core.models.base import Synthesizer


def _header(**state: object) -> ModelFileHeader:
    return ModelFileHeader(
        format_version=FORMAT_VERSION,
        model_type="gaussian_copula",
        synthgen_version="0.1.0",
        options={"seed": 1},
        metadata={"columns": []},
        state=dict(state),
        payload_sha256="",
        payload_bytes=0,
    )


def _arrays() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "correlation": rng.random((3, 3)),
        "codes": np.arange(5, dtype=np.int64),
        "weights": rng.random((2, 4)).astype(np.float32),
    }


def _rewrite_header(path: Path, edit) -> None:
    """Rewrite the JSON header through ``edit``, keeping the payload and checksum."""
    blob = path.read_bytes()
    start = len(MAGIC) + 8
    (length,) = struct.unpack_from("<Q", blob, len(MAGIC))
    header = json.loads(blob[start : start + length])
    edit(header)
    raw = json.dumps(header, separators=(",", ":")).encode()
    path.write_bytes(MAGIC + struct.pack("<Q", len(raw)) + raw + blob[start + length :])


def test_round_trip_keeps_header_and_arrays_exactly(tmp_path):
    path = tmp_path / "m.sgm"
    arrays = _arrays()
    write_model_file(path, _header(knots=[0.1, 0.2, 1 / 3]), arrays)
    header, loaded = read_model_file(path)
    assert header.state == {"knots": [0.1, 0.2, 1 / 3]}
    assert header.options == {"seed": 1}
    assert set(loaded) == set(arrays)
    for name, array in arrays.items():
        assert loaded[name].dtype == array.dtype
        assert np.array_equal(loaded[name], array)
    assert [p.name for p in tmp_path.iterdir()] == ["m.sgm"]  # no temporary file left


def test_a_newer_format_version_asks_for_an_upgrade(tmp_path):
    path = tmp_path / "m.sgm"
    write_model_file(path, _header(), _arrays())
    _rewrite_header(path, lambda h: h.update(format_version=FORMAT_VERSION + 1))
    with pytest.raises(ModelFileError, match="upgrade synthgen-core"):
        read_model_file(path)


def test_an_edited_payload_fails_the_checksum(tmp_path):
    path = tmp_path / "m.sgm"
    write_model_file(path, _header(), _arrays())
    blob = bytearray(path.read_bytes())
    blob[-3] ^= 0xFF
    path.write_bytes(bytes(blob))
    with pytest.raises(ModelFileError, match="checksum"):
        read_model_file(path)


def test_an_edited_header_value_fails_the_checksum(tmp_path):
    path = tmp_path / "m.sgm"
    write_model_file(path, _header(scale=1.0), _arrays())
    _rewrite_header(path, lambda h: h["state"].update(scale=1000.0))
    with pytest.raises(ModelFileError, match="checksum"):
        read_model_file(path)


@pytest.mark.parametrize("keep", [4, 12, 40, -10])
def test_a_truncated_file_is_refused(tmp_path, keep):
    path = tmp_path / "m.sgm"
    write_model_file(path, _header(), _arrays())
    blob = path.read_bytes()
    path.write_bytes(blob[:keep])
    with pytest.raises(ModelFileError):
        read_model_file(path)


def test_other_files_are_refused_with_a_reason(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ModelFileError, match="not a SynthGen model file"):
        read_model_file(path)
    with pytest.raises(ModelFileError, match="cannot read model file"):
        read_model_file(tmp_path / "absent.sgm")


def test_a_damaged_header_is_refused(tmp_path):
    path = tmp_path / "m.sgm"
    raw = b'{"format_version": 1, "model_type": '
    path.write_bytes(MAGIC + struct.pack("<Q", len(raw)) + raw)
    with pytest.raises(ModelFileError, match="damaged header"):
        read_model_file(path)


def _fitted() -> Synthesizer:
    table = pd.DataFrame(
        {"x": np.arange(200) % 7, "y": np.linspace(0, 1, 200), "c": ["a", "b"] * 100}
    )
    return sg.create("gaussian_copula", seed=0).fit(table)


def test_load_refuses_a_model_type_this_installation_lacks(tmp_path):
    path = tmp_path / "m.sgm"
    _fitted().save(path)
    header, arrays = read_model_file(path)
    header.model_type = "quantum_gan"
    write_model_file(path, header, arrays)
    with pytest.raises(ModelFileError, match="'quantum_gan'.*install the plugin"):
        sg.load(path)


def test_load_refuses_state_that_is_not_a_valid_model(tmp_path):
    path = tmp_path / "m.sgm"
    _fitted().save(path)
    header, arrays = read_model_file(path)
    arrays["correlation"] = arrays["correlation"][:2, :2].copy()
    write_model_file(path, header, arrays)
    with pytest.raises(ModelFileError, match="valid gaussian_copula model"):
        sg.load(path)


def test_a_model_saves_to_and_loads_from_an_open_binary_file(tmp_path):
    """A server's storage hands out streams: the same bytes and model as through a path."""
    model, path = _fitted(), tmp_path / "m.sgm"
    model.save(path, signing_key="k" * 16)
    stream = io.BytesIO()
    model.save(stream, signing_key="k" * 16)
    assert not stream.closed
    assert stream.getvalue() == path.read_bytes()
    stream.seek(0)
    loaded = sg.load(stream, signing_key="k" * 16)
    assert not stream.closed
    pd.testing.assert_frame_equal(loaded.sample(50, seed=3), sg.load(path).sample(50, seed=3))


def test_a_damaged_stream_is_refused_by_its_name(tmp_path):
    path = tmp_path / "m.sgm"
    _fitted().save(path)
    blob = path.read_bytes()
    with (tmp_path / "cut.sgm").open("wb") as handle:
        handle.write(blob[: len(blob) // 2])
    with (tmp_path / "cut.sgm").open("rb") as handle, pytest.raises(ModelFileError) as error:
        sg.load(handle)
    assert "cut.sgm" in str(error.value) and "truncated" in str(error.value)
    with pytest.raises(ModelFileError, match="<stream>.*not signed"):
        sg.load(io.BytesIO(blob), signing_key="k" * 16)
