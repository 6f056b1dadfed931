"""Gaussian Copula: marginals, latent correlation, exact conditions, every real dataset."""

from __future__ import annotations

from importlib import resources

import msgspec
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import synthgen_core as sg
from synthgen_core.errors import ConditionError, ConfigError, DataError
from synthgen_core.models.gaussian_copula import copula, marginals, ordering
from synthgen_core.models.gaussian_copula.model import GaussianCopula
from synthgen_core.numerics import nearest_correlation, truncated_normal
from tests.shared_data import DATASETS


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    with resources.as_file(resources.files("synthgen_core") / "data" / "demo.csv") as path:
        return pd.read_csv(path)


@pytest.fixture(scope="module")
def fitted(demo: pd.DataFrame) -> GaussianCopula:
    return GaussianCopula(seed=0).fit(demo)


# -- marginals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "draw"),
    [
        ("norm", lambda rng: rng.normal(50, 7, 8000)),
        ("truncnorm", lambda rng: stats.truncnorm.rvs(-1, 2, 3, 2, 8000, random_state=rng)),
        ("beta", lambda rng: rng.beta(2, 5, 8000) * 100),
        ("gamma", lambda rng: rng.gamma(3, 2, 8000) + 10),
        ("uniform", lambda rng: rng.uniform(-4, 9, 8000)),
    ],
)
def test_forced_family_reproduces_its_distribution(family, draw):
    rng = np.random.default_rng(1)
    data = draw(rng)
    marginal = marginals.fit_marginal(data, family, rng)
    assert isinstance(marginal, marginals.Parametric)
    assert marginal.family == family
    generated = marginal.from_normal(rng.standard_normal(8000))
    assert stats.ks_2samp(data, generated).statistic < 0.04


def test_auto_prefers_a_family_that_fits_and_the_empirical_cdf_otherwise():
    rng = np.random.default_rng(2)
    gamma = marginals.fit_marginal(rng.gamma(2.0, 3.0, 20_000) + 5, "auto", rng)
    assert isinstance(gamma, marginals.Parametric)
    assert gamma.family in ("gamma", "beta")
    bimodal = np.r_[rng.normal(0, 1, 5000), rng.normal(12, 1, 5000)]
    empirical = marginals.fit_marginal(bimodal, "auto", rng)
    assert isinstance(empirical, marginals.Empirical)
    generated = empirical.from_normal(rng.standard_normal(10_000))
    assert stats.ks_2samp(bimodal, generated).statistic < 0.03


def test_a_point_mass_among_many_values_comes_back_exactly_in_its_share():
    """A zero-inflated amount: the 0 keeps its 35% of rows, near-zero values stay rare."""
    rng = np.random.default_rng(4)
    data = np.where(rng.random(20_000) < 0.35, 0.0, rng.gamma(2.0, 2.0, 20_000) + 0.5)
    empirical = marginals.fit_marginal(data, "empirical", rng)
    assert isinstance(empirical, marginals.Empirical)
    generated = empirical.from_normal(rng.standard_normal(200_000))
    assert np.mean(generated == 0.0) == pytest.approx(0.35, abs=0.01)
    # between 0 and the smallest real amount only the one gap between two knots (0.1%):
    # before the point mass had an interval, half its share (17%) landed there
    between = (generated > 0.0) & (generated < data[data > 0].min())
    assert np.mean(between) < 0.005
    assert stats.ks_2samp(data, generated).statistic < 0.02
    # the score of a 0 lies inside the interval that samples it back as 0
    assert empirical.from_normal(empirical.to_normal(np.array([0.0])))[0] == 0.0


def test_auto_keeps_the_point_mass_of_a_zero_inflated_amount():
    """Ties count on both sides of the jump: a gamma fit used to win and lose the zeros."""
    rng = np.random.default_rng(5)
    data = np.where(rng.random(20_000) < 0.35, 0.0, np.round(rng.gamma(2.0, 2.0, 20_000), 2))
    marginal = marginals.fit_marginal(data, "auto", rng)
    assert isinstance(marginal, marginals.Empirical)
    generated = marginal.from_normal(rng.standard_normal(100_000))
    assert np.mean(generated == 0.0) == pytest.approx(np.mean(data == 0.0), abs=0.01)


