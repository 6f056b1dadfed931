"""Drawing token rows from the any-order network, conditions first.

Columns are drawn one at a time for a whole chunk of rows: the network computes its output
for the next column given the columns drawn so far (:mod:`.cursors`), the column's head
gives a categorical distribution, and one token per row is drawn from it by inverse CDF. A
conditioned column is not drawn: its token is written in, and it comes first in the order,
so every column drawn after it follows the model's conditional given it. That makes
conditions on any set of columns exact, with no rejection. A range condition on a column
comes next in the order: its tokens outside the range are masked out of the head's logits,
so it is drawn from the model's conditional restricted to the range, and the columns after
it follow given it. Exact dependencies between columns found at fit (:mod:`.dependencies`)
hold in every row the same way: by lookup, or by masking the tokens that would break them.

Rows that share the tokens drawn so far share the network's output, so early positions run
once per distinct prefix (:mod:`.prefixes`): the same rows, for less work.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from synthgen_core.models.autoregressive.cursors import chunk_rows, cursor
from synthgen_core.models.autoregressive.dependencies import Dependency, DependencyGuard
from synthgen_core.models.autoregressive.networks import AnyOrderNetwork
from synthgen_core.models.autoregressive.prefixes import Prefixes


def sampling_order(n_columns: int, first: list[int]) -> list[int]:
    """The conditioned columns (in the order given), then the others in table order."""
    return [*first, *(column for column in range(n_columns) if column not in first)]


@torch.inference_mode()
def draw_tokens(
    network: AnyOrderNetwork,
    n_rows: int,
    fixed: dict[int, int],
    generator: torch.Generator,
    *,
    temperature: float = 1.0,
    dependencies: list[Dependency] | None = None,
    ranges: dict[int, torch.Tensor] | None = None,
) -> torch.Tensor:
    """(n_rows, C) int64 tokens on the CPU; column ``c`` holds ``fixed[c]`` where given.

    Column ``c`` of ``ranges`` draws only the tokens its (V,) bool mask allows. Every row
    keeps the ``dependencies`` (see :mod:`.dependencies`).
    """
    network.eval()
    device = network.device
    masks = {column: mask.to(device) for column, mask in (ranges or {}).items()}
    order = sampling_order(network.n_columns, [*fixed, *masks])
    guard = DependencyGuard(dependencies or [], device)
    drawing = _Drawing(guard=guard, generator=generator, temperature=temperature, ranges=masks)
    out = torch.empty((n_rows, network.n_columns), dtype=torch.long)
    step = chunk_rows(network)
    for start in range(0, n_rows, step):
        stop = min(start + step, n_rows)
        out[start:stop] = _draw_chunk(network, stop - start, order, fixed, drawing)
    return out


@dataclass(frozen=True)
class _Drawing:
    """How each column's tokens are drawn: dependencies, random stream, temperature, ranges."""

    guard: DependencyGuard
    generator: torch.Generator
    temperature: float
    #: Per ranged column, its (V,) bool mask of the tokens inside the range.
    ranges: dict[int, torch.Tensor]


def _draw_chunk(
    network: AnyOrderNetwork,
    n_rows: int,
    order: list[int],
    fixed: dict[int, int],
    drawing: _Drawing,
) -> torch.Tensor:
    device = network.device
    tokens = torch.empty((n_rows, network.n_columns), dtype=torch.long, device=device)
    if not order:
        return tokens.cpu()
    rows = cursor(network, n_rows, order)
    prefixes: Prefixes | None = Prefixes.start(n_rows, device)
    done: set[int] = set()
    for column in order:
        hidden = rows.hidden(prefixes)  # (n, W)
        if column in fixed:
            drawn = torch.full((n_rows,), fixed[column], dtype=torch.long, device=device)
        else:
            drawn = _draw_column(network, hidden, column, tokens, done=done, drawing=drawing)
        tokens[:, column] = drawn
        done.add(column)
        if prefixes is not None:
            prefixes = prefixes.extend(drawn, network.vocab_sizes[column])
        rows.advance(drawn)
    return tokens.cpu()


def _draw_column(
    network: AnyOrderNetwork,
    hidden: torch.Tensor,
    column: int,
    tokens: torch.Tensor,
    *,
    done: set[int],
    drawing: _Drawing,
) -> torch.Tensor:
    """(n,) tokens of ``column``.

    Looked up where a drawn column determines it, else drawn from the network among the
    tokens that agree with the drawn columns.
    """
    forced = drawing.guard.forced(column, tokens, done)
    if forced is not None and bool((forced >= 0).all()):
        return forced
    logits = network.logits(hidden, column)  # (n, V)
    allowed = drawing.guard.allowed(column, tokens, done)
    if allowed is not None:
        logits = logits.masked_fill(~allowed, float("-inf"))
    if column in drawing.ranges:
        logits = logits.masked_fill(~drawing.ranges[column], float("-inf"))  # (n, V)
    drawn = _draw(logits, drawing.generator, drawing.temperature)
    return drawn if forced is None else torch.where(forced >= 0, forced, drawn)


def _draw(logits: torch.Tensor, generator: torch.Generator, temperature: float) -> torch.Tensor:
    """(n, V) logits -> (n,) one token per row, by inverse CDF."""
    if temperature != 1.0:
        logits = logits / temperature
    cumulative = torch.softmax(logits, dim=1).cumsum_(dim=1)  # (n, V)
    uniform = (
        torch.rand((logits.shape[0], 1), generator=generator, device=logits.device)
        * cumulative[:, -1:]
    )  # scaled: rounding never leaves the last token unreachable
    return (cumulative < uniform).sum(dim=1).clamp_(max=logits.shape[1] - 1)
