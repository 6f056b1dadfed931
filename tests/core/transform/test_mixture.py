"""The variational mixture behind mode-specific normalisation."""

from __future__ import annotations

import numpy as np
import pytest

from synthgen_core.transform.mixture import cover, fit_modes


def test_modes_sit_on_the_clusters_with_their_weights() -> None:
    rng = np.random.default_rng(0)
    truth = [(-20.0, 0.5, 0.2), (0.0, 1.0, 0.5), (10.0, 2.0, 0.3)]
    values = np.concatenate([rng.normal(mu, sd, int(w * 20_000)) for mu, sd, w in truth])
    modes = fit_modes(values, max_modes=10, weight_threshold=0.005)
    assert modes.weights.sum() == pytest.approx(1.0)
    for mu, sd, weight in truth:
        near = np.abs(modes.means - mu) < 4 * sd
        assert modes.weights[near].sum() == pytest.approx(weight, abs=0.03)
    assert not np.any((modes.means > -15) & (modes.means < -5))  # nothing in the empty gap


def test_light_modes_are_pruned_and_heaviest_comes_first() -> None:
    values = np.random.default_rng(1).lognormal(size=5_000)
    modes = fit_modes(values, max_modes=10, weight_threshold=0.05)
    assert np.all(modes.weights >= 0.05 / modes.weights.size)  # renormalised after pruning
    assert np.all(np.diff(modes.weights) <= 0)
    assert np.all(modes.stds > 0)


def test_few_distinct_values_get_one_exact_mode_each() -> None:
    values = np.array([3.0, 3.0, 3.0, 7.0, 9.0, 9.0])
    modes = fit_modes(values, max_modes=10, weight_threshold=0.005)
    assert modes.means.tolist() == [3.0, 9.0, 7.0]
    assert modes.weights.tolist() == pytest.approx([0.5, 1 / 3, 1 / 6])
    assert np.all(4 * modes.stds < 1.0)  # narrow: decoding snaps back to the value


def test_single_value_gets_a_proper_mode() -> None:
    modes = fit_modes(np.full(10, 42.0), max_modes=10, weight_threshold=0.005)
    assert modes.means.tolist() == [42.0] and modes.stds[0] > 0


def test_cover_adds_tail_modes_so_no_value_needs_clipping() -> None:
    rng = np.random.default_rng(2)
    values = np.concatenate([rng.normal(0, 1, 10_000), [60.0, 75.0, -90.0]])
    modes = cover(fit_modes(values, 10, 0.005), values, reach=4.0)
    z = np.abs(values[:, None] - modes.means[None, :]) / modes.stds[None, :]
    assert np.all(z.min(axis=1) <= 4.0)
    assert modes.weights.sum() == pytest.approx(1.0)


def test_fit_is_deterministic() -> None:
    values = np.random.default_rng(3).gamma(2.0, size=3_000)
    first, second = fit_modes(values, 10, 0.005), fit_modes(values, 10, 0.005)
    np.testing.assert_array_equal(first.means, second.means)


def test_a_point_mass_gets_an_exact_mode_beside_the_mixture_of_the_rest() -> None:
    rng = np.random.default_rng(4)
    values = np.concatenate([np.zeros(9_000), rng.lognormal(7.0, 0.5, 1_000)])  # zero-inflated
    modes = fit_modes(values, max_modes=10, weight_threshold=0.005)
    assert modes.means[0] == 0.0  # the heaviest mode, first
    assert modes.weights[0] == pytest.approx(0.9)
    assert 4 * modes.stds[0] < values[values > 0].min()  # only an exact 0 can use it
    positive = modes.means[1:]
    assert np.all(positive > 100)  # the rest is modelled away from the spike
    assert modes.weights.sum() == pytest.approx(1.0)
    assert np.all(np.diff(modes.weights) <= 0)


def test_point_masses_leave_at_least_one_mode_for_the_other_values() -> None:
    rng = np.random.default_rng(5)
    spikes = np.repeat(np.arange(12.0), 800)  # twelve values of 8% each
    values = np.concatenate([spikes, rng.uniform(20, 30, 400)])
    modes = fit_modes(values, max_modes=5, weight_threshold=0.005)
    exact = modes.stds < 1e-3
    assert exact.sum() == 4  # the four heaviest spikes (ties: the first) are exact modes
    assert len(modes.means) == 5  # one mode is left for the rest: the other spikes and 20-30
    assert modes.stds[~exact][0] > 1.0
    assert modes.weights.sum() == pytest.approx(1.0)


def test_light_modes_of_the_rest_are_pruned_by_their_share_of_the_whole_column() -> None:
    rng = np.random.default_rng(6)
    values = np.concatenate([np.zeros(9_500), rng.normal(50, 1, 480), rng.normal(90, 1, 20)])
    modes = fit_modes(values, max_modes=10, weight_threshold=0.01)
    assert np.all(modes.weights >= 0.01 * 0.99)  # 20 rows (0.2%) earn no mode of their own


def test_values_frequent_among_the_rest_of_a_point_mass_get_exact_modes() -> None:
    # capital-gain's shape: 0 in 90% of the rows; three amounts hold 1.2%, 1.0% and 0.6% of
    # all rows but 12%, 10% and 6% of the others, around a spread of one-off amounts
    rng = np.random.default_rng(7)
    amounts = {15024.0: 120, 7688.0: 100, 99999.0: 60}
    spread = rng.uniform(1_000, 20_000, 720).round(2)
    values = np.concatenate([np.zeros(9_000), np.repeat(list(amounts), list(amounts.values()))])
    values = np.concatenate([values, spread])
    modes = fit_modes(values, max_modes=10, weight_threshold=0.005)
    exact = modes.stds < 1.0  # the mixture's modes span hundreds at least
    assert set(modes.means[exact]) == {0.0, *amounts}  # decoding snaps back to each amount
    for amount, count in amounts.items():
        assert modes.weights[modes.means == amount] == pytest.approx(count / values.size)
    assert (~exact).any() and np.all(modes.stds[~exact] > 100)  # the spread keeps a mixture
    assert modes.weights.sum() == pytest.approx(1.0)


def test_a_value_seen_a_few_times_beside_a_point_mass_stays_in_the_mixture() -> None:
    # a small table: 60 zeros, then 40 amounts of which one repeats 3 times (7.5% of them)
    rng = np.random.default_rng(8)
    others = np.concatenate([[250.0] * 3, rng.uniform(100, 400, 37).round(2)])
    values = np.concatenate([np.zeros(60), others])
    modes = fit_modes(values, max_modes=10, weight_threshold=0.005)
    exact = modes.stds < 1.0  # the mixture's modes span tens at least
    assert modes.means[exact].tolist() == [0.0]  # too few rows to trust 250 as a spike