def test_ks_distance_sees_a_missing_jump_and_not_a_matched_one():
    rng = np.random.default_rng(6)
    data = np.sort(np.where(rng.random(4000) < 0.3, 0.0, rng.uniform(1.0, 2.0, 4000)))
    with_mass = marginals.fit_marginal(data, "empirical", rng)
    without = marginals.fit_marginal(data, "uniform", rng)
    assert marginals.ks_distance(with_mass, data) < 0.01
    assert marginals.ks_distance(without, data) > 0.1
    plain = rng.normal(size=2000)  # no ties: the classic statistic
    expected = stats.kstest(plain, stats.norm(0, 1).cdf).statistic
    standard = marginals.Parametric("norm", (), 0.0, 1.0, 0.0, 1.0)
    assert marginals.ks_distance(standard, np.sort(plain)) == pytest.approx(expected, abs=1e-9)


def test_empirical_marginals_written_without_intervals_still_load_and_invert():
    old = msgspec.json.decode(
        b'{"type":"empirical","knots":[0.0,1.0,3.0],"scores":[-1.0,0.0,1.0]}',
        type=marginals.Marginal,
    )
    assert isinstance(old, marginals.Empirical) and old.lower is None
    assert old.from_normal(np.array([-0.5, 0.5])).tolist() == [0.5, 2.0]


def test_few_distinct_values_become_atoms_with_exact_frequencies():
    rng = np.random.default_rng(3)
    data = rng.choice([0.0, 1.0, 5.0, 40.0], 20_000, p=[0.7, 0.1, 0.15, 0.05])
    atoms = marginals.fit_marginal(data, "auto", rng)
    assert isinstance(atoms, marginals.Atoms)
    generated = atoms.from_normal(rng.standard_normal(200_000))
    assert set(np.unique(generated)) == {0.0, 1.0, 5.0, 40.0}
    assert np.mean(generated == 0.0) == pytest.approx(0.7, abs=0.01)
    assert np.mean(generated == 40.0) == pytest.approx(0.05, abs=0.005)
    # A value maps inside its own interval, so a condition on it is exact.
    low, high = atoms.interval(5.0)
    assert atoms.from_normal(np.array([low + 1e-9, high - 1e-9])).tolist() == [5.0, 5.0]


def test_continuous_scores_round_trip_and_are_standard_normal():
    rng = np.random.default_rng(4)
    data = rng.lognormal(0, 1, 10_000)
    marginal = marginals.fit_marginal(data, "empirical", rng)
    scores = marginal.to_normal(data)
    assert abs(scores.mean()) < 0.02
    assert scores.std() == pytest.approx(1.0, abs=0.03)
    back = marginal.from_normal(scores)
    assert np.allclose(back, data, rtol=0.05, atol=0.05)


# -- copula --------------------------------------------------------------------------------


def _thresholded(rng: np.random.Generator, latent: np.ndarray):
    z = rng.multivariate_normal(np.zeros(3), latent, size=40_000)
    columns = [
        z[:, 0],
        (z[:, 1] > 0.8).astype(float),  # a skewed binary
        np.digitize(z[:, 2], [-1.0, 0.0, 0.5, 1.5]).astype(float),  # five ordered codes
    ]
    binary = marginals.fit_discrete(columns[1].astype(np.int64), 2)
    codes = marginals.fit_discrete(columns[2].astype(np.int64), 5)
    fitted = [marginals.fit_marginal(columns[0], "norm", rng), binary, codes]
    scores = np.column_stack([m.to_normal(c) for m, c in zip(fitted, columns, strict=True)])
    hermite = np.stack([np.eye(1, 12)[0], binary.hermite(12), codes.hermite(12)])
    return scores, hermite


def test_latent_correlation_undoes_the_attenuation_of_discrete_columns():
    rng = np.random.default_rng(5)
    latent = np.array([[1.0, 0.6, 0.4], [0.6, 1.0, -0.2], [0.4, -0.2, 1.0]])
    scores, hermite = _thresholded(rng, latent)
    naive = np.corrcoef(scores.T)
    estimated = copula.latent_correlation(scores, hermite)
    assert abs(naive[0, 1]) < 0.5  # Pearson on the binary's scores is attenuated
    assert np.allclose(estimated, latent, atol=0.03)


def test_latent_correlation_uses_pairwise_complete_rows():
    rng = np.random.default_rng(6)
    latent = np.array([[1.0, 0.7], [0.7, 1.0]])
    z = rng.multivariate_normal(np.zeros(2), latent, size=20_000)
    z[rng.random(20_000) < 0.3, 0] = np.nan
    estimated = copula.latent_correlation(z, np.stack([np.eye(1, 12)[0]] * 2))
    assert estimated[0, 1] == pytest.approx(0.7, abs=0.02)


def test_nearest_correlation_repairs_an_indefinite_matrix():
    broken = np.array([[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]])
    repaired = nearest_correlation(broken)
    assert np.linalg.eigvalsh(repaired).min() > 0
    assert np.allclose(np.diag(repaired), 1.0)
    assert np.allclose(repaired, repaired.T)


