"""The contract every registered model keeps (scikit-learn's estimator checks, our way).

One suite, parametrized over :func:`registry.model_types`, so a new model type (a plugin
too) is checked the moment it registers. Neural models train for one tiny epoch: the suite
checks the contract, not quality.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import pytest

import synthgen_core as sg
from synthgen_core.errors import (
    ConditionError,
    ConfigError,
    DataError,
    ModelFileError,
    NotFittedError,
)
from synthgen_core.io.model_file import read_model_file, write_model_file
from synthgen_core.models import registry
from synthgen_core.models.base import Synthesizer

#: Options that make any neural model train in a blink; only those a type accepts are used.
TINY = {
    "epochs": 1,
    "batch_size": 100,
    "device": "cpu",
    "embedding_dim": 16,
    "generator_dim": [32],
    "discriminator_dim": [32],
    "compress_dims": [32],
    "decompress_dims": [32],
    "max_epochs": 1,
    "width": 16,
    "depth": 1,
    "heads": 2,
}
MODEL_TYPES = [info.id for info in registry.model_types()]


def _model_class(model_type: str) -> type[Synthesizer]:
    try:
        return registry.model_class(model_type)
    except (ImportError, AttributeError) as error:
        pytest.skip(f"{model_type} is not importable yet: {error}")


def _options(model_type: str, **extra: Any) -> dict[str, Any]:
    fields = _model_class(model_type).config_type.__struct_fields__
    return {key: value for key, value in TINY.items() if key in fields} | extra


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    with resources.as_file(resources.files("synthgen_core") / "data" / "demo.csv") as path:
        return pd.read_csv(path)


@pytest.fixture(scope="module", params=MODEL_TYPES)
def model_type(request: pytest.FixtureRequest) -> str:
    _model_class(request.param)
    return str(request.param)


@pytest.fixture(scope="module")
def fitted(model_type: str, demo: pd.DataFrame) -> Synthesizer:
    return sg.create(model_type, **_options(model_type, seed=0)).fit(demo)


def test_sample_keeps_columns_order_dtypes_and_unique_ids(fitted, demo):
    synthetic = fitted.sample(300, seed=0)
    assert len(synthetic) == 300
    assert list(synthetic.columns) == list(demo.columns)
    assert synthetic.dtypes.to_dict() == demo.dtypes.to_dict()
    assert synthetic["customer_id"].is_unique
    assert set(synthetic["plan"]) <= set(demo["plan"])


def test_zero_rows_is_an_empty_frame_with_the_columns(fitted, demo):
    empty = fitted.sample(0, seed=0)
    assert empty.empty
    assert list(empty.columns) == list(demo.columns)


@pytest.mark.parametrize("num_rows", [-1, 2.5, "10", True])
def test_invalid_row_counts_are_data_errors(fitted, num_rows):
    with pytest.raises(DataError, match="num_rows"):
        fitted.sample(num_rows)


def test_same_seed_same_frame_other_seed_other_frame(fitted):
    pd.testing.assert_frame_equal(fitted.sample(200, seed=5), fitted.sample(200, seed=5))
    assert not fitted.sample(200, seed=5).equals(fitted.sample(200, seed=6))


def test_fit_returns_the_model_and_the_config_seed_makes_it_reproducible(model_type, demo):
    model = sg.create(model_type, **_options(model_type, seed=3))
    assert not model.is_fitted
    assert model.fit(demo) is model
    assert model.is_fitted
    assert model.options == _options(model_type, seed=3)  # stored as given
    again = sg.create(model_type, **_options(model_type, seed=3)).fit(demo)
    pd.testing.assert_frame_equal(model.sample(100), again.sample(100))


def test_save_and_load_give_identical_samples(fitted, tmp_path):
    path = tmp_path / "model.sgm"
    fitted.save(path)
    again = sg.load(path)
    assert type(again) is type(fitted)
    assert again.get_config() == fitted.get_config()
    pd.testing.assert_frame_equal(again.sample(150, seed=8), fitted.sample(150, seed=8))


def test_a_file_with_mis_shaped_arrays_is_refused_not_loaded(fitted, tmp_path):
    path = tmp_path / "model.sgm"
    fitted.save(path)
    header, arrays = read_model_file(path)
    shapes = {name: array.shape for name, array in arrays.items()}
    name = max(shapes, key=lambda key: (len(shapes[key]), sum(shapes[key])))  # the largest
    arrays[name] = arrays[name][..., :1]
    write_model_file(path, header, arrays)  # a writer's bug: the checksum is valid
    with pytest.raises(ModelFileError, match=f"valid {fitted.model_type} model"):
        sg.load(path)


def test_an_unfitted_model_cannot_sample_or_save(model_type, tmp_path):
    model = sg.create(model_type, **_options(model_type))
    with pytest.raises(NotFittedError, match="fit"):
        model.sample(10)
    with pytest.raises(NotFittedError):
        model.save(tmp_path / "model.sgm")
    assert not (tmp_path / "model.sgm").exists()


@pytest.mark.parametrize(
    ("options", "option"),
    [({"no_such_option": 1}, "no_such_option"), ({"seed": -1}, "seed"), ({"seed": "7"}, "seed")],
)
def test_bad_options_are_config_errors_naming_the_option(model_type, options, option):
    with pytest.raises(ConfigError, match=option):
        sg.create(model_type, **options)


def test_every_default_shows_in_get_config(model_type):
    config = sg.create(model_type).get_config()
    assert set(config) == set(_model_class(model_type).config_type.__struct_fields__)


def test_conditions_are_honoured_in_every_row(fitted):
    discrete = fitted.sample(60, seed=1, conditions={"plan": "pro", "is_active": True})
    assert (discrete["plan"] == "pro").all()
    assert discrete["is_active"].all()
    numerical = fitted.sample(20, seed=1, conditions={"age": 40})
    assert (numerical["age"] == 40).all()


@pytest.mark.parametrize(
    "conditions",
    [{"plan": "enterprise"}, {"age": 500}, {"signup_date": "1990-01-01"}, {"nope": 1}],
)
def test_impossible_conditions_are_condition_errors(fitted, conditions):
    with pytest.raises(ConditionError):
        fitted.sample(10, seed=0, conditions=conditions)


def test_missing_value_rates_are_kept(fitted, demo, model_type):
    synthetic = fitted.sample(4000, seed=2)
    for column in ("country", "satisfaction"):
        rate, real = synthetic[column].isna().mean(), demo[column].isna().mean()
        if model_type == "gaussian_copula":
            assert rate == pytest.approx(real, abs=0.015)
        else:  # one epoch: missing cells are generated, their rate is not learned yet
            assert 0 < rate < 1


def test_metadata_given_is_used(model_type, demo):
    metadata = sg.Metadata.detect(demo).update_column("age", kind="categorical")
    model = sg.create(model_type, **_options(model_type, seed=0)).fit(demo, metadata)
    synthetic = model.sample(200, seed=0)
    assert set(synthetic["age"]) <= set(demo["age"])
    assert pd.api.types.is_integer_dtype(synthetic["age"].dtype)


def _awkward_tables() -> dict[str, pd.DataFrame]:
    """Valid tables that broke a model once: each must fit, sample, save and load."""
    rng = np.random.default_rng(0)
    rows = 200
    plain = pd.DataFrame({"x": rng.normal(size=rows), "c": rng.choice(["a", "b", "c"], rows)})
    gaps = rng.random(rows) < 0.5
    return {
        # a flag column: one category, blank elsewhere (the copula's axis had one atom)
        "one_category_and_blanks": plain.assign(flag=np.where(gaps, "", "Y")),
        "one_number_and_nan": plain.assign(n=np.where(gaps, np.nan, 1.0)),
        "huge_floats": plain.assign(mass=np.abs(rng.normal(size=rows)) * 1e160),
        "tiny_floats": plain.assign(size=np.abs(rng.normal(size=rows)) * 1e-200),
    }


AWKWARD = _awkward_tables()


@pytest.mark.parametrize("table", list(AWKWARD))
def test_awkward_but_valid_tables_fit_sample_save_and_load(model_type, table, tmp_path):
    real = AWKWARD[table]
    model = sg.create(model_type, **_options(model_type, seed=0)).fit(real)
    synthetic = model.sample(500, seed=1)
    assert list(synthetic.columns) == list(real.columns)
    for name in real.columns[2:]:  # the awkward column keeps its values and its scale
        column, source = synthetic[name], real[name]
        if pd.api.types.is_numeric_dtype(source) and source.dropna().is_unique:
            assert column.notna().all()
            assert column.min() >= source.min() and column.max() <= source.max()
            assert column.nunique() > 10 and column.median() > source.quantile(0.05)
        else:
            assert set(column.dropna()) <= set(source.dropna())
            assert 0 < column.isna().mean() + (column == "").mean() < 1
    model.save(tmp_path / "model.sgm")
    again = sg.load(tmp_path / "model.sgm")
    pd.testing.assert_frame_equal(again.sample(50, seed=2), model.sample(50, seed=2))


def test_datetimes_written_with_changing_offsets_come_back_as_instants(model_type):
    # What pandas writes for a zone with daylight saving time: +01:00 in winter, +02:00 after.
    zoned = pd.Series(pd.date_range("2021-01-04", periods=200, freq="19h", tz="Europe/Paris"))
    real = pd.DataFrame({"at": zoned.astype(str), "x": np.arange(200.0)})
    model = sg.create(model_type, **_options(model_type, seed=0)).fit(real)
    instants = pd.to_datetime(model.sample(300, seed=1)["at"], utc=True)  # every one parses
    assert instants.between(zoned.min(), zoned.max()).all() and instants.nunique() > 30
    conditioned = model.sample(5, seed=1, conditions={"at": "2021-03-01 12:00:00+01:00"})
    assert (pd.to_datetime(conditioned["at"], utc=True) == pd.Timestamp("2021-03-01 11:00Z")).all()
