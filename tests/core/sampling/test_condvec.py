"""Training-by-sampling: conditional vectors, real-row matching and category frequencies."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from synthgen_core.sampling.condvec import ConditionalSampler
from synthgen_core.transform.layout import Layout, Span


def _layout() -> Layout:
    """A continuous column, then discrete columns of widths 3, 1 and 4 around another one."""
    spans = [
        Span(column="x", start=0, width=1, activation="tanh", role="value"),
        Span(column="x", start=1, width=2, activation="softmax", role="mode"),
        Span(column="a", start=3, width=3, activation="softmax", role="category"),
        Span(column="b", start=6, width=1, activation="softmax", role="category"),
        Span(column="y", start=7, width=1, activation="tanh", role="value"),
        Span(column="y", start=8, width=2, activation="softmax", role="mode"),
        Span(column="y", start=10, width=2, activation="softmax", role="missing"),
        Span(column="c", start=12, width=4, activation="softmax", role="category"),
    ]
    return Layout(spans=tuple(spans))


def _matrix(layout: Layout, codes: dict[str, np.ndarray], n: int, seed: int = 0) -> np.ndarray:
    """An encoded table whose discrete spans hold ``codes``; other one-hots are random."""
    rng = np.random.default_rng(seed)
    data = np.zeros((n, layout.width), dtype=np.float32)
    for span in layout.spans:
        if span.activation == "tanh":
            data[:, span.start] = rng.uniform(-1, 1, n)
        else:
            chosen = codes.get(span.column) if span.role == "category" else None
            if chosen is None:
                chosen = rng.integers(0, span.width, n)
            data[np.arange(n), span.start + chosen] = 1.0
    return data


N = 2_000
Table = tuple[Layout, dict[str, np.ndarray], np.ndarray]


@pytest.fixture(scope="module")
def table() -> Table:
    layout = _layout()
    rng = np.random.default_rng(1)
    codes = {
        "a": rng.choice(3, N, p=[0.7, 0.3, 0.0]),  # category 2 never occurs
        "b": np.zeros(N, dtype=np.int64),
        "c": rng.choice(4, N, p=[0.85, 0.1, 0.04, 0.01]),
    }
    return layout, codes, _matrix(layout, codes, N)


def test_counts_and_offsets_follow_the_discrete_spans(table: Table) -> None:
    layout, codes, data = table
    sampler = ConditionalSampler.from_data(layout, data)
    assert sampler.n_columns == 3
    assert sampler.width == sampler.discrete_width == 8
    assert list(sampler.offsets) == [sampler.offset(c) for c in "abc"] == [0, 3, 4]
    expected = np.concatenate(
        [np.bincount(codes["a"], minlength=3), [N], np.bincount(codes["c"], minlength=4)]
    )
    np.testing.assert_array_equal(sampler.counts, expected)


def test_modes_of_continuous_columns_follow_the_categories(table: Table) -> None:
    layout, _, data = table
    sampler = ConditionalSampler.from_data(layout, data, modes=True)
    assert [span.column for span in sampler.spans] == ["a", "b", "c", "x", "y"]
    assert sampler.width == 12 and sampler.discrete_width == 8
    assert [sampler.offset(c) for c in "abcxy"] == [0, 3, 4, 8, 10]
    modes_x = data[:, 1:3].argmax(axis=1)
    modes_y = data[:, 8:10].argmax(axis=1)
    np.testing.assert_array_equal(sampler.counts[8:10], np.bincount(modes_x, minlength=2))
    np.testing.assert_array_equal(sampler.counts[10:12], np.bincount(modes_y, minlength=2))
    draw = sampler.sample_training(5_000, torch.Generator().manual_seed(2))
    on_y = (draw.column == 4).numpy()
    assert on_y.any()
    # a row drawn for a mode of y holds that mode, and its vector names it after the categories
    rows, modes = draw.rows.numpy()[on_y], draw.category.numpy()[on_y]
    np.testing.assert_array_equal(data[rows, 8 + modes], 1.0)
    np.testing.assert_array_equal(draw.cond.numpy()[on_y].argmax(axis=1), 10 + modes)
    kept = sampler.span_index[4][~sampler.span_padding[4]].tolist()
    assert kept == [8, 9], "the conditional loss reads y's mode logits"


def test_a_single_mode_is_not_a_condition() -> None:
    spans = (
        Span(column="x", start=0, width=1, activation="tanh", role="value"),
        Span(column="x", start=1, width=1, activation="softmax", role="mode"),
    )
    layout = Layout(spans=spans)
    data = np.tile(np.array([[0.5, 1.0]], dtype=np.float32), (10, 1))
    sampler = ConditionalSampler.from_data(layout, data, modes=True)
    assert layout.mode_spans == () and sampler.width == 0


def test_training_draws_match_a_real_row_of_the_chosen_category(table: Table) -> None:
    layout, _, data = table
    sampler = ConditionalSampler.from_data(layout, data)
    draw = sampler.sample_training(5_000, torch.Generator().manual_seed(0))
    cond = draw.cond.numpy()
    assert cond.shape == (5_000, 8)
    np.testing.assert_array_equal(cond.sum(axis=1), 1.0)
    global_id = sampler.offsets[draw.column.numpy()] + draw.category.numpy()
    np.testing.assert_array_equal(cond.argmax(axis=1), global_id)
    starts = np.array([span.start for span in layout.discrete_spans])
    rows = draw.rows.numpy()
    # every drawn real row holds the category its conditional vector names
    positions = starts[draw.column.numpy()] + draw.category.numpy()
    np.testing.assert_array_equal(data[rows, positions], 1.0)
    assert set(np.unique(draw.column.numpy())) == {0, 1, 2}
    assert not np.any(global_id == 2), "a category absent from the data was drawn"


def test_log_frequency_flattens_rare_categories(table: Table) -> None:
    layout, codes, data = table
    generator = torch.Generator().manual_seed(3)
    counts = np.bincount(codes["c"], minlength=4).astype(float)
    for log_frequency, weights in ((True, np.log1p(counts)), (False, counts)):
        sampler = ConditionalSampler.from_data(layout, data, log_frequency=log_frequency)
        draw = sampler.sample_training(60_000, generator)
        chosen = draw.category[draw.column == 2].numpy()
        observed = np.bincount(chosen, minlength=4) / len(chosen)
        np.testing.assert_allclose(observed, weights / weights.sum(), atol=0.01)


def test_sampling_uses_the_real_frequencies(table: Table) -> None:
    layout, codes, data = table
    sampler = ConditionalSampler.from_data(layout, data, log_frequency=True)
    cond = sampler.sample_original(60_000, torch.Generator().manual_seed(4)).numpy()
    picked_c = cond[:, 4:8][cond[:, 4:8].sum(axis=1) == 1]
    observed = picked_c.argmax(axis=1)
    real = np.bincount(codes["c"], minlength=4) / N
    np.testing.assert_allclose(np.bincount(observed, minlength=4) / len(observed), real, atol=0.01)


def test_sampled_ids_are_the_ones_of_the_sampled_vectors(table: Table) -> None:
    layout, _, data = table
    sampler = ConditionalSampler.from_data(layout, data)
    ids = sampler.sample_original_ids(500, torch.Generator().manual_seed(6))
    cond = sampler.sample_original(500, torch.Generator().manual_seed(6))
    assert torch.equal(cond.argmax(dim=1), ids)
    assert torch.equal(cond.sum(dim=1), torch.ones(500))


def test_fixed_vectors_name_one_category(table: Table) -> None:
    layout, _, data = table
    sampler = ConditionalSampler.from_data(layout, data)
    cond = sampler.fixed(sampler.offset("c") + 3, 7).numpy()
    expected = np.zeros((7, 8), dtype=np.float32)
    expected[:, 7] = 1.0
    np.testing.assert_array_equal(cond, expected)


def test_span_index_gathers_each_columns_logits(table: Table) -> None:
    layout, _, data = table
    sampler = ConditionalSampler.from_data(layout, data)
    raw = torch.arange(layout.width, dtype=torch.float32).expand(2, -1)
    for k, span in enumerate(layout.discrete_spans):
        gathered = raw.gather(1, sampler.span_index[k].expand(2, -1))[0]
        kept = gathered[~sampler.span_padding[k]].tolist()
        assert kept == list(range(span.start, span.end))


def test_same_generator_seed_gives_the_same_batch(table: Table) -> None:
    layout, _, data = table
    sampler = ConditionalSampler.from_data(layout, data)
    first = sampler.sample_training(100, torch.Generator().manual_seed(9))
    second = sampler.sample_training(100, torch.Generator().manual_seed(9))
    for left, right in zip(first, second, strict=True):
        assert left is not None and right is not None
        assert torch.equal(left, right)


def test_a_table_without_discrete_columns_draws_uniform_rows() -> None:
    layout = Layout(spans=(Span(column="x", start=0, width=1, activation="tanh", role="value"),))
    data = np.random.default_rng(0).uniform(-1, 1, (50, 1)).astype(np.float32)
    sampler = ConditionalSampler.from_data(layout, data)
    draw = sampler.sample_training(400, torch.Generator().manual_seed(0))
    assert draw.cond.shape == (400, 0)
    assert sampler.sample_original(3, torch.Generator()).shape == (3, 0)
    with pytest.raises(ValueError, match="no category ids"):
        sampler.sample_original_ids(3, torch.Generator())
    assert int(draw.rows.min()) >= 0 and int(draw.rows.max()) < 50
    assert len(torch.unique(draw.rows)) > 40


def test_a_restored_sampler_only_serves_sampling(table: Table) -> None:
    layout, _, data = table
    counts = ConditionalSampler.from_data(layout, data).counts
    restored = ConditionalSampler(layout, counts)
    assert restored.sample_original(10, torch.Generator()).shape == (10, 8)
    with pytest.raises(RuntimeError, match="row index"):
        restored.sample_training(10, torch.Generator())
    with pytest.raises(ValueError, match="counts"):
        ConditionalSampler(layout, counts[:-1])
