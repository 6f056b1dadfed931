import torch

from synthgen_core.nn.spans import Group, SpanIndex, draw_rows
from synthgen_core.transform.layout import Layout
from tests.core.layouts import make_layout, random_rows

CPU = torch.device("cpu")


def test_grouped_order_puts_scalars_first_then_one_hots_by_width(mixed_layout: Layout) -> None:
    # layout: value@0, mode 1-3, missing 4-5, category 6-9, category 10-12, value@13
    index = SpanIndex.from_layout(mixed_layout, CPU)
    assert index.order.tolist() == [0, 13, 4, 5, 1, 2, 3, 10, 11, 12, 6, 7, 8, 9]
    assert index.num_scalars == 2
    assert index.groups == (Group(2, 1, 2), Group(4, 2, 3), Group(10, 1, 4))


def test_grouped_order_round_trips_and_keeps_every_span_together(mixed_layout: Layout) -> None:
    index = SpanIndex.from_layout(mixed_layout, CPU)
    rows = random_rows(mixed_layout, 20)
    grouped = index.to_grouped(rows)
    assert torch.equal(index.to_layout(grouped), rows)
    spans = [(s.start, s.end) for s in mixed_layout.spans if s.activation == "softmax"]
    viewed = [
        grouped[:, group.start : group.end].view(20, group.count, group.width)
        for group in index.groups
    ]
    expected = sorted((rows[:, a:b] for a, b in spans), key=lambda part: part.shape[1])
    found = [part[:, g] for part in viewed for g in range(part.shape[1])]
    assert all(torch.equal(x, y) for x, y in zip(found, expected, strict=True))


def test_generated_rows_are_valid_encodings(mixed_layout: Layout) -> None:
    index = SpanIndex.from_layout(mixed_layout, CPU)
    raw = torch.randn(500, mixed_layout.width, generator=torch.Generator().manual_seed(0)) * 3
    rows = draw_rows(
        index.to_grouped(raw),
        index,
        torch.Generator().manual_seed(1),
        sigma=torch.tensor([0.5, 1.0]),
    )
    for span in mixed_layout.spans:
        part = rows[:, span.start : span.end]
        if span.activation == "tanh":
            assert part.min() >= -1.0
            assert part.max() <= 1.0
        else:
            assert bool(((part == 0) | (part == 1)).all())
            assert torch.equal(part.sum(dim=1), torch.ones(500))


def test_one_hots_are_drawn_from_the_softmax_not_its_argmax() -> None:
    layout = make_layout(("category", 3))
    index = SpanIndex.from_layout(layout, CPU)
    probabilities = torch.tensor([0.7, 0.2, 0.1])
    raw = probabilities.log().expand(40_000, 3)
    rows = draw_rows(raw, index, torch.Generator().manual_seed(0), sigma=torch.zeros(0))
    torch.testing.assert_close(rows.mean(dim=0), probabilities, atol=0.01, rtol=0)


def test_scalars_carry_the_learned_noise() -> None:
    layout = make_layout(("value", 1))
    index = SpanIndex.from_layout(layout, CPU)
    raw = torch.zeros(40_000, 1)  # tanh(0) = 0, far from the clipping bounds
    rows = draw_rows(raw, index, torch.Generator().manual_seed(0), sigma=torch.tensor([0.2]))
    assert abs(rows.mean().item()) < 0.01
    assert abs(rows.std().item() - 0.2) < 0.01


def test_generation_is_reproducible_from_the_generator(mixed_layout: Layout) -> None:
    index = SpanIndex.from_layout(mixed_layout, CPU)
    raw = torch.randn(50, mixed_layout.width, generator=torch.Generator().manual_seed(0))
    sigma = torch.tensor([0.1, 0.1])
    first = draw_rows(raw, index, torch.Generator().manual_seed(5), sigma=sigma)
    again = draw_rows(raw, index, torch.Generator().manual_seed(5), sigma=sigma)
    other = draw_rows(raw, index, torch.Generator().manual_seed(6), sigma=sigma)
    assert torch.equal(first, again)
    assert not torch.equal(first, other)


def test_rows_come_back_in_layout_order(mixed_layout: Layout) -> None:
    """Near-certain logits: every span's draw must land on that span's columns."""
    index = SpanIndex.from_layout(mixed_layout, CPU)
    rows = random_rows(mixed_layout, 300)  # valid one-hots, scalars in [-1, 1]
    logits = torch.where(rows == 1.0, 60.0, -60.0)
    for span in mixed_layout.spans:
        if span.activation == "tanh":
            logits[:, span.start] = torch.atanh(rows[:, span.start].clamp(-0.99, 0.99))
    drawn = draw_rows(index.to_grouped(logits), index, torch.Generator().manual_seed(0))
    assert drawn.shape == rows.shape
    for span in mixed_layout.spans:
        expected = rows[:, span.start : span.end]
        if span.activation == "tanh":
            expected = expected.clamp(-0.99, 0.99)
        torch.testing.assert_close(drawn[:, span.start : span.end], expected)


def test_without_sigma_scalars_are_the_tanh_and_one_hots_still_drawn(mixed_layout: Layout) -> None:
    index = SpanIndex.from_layout(mixed_layout, CPU)
    raw = torch.randn(30_000, mixed_layout.width, generator=torch.Generator().manual_seed(0))
    shares = torch.tensor([0.5, 0.2, 0.2, 0.1])
    raw[:, 6:10] = shares.log()  # the first categorical
    rows = draw_rows(index.to_grouped(raw), index, torch.Generator())
    torch.testing.assert_close(rows[:, [0, 13]], torch.tanh(raw[:, [0, 13]]))
    torch.testing.assert_close(rows[:, 6:10].mean(dim=0), shares, atol=0.01, rtol=0)


def test_rows_are_the_same_from_either_memory_layout(mixed_layout: Layout) -> None:
    index = SpanIndex.from_layout(mixed_layout, CPU)
    raw = torch.randn(200, mixed_layout.width, generator=torch.Generator().manual_seed(0)) * 3
    transposed = raw.t().contiguous().t()  # the same (N, D) values, stored as (D, N)
    sigma = torch.tensor([0.3, 0.3])
    first = draw_rows(raw, index, torch.Generator().manual_seed(3), sigma=sigma)
    second = draw_rows(transposed, index, torch.Generator().manual_seed(3), sigma=sigma)
    assert torch.equal(first, second)