def test_fixed_coordinate_gives_the_conditional_normal():
    rng = np.random.default_rng(7)
    correlation = np.array([[1.0, 0.8], [0.8, 1.0]])
    z = copula.sample_latent(correlation, 50_000, rng, fixed={0: 1.5})
    assert np.all(z[:, 0] == 1.5)
    assert z[:, 1].mean() == pytest.approx(0.8 * 1.5, abs=0.02)
    assert z[:, 1].var() == pytest.approx(1 - 0.64, abs=0.02)


def test_intervals_are_always_respected_and_match_rejection_sampling():
    rng = np.random.default_rng(8)
    correlation = np.array([[1.0, 0.5, 0.3], [0.5, 1.0, 0.6], [0.3, 0.6, 1.0]])
    boxes = {0: (0.5, np.inf), 1: (-np.inf, 0.2)}
    z = copula.sample_latent(correlation, 40_000, rng, intervals=boxes)
    assert np.all(z[:, 0] > 0.5)
    assert np.all(z[:, 1] < 0.2)
    reference = rng.multivariate_normal(np.zeros(3), correlation, size=400_000)
    kept = reference[(reference[:, 0] > 0.5) & (reference[:, 1] < 0.2)]
    assert np.allclose(z.mean(axis=0), kept.mean(axis=0), atol=0.03)


def test_truncated_normal_reaches_far_tails():
    rng = np.random.default_rng(9)
    draws = truncated_normal(np.zeros(1000), 1.0, 7.0, np.inf, rng)
    assert np.all(draws >= 7.0)
    assert np.all(np.isfinite(draws))


def test_categories_are_ordered_by_how_they_relate_to_other_columns():
    rng = np.random.default_rng(10)
    codes = rng.integers(0, 5, 5000)
    level = np.array([3.0, -1.0, 0.5, -2.0, 1.5])  # each code's typical value elsewhere
    other = (level[codes] + rng.normal(0, 0.3, 5000))[:, None]
    order = ordering.optimal_order(codes, 5, (other - other.mean()) / other.std())
    assert list(order) in ([3, 1, 2, 4, 0], [0, 4, 2, 1, 3])


def test_a_category_that_is_another_column_in_disguise_stays_tied_to_it():
    rng = np.random.default_rng(11)
    number = rng.integers(1, 9, 4000)
    names = np.array(["h", "c", "a", "f", "b", "g", "e", "d"])  # not sorted like the numbers
    table = pd.DataFrame({"level": number, "name": names[number - 1]})
    synthetic = GaussianCopula(seed=0).fit(table).sample(4000, seed=0)
    agreement = (synthetic["name"] == names[synthetic["level"] - 1]).mean()
    assert agreement > 0.8


# -- the model -----------------------------------------------------------------------------


def test_sample_keeps_relations_between_columns(demo, fitted):
    synthetic = fitted.sample(20_000, seed=1)
    real_means = demo.groupby("plan")["monthly_spend"].mean()
    fake_means = synthetic.groupby("plan")["monthly_spend"].mean()
    assert list(fake_means.sort_values().index) == list(real_means.sort_values().index)
    assert np.allclose(fake_means, real_means, rtol=0.15)
    real_active = demo.groupby("plan")["is_active"].mean()
    fake_active = synthetic.groupby("plan")["is_active"].mean()
    assert np.allclose(fake_active, real_active, atol=0.06)


def test_conditions_hold_exactly_in_every_row(fitted):
    conditions = {"plan": "pro", "age": 45, "signup_date": "2024-02-29", "is_active": False}
    synthetic = fitted.sample(2000, seed=2, conditions=conditions)
    assert (synthetic["plan"] == "pro").all()
    assert (synthetic["age"] == 45).all()
    assert (synthetic["signup_date"] == "2024-02-29").all()
    assert not synthetic["is_active"].any()
    assert synthetic["age"].dtype == np.int64


def test_a_categorical_condition_moves_the_other_columns(fitted):
    pro = fitted.sample(5000, seed=3, conditions={"plan": "pro"})
    basic = fitted.sample(5000, seed=3, conditions={"plan": "basic"})
    assert pro["monthly_spend"].mean() > basic["monthly_spend"].mean() + 15


def test_a_condition_on_a_column_with_missing_cells_leaves_none_missing(fitted):
    synthetic = fitted.sample(500, seed=6, conditions={"satisfaction": 3.5, "country": "FR"})
    assert (synthetic["satisfaction"] == 3.5).all()
    assert (synthetic["country"] == "FR").all()


