import torch
from torch.nn import functional

from synthgen_core.transform.layout import Activation, Layout, Role, Span


def make_layout(*parts: tuple[Role, int]) -> Layout:
    """A layout from (role, width) pairs; roles decide the activation as the data layer does."""
    spans = []
    start = 0
    for number, (role, width) in enumerate(parts):
        activation: Activation = "tanh" if role == "value" else "softmax"
        spans.append(
            Span(column=f"c{number}", start=start, width=width, activation=activation, role=role)
        )
        start += width
    return Layout(tuple(spans))


def random_rows(layout: Layout, num_rows: int, seed: int = 0) -> torch.Tensor:
    """Encoded rows as the data layer makes them: scalars in [-1, 1], exact one-hots."""
    generator = torch.Generator().manual_seed(seed)
    parts = []
    for span in layout.spans:
        if span.activation == "tanh":
            parts.append(torch.rand(num_rows, 1, generator=generator) * 2 - 1)
        else:
            choice = torch.randint(span.width, (num_rows,), generator=generator)
            parts.append(functional.one_hot(choice, span.width).float())
    return torch.cat(parts, dim=1)
