"""Training-time activations per span of the :class:`Layout`: tanh, or a Gumbel-softmax.

CTGAN (arXiv 1907.00503, section 4.4) samples one-hot spans with Gumbel-softmax at
temperature 0.2 so the generator's output looks discrete to the discriminator while staying
differentiable. The Gumbel noise is drawn from an explicit ``torch.Generator`` so a seeded
fit is reproducible without touching the global RNG. Sampling draws exact one-hots instead
(:func:`~synthgen_core.nn.spans.draw_rows`).
"""

from __future__ import annotations

import torch
from torch.nn import functional

from synthgen_core.transform.layout import Layout

GUMBEL_TAU = 0.2


class SpanHeads:
    """Each span's activation for one layout, in a handful of whole-matrix kernels.

    Activating span by span launches several small kernels per span, which dominates a CPU
    training step when a table has dozens of spans. Here every column gets a segment id
    (its span), Gumbel noise is drawn for the whole (B, D) matrix at once and the softmax
    is taken per segment: a scatter max keeps ``exp`` in range, a matmul with the
    column-to-span membership sums each span. Tanh columns (one-column segments) take the
    tanh of the raw output instead. Same distribution as a span-by-span Gumbel-softmax, not
    the same random stream.
    """

    def __init__(self, layout: Layout, device: torch.device | str = "cpu") -> None:
        segment = torch.zeros(layout.width, dtype=torch.long)
        is_tanh = torch.zeros(layout.width, dtype=torch.bool)
        for position, span in enumerate(layout.spans):
            segment[span.start : span.end] = position
            is_tanh[span.start : span.end] = span.activation == "tanh"
        self.segment = segment.to(device)  # (D,) span of each column
        self.is_tanh = is_tanh.to(device)  # (D,)
        self.n_segments = len(layout.spans)
        membership = functional.one_hot(segment, self.n_segments).float()
        self.membership = membership.to(device)  # (D, S): column -> its span

    def __call__(
        self,
        raw: torch.Tensor,
        *,
        tau: float = GUMBEL_TAU,
        gumbel: bool = True,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Activated rows (B, D) from the raw network output (B, D)."""
        logits = (raw + _gumbel_noise(raw, generator)) / tau if gumbel else raw  # (B, D)
        probabilities = self._segment_softmax(logits)
        return torch.where(self.is_tanh, torch.tanh(raw), probabilities)

    def _segment_peak(self, logits: torch.Tensor) -> torch.Tensor:
        """The largest value of each span (B, S)."""
        index = self.segment.expand_as(logits)  # (B, D)
        peak = torch.full(
            (logits.shape[0], self.n_segments),
            float("-inf"),
            device=logits.device,
            dtype=logits.dtype,
        )
        return peak.scatter_reduce(1, index, logits, "amax")

    def _segment_softmax(self, logits: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():  # the shift cancels out of the softmax: no gradient needed
            peak = self._segment_peak(logits)  # (B, S)
        exponentials = (logits - peak.index_select(1, self.segment)).exp()  # (B, D)
        # a matmul, not scatter_add: CUDA's atomic adds would make sampling nondeterministic
        totals = exponentials @ self.membership.to(logits.dtype)  # (B, S)
        return exponentials / totals.index_select(1, self.segment)


def _gumbel_noise(like: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """Standard Gumbel noise shaped like ``like``: ``-log(-log(u))``, computed in place."""
    uniform = torch.rand(like.shape, generator=generator, device=like.device, dtype=like.dtype)
    return uniform.clamp_min_(1e-20).log_().neg_().clamp_min_(1e-20).log_().neg_()
