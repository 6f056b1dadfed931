"""Signed model files: a keyed HMAC that an edited, re-checksummed file cannot carry."""

from __future__ import annotations

import hashlib
import json
import struct

import numpy as np
import pandas as pd
import pytest

import synthgen_core as sg
from synthgen_core.errors import ConfigError, ModelFileError
from synthgen_core.io.model_file import MAGIC
from synthgen_core.models.base import Synthesizer
from tests.core.io.forging import rewrite, split

KEY = b"k" * 32


@pytest.fixture(scope="module")
def model() -> Synthesizer:
    table = pd.DataFrame({"x": np.arange(300) % 11, "y": np.linspace(0, 1, 300)})
    return sg.create("gaussian_copula", seed=0).fit(table)


def test_a_signed_file_loads_with_its_key_and_samples_the_same(model, tmp_path):
    path = tmp_path / "m.sgm"
    model.save(path, signing_key=KEY)
    loaded = sg.load(path, signing_key=KEY)
    pd.testing.assert_frame_equal(loaded.sample(100, seed=3), model.sample(100, seed=3))
    assert sg.load(path, signing_key=KEY.decode()).is_fitted  # a str key is its UTF-8 bytes
    assert sg.load(path).is_fitted  # the signature is only checked when a key is given


def test_a_tampered_file_with_a_recomputed_checksum_is_refused_with_the_key(model, tmp_path):
    path = tmp_path / "m.sgm"
    model.save(path, signing_key=KEY)

    def weaken(arrays: dict[str, np.ndarray]) -> None:  # still a valid correlation matrix
        arrays["correlation"] = (arrays["correlation"] + np.eye(2)) / 2

    rewrite(path, edit_arrays=weaken)
    assert sg.load(path).is_fitted  # the checksum alone cannot tell
    with pytest.raises(ModelFileError, match="invalid signature"):
        sg.load(path, signing_key=KEY)


def test_a_header_edit_keeping_the_old_signature_is_refused(model, tmp_path):
    path = tmp_path / "m.sgm"
    model.save(path, signing_key=KEY)
    rewrite(path, edit_header=lambda header: header["options"].update(seed=1))
    assert sg.load(path).options["seed"] == 1
    with pytest.raises(ModelFileError, match="invalid signature"):
        sg.load(path, signing_key=KEY)


def test_unsigned_and_other_key_files_are_refused_when_a_key_is_given(model, tmp_path):
    unsigned, other = tmp_path / "unsigned.sgm", tmp_path / "other.sgm"
    model.save(unsigned)
    model.save(other, signing_key=b"another key of the same length!!")
    with pytest.raises(ModelFileError, match="not signed"):
        sg.load(unsigned, signing_key=KEY)
    with pytest.raises(ModelFileError, match="invalid signature.*another key"):
        sg.load(other, signing_key=KEY)


@pytest.mark.parametrize("key", [b"", "", "password", b"x" * 15])
def test_a_short_key_is_refused_when_saving_and_loading(model, tmp_path, key):
    path = tmp_path / "m.sgm"
    with pytest.raises(ConfigError, match="signing_key has .* bytes, fewer than 16"):
        model.save(path, signing_key=key)
    assert not path.exists()
    model.save(path, signing_key=KEY)
    with pytest.raises(ConfigError, match="openssl rand"):
        sg.load(path, signing_key=key)


def test_a_format_1_file_still_loads_unsigned(model, tmp_path):
    """Files written before the signature field existed: format 1, no ``signature``."""
    path = tmp_path / "m.sgm"
    model.save(path)
    header, payload = split(path.read_bytes())
    del header["signature"]
    header["format_version"] = 1
    header["payload_sha256"] = ""
    blank = json.dumps(header, separators=(",", ":")).encode()
    header["payload_sha256"] = hashlib.sha256(blank + payload).hexdigest()
    raw = json.dumps(header, separators=(",", ":")).encode()
    path.write_bytes(MAGIC + struct.pack("<Q", len(raw)) + raw + payload)
    assert sg.load(path).sample(10, seed=0).shape == (10, 2)
    with pytest.raises(ModelFileError, match="not signed"):
        sg.load(path, signing_key=KEY)