def test_conditions_work_on_a_kind_the_user_overrode(demo):
    # The override leaves the column's categories to be learned at fit.
    metadata = sg.Metadata.detect(demo).update_column("age", kind="categorical")
    model = GaussianCopula(seed=0).fit(demo, metadata)
    assert model.metadata_.column("age").categories
    synthetic = model.sample(200, seed=0, conditions={"age": 40})
    assert (synthetic["age"] == 40).all()


def test_a_numerical_condition_on_a_continuous_marginal_is_exact(fitted):
    synthetic = fitted.sample(500, seed=4, conditions={"monthly_spend": 31.5})
    assert (synthetic["monthly_spend"] == 31.5).all()
    assert synthetic["monthly_spend"].dtype == np.float64


@pytest.mark.parametrize(
    "conditions",
    [{"plan": "enterprise"}, {"age": 200}, {"nope": 1}, {"customer_id": "C00001"}],
)
def test_impossible_conditions_raise(fitted, conditions):
    with pytest.raises(ConditionError):
        fitted.sample(10, conditions=conditions)


def test_missing_rates_are_kept(demo, fitted):
    synthetic = fitted.sample(20_000, seed=5)
    for column in ("country", "satisfaction"):
        assert synthetic[column].isna().mean() == pytest.approx(
            demo[column].isna().mean(), abs=0.01
        )


def test_same_seed_same_rows_and_config_seed_makes_fit_and_sample_reproducible(demo):
    first = GaussianCopula(seed=11).fit(demo).sample(300)
    second = GaussianCopula(seed=11).fit(demo).sample(300)
    pd.testing.assert_frame_equal(first, second)
    model = GaussianCopula(seed=11).fit(demo)
    assert not model.sample(300, seed=1).equals(model.sample(300, seed=2))


@pytest.mark.parametrize(
    "distribution", ["norm", "truncnorm", "beta", "gamma", "uniform", "empirical"]
)
def test_every_numerical_distribution_option_fits_and_samples(demo, distribution):
    model = GaussianCopula(numerical_distribution=distribution, seed=0).fit(demo)
    synthetic = model.sample(200, seed=0)
    assert list(synthetic.columns) == list(demo.columns)
    assert (
        synthetic["monthly_spend"]
        .between(demo["monthly_spend"].min(), demo["monthly_spend"].max())
        .all()
    )


def test_bad_option_is_a_config_error():
    with pytest.raises(ConfigError, match="numerical_distribution"):
        GaussianCopula(numerical_distribution="cauchy")


@pytest.mark.parametrize(
    "bad", [pd.DataFrame(), pd.DataFrame({"a": []}), [[1, 2]], pd.DataFrame({"a": [1.0, np.inf]})]
)
def test_bad_tables_surface_as_data_errors(bad):
    with pytest.raises(DataError):
        GaussianCopula().fit(bad)


def test_a_table_without_learned_columns_still_samples():
    table = pd.DataFrame({"id": range(50), "const": ["x"] * 50})
    synthetic = GaussianCopula(seed=0).fit(table).sample(20)
    assert synthetic["id"].is_unique
    assert (synthetic["const"] == "x").all()


def test_save_and_load_give_identical_samples(tmp_path, fitted):
    path = tmp_path / "gc.sgm"
    fitted.save(path)
    again = sg.load(path)
    assert isinstance(again, GaussianCopula)
    conditions = {"plan": "plus"}
    pd.testing.assert_frame_equal(
        again.sample(500, seed=9, conditions=conditions),
        fitted.sample(500, seed=9, conditions=conditions),
    )


def _read(name: str) -> pd.DataFrame:
    frame = pd.read_csv(DATASETS / name)
    return frame.sample(n=min(len(frame), 3000), random_state=0).reset_index(drop=True)


@pytest.mark.parametrize(
    "name",
    [
        "adult.csv",
        "census.csv.gz",
        "covertype.csv.gz",
        "intrusion.csv.gz",
        "credit_default.csv",
        "taxis.csv",
    ],
)
def test_every_dataset_fits_and_samples(name):
    real = _read(name)
    synthetic = GaussianCopula(seed=0).fit(real).sample(1000, seed=0)
    assert list(synthetic.columns) == list(real.columns)
    assert (synthetic.dtypes == real.dtypes).all()
    assert len(synthetic) == 1000


def test_missingness_stays_tied_across_columns():
    real = pd.read_csv(DATASETS / "taxis.csv")
    synthetic = GaussianCopula(seed=0).fit(real).sample(20_000, seed=0)
    together = synthetic["pickup_zone"].isna() & synthetic["pickup_borough"].isna()
    either = synthetic["pickup_zone"].isna() | synthetic["pickup_borough"].isna()
    assert together.sum() / max(either.sum(), 1) > 0.8
