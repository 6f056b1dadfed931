"""The any-order MLP: one network for every column order, and a sampling cursor that
gives the numbers of a full pass, once per shared prefix or once per row."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from synthgen_core.models.autoregressive import cursors
from synthgen_core.models.autoregressive.cursors import MLPCursor, MLPLayout
from synthgen_core.models.autoregressive.mlp import AnyOrderMLP
from synthgen_core.models.autoregressive.prefixes import Prefixes
from tests.core.models.autoregressive.small_networks import random_tokens, small_network

VOCAB = [3, 5, 4, 2]
POSITIONS = [None, np.linspace(0.0, 1.0, 5), np.array([0.0, 0.5, 1.0, np.nan]), None]


def _network(seed: int = 0, depth: int = 2) -> AnyOrderMLP:
    return small_network(VOCAB, POSITIONS, "mlp", seed=seed, depth=depth)


def _tokens(rows: int = 64) -> torch.Tensor:
    return random_tokens(VOCAB, rows)


def _stepped(
    network: AnyOrderMLP, tokens: torch.Tensor, order: list[int], *, shared: bool
) -> list[torch.Tensor]:
    """Each column's logits from the cursor, teacher-forced on ``tokens``, by column."""
    cursor = MLPCursor(network, len(tokens), order)
    prefixes: Prefixes | None = Prefixes.start(len(tokens), tokens.device) if shared else None
    out: dict[int, torch.Tensor] = {}
    for column in order:
        out[column] = network.logits(cursor.hidden(prefixes), column)
        if prefixes is not None:
            prefixes = prefixes.extend(tokens[:, column], VOCAB[column])
        cursor.advance(tokens[:, column])
    return [out[column] for column in range(len(VOCAB))]


@pytest.fixture(params=["tables", "product", "both"])
def table_budget(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The first layer from looked-up tables, from the product, or tables for early
    positions only (a table too large for the budget keeps the product)."""
    rows_of_width = 4 * 16  # bytes of one table row at the small networks' width
    budget = {"tables": 2**30, "product": 0, "both": (3 + 8) * rows_of_width}[request.param]
    monkeypatch.setattr(cursors, "MLP_TABLE_BYTES", budget)
    return str(request.param)


@torch.no_grad()
def test_the_layout_builds_tables_while_they_fit(table_budget: str):
    layout = MLPLayout.of(_network(), [0, 1, 2, 3])
    built = [table is not None for table in layout.tables]
    expected = {
        "tables": [False, True, True, True],
        "product": [False, False, False, False],
        "both": [False, True, True, False],  # 3 rows, then 3 + 5, then 12 over budget
    }[table_budget]
    assert built == expected
    for position, table in enumerate(layout.tables):
        if table is not None:
            assert table.shape == (sum(VOCAB[:position]), 16)


@torch.no_grad()
def test_the_cursor_gives_the_losses_of_a_full_pass_in_every_order(table_budget: str):
    tokens = _tokens()
    for depth in (1, 2):
        network = _network(depth=depth)
        for order in ([0, 1, 2, 3], [2, 0, 3, 1], [3, 2, 1, 0]):
            full = network.column_losses(tokens, torch.tensor(order))  # (C,) per column
            stepped = torch.stack(
                [
                    torch.nn.functional.cross_entropy(logits, tokens[:, column])
                    for column, logits in enumerate(_stepped(network, tokens, order, shared=False))
                ]
            )
            torch.testing.assert_close(stepped, full, rtol=1e-4, atol=1e-5)


@torch.no_grad()
def test_one_pass_per_prefix_gives_every_row_the_plain_numbers(table_budget: str):
    network, tokens = _network(), _tokens(rows=200)
    for order in ([0, 3, 2, 1], [1, 0, 2, 3]):
        plain = _stepped(network, tokens, order, shared=False)
        shared = _stepped(network, tokens, order, shared=True)
        for a, b in zip(plain, shared, strict=True):
            torch.testing.assert_close(b, a, rtol=1e-5, atol=1e-5)


@torch.no_grad()
def test_each_column_sees_only_the_columns_read_before_it():
    network, tokens = _network(), _tokens()
    order = [2, 0, 1, 3]
    changed = tokens.clone()
    changed[:, 0] = (changed[:, 0] + 1) % VOCAB[0]  # column 0 is read second
    before = _stepped(network, tokens, order, shared=False)
    after = _stepped(network, changed, order, shared=False)
    assert torch.equal(before[2], after[2])  # read first: sees nothing
    assert torch.equal(before[0], after[0])  # column 0 itself: sees only column 2
    assert not torch.allclose(before[1], after[1])  # columns 1 and 3 read column 0
    assert not torch.allclose(before[3], after[3])


def test_a_seed_gives_the_same_weights():
    first, again = _network(3).state_dict(), _network(3).state_dict()
    assert first.keys() == again.keys()
    assert all(torch.equal(first[name], again[name]) for name in first)
    assert not torch.equal(_network(4).head.weight, first["head.weight"])


def test_training_lowers_the_loss_in_a_random_order():
    """Any-order: fitted in mixed orders, a column learns from whichever columns precede."""
    network = _network().train()
    tokens = _tokens(rows=256)
    tokens[:, 3] = tokens[:, 0] % 2  # column 3 follows column 0
    optimizer = torch.optim.Adam(network.parameters(), lr=1e-2)
    generator = torch.Generator().manual_seed(0)
    for _ in range(150):
        order = torch.randperm(len(VOCAB), generator=generator)
        optimizer.zero_grad()
        network.column_losses(tokens, order).mean().backward()
        optimizer.step()
    network.eval()
    with torch.no_grad():
        after_zero = network.column_losses(tokens, torch.tensor([0, 3, 1, 2]))
        before_zero = network.column_losses(tokens, torch.tensor([3, 0, 1, 2]))
    assert float(after_zero[3]) < 0.05  # given column 0, column 3 is known
    assert float(before_zero[3]) > 0.5  # alone, it is a coin flip (ln 2 = 0.69)


@torch.no_grad()
def test_reordering_rows_mid_way_gives_the_numbers_of_the_reordered_rows(table_budget: str):
    """Resampling for a condition keeps each row's state with it, prefixes included."""
    network, tokens = _network(), _tokens(rows=100)
    kept = torch.randint(0, 100, (100,), generator=torch.Generator().manual_seed(2))
    order = [1, 3, 0, 2]
    cursor = MLPCursor(network, len(tokens), order)
    prefixes: Prefixes | None = Prefixes.start(len(tokens), tokens.device)
    rows = tokens
    for position, column in enumerate(order):
        hidden = cursor.hidden(prefixes)
        if position == 2:
            cursor.reorder(kept)
            rows, hidden = rows[kept], hidden[kept]
            prefixes = None if prefixes is None else prefixes.select(kept)
        if prefixes is not None:
            prefixes = prefixes.extend(rows[:, column], VOCAB[column])
        cursor.advance(rows[:, column])
    expected = _stepped(network, tokens[kept], order, shared=False)
    torch.testing.assert_close(network.logits(hidden, order[-1]), expected[order[-1]])
