"""One TVAE epoch: shuffle the device-resident table, step Adam on each batch.

The whole encoded table lives on the device as one float32 tensor; an epoch draws a seeded
permutation and slices batches from it, so there is no DataLoader, no host-to-device copy
per batch and no per-row collation. Losses are accumulated as device tensors and read by
:func:`~synthgen_core.nn.training.run_epochs` once per epoch: the loop never waits for the
GPU between steps.
"""

from __future__ import annotations

import torch

from synthgen_core.models.config import TVAEConfig
from synthgen_core.models.tvae.losses import ELBOTerms, elbo_loss
from synthgen_core.models.tvae.networks import Decoder, Encoder
from synthgen_core.nn.adam import Adam
from synthgen_core.nn.checkpoint import ModuleState, Stateful, TorchRandomState
from synthgen_core.nn.spans import SpanIndex

#: Held-out rows per forward pass of the validation loss.
VALIDATION_BATCH = 4096


class TVAETrainer:
    """Callable ``epoch -> {loss name: 0-dim tensor}`` for ``run_epochs``.

    ``data`` is the encoded table (N, D) on the device, in :class:`SpanIndex`'s grouped order.
    """

    def __init__(
        self,
        data: torch.Tensor,
        encoder: Encoder,
        decoder: Decoder,
        *,
        index: SpanIndex,
        config: TVAEConfig,
        generator: torch.Generator,
        validation: torch.Tensor | None = None,
    ) -> None:
        self.data = data  # (N, D) on the training device
        self.validation = validation  # (M, D) held-out rows, same order, or None
        self.encoder = encoder
        self.decoder = decoder
        self.index = index
        self.batch_size = config.batch_size
        self.loss_factor = config.loss_factor
        self.generator = generator
        weights = [*encoder.parameters(), *decoder.body.parameters(), *decoder.out.parameters()]
        # Two optimisers, one update each: the L2 penalty regularises the weights only, since
        # decaying sigma would pull it towards the middle of its range whatever the data say.
        self.optimizers = (
            Adam(weights, lr=config.learning_rate, weight_decay=config.l2scale),
            Adam([decoder.sigma_logit], lr=config.learning_rate),
        )

    def checkpoint_parts(self) -> dict[str, Stateful]:
        """Everything an epoch changes: both networks, both optimisers, the random stream."""
        return {
            "encoder": ModuleState(self.encoder),
            "decoder": ModuleState(self.decoder),
            "optimizer": self.optimizers[0],
            "optimizer_sigma": self.optimizers[1],
            "rng": TorchRandomState(self.generator),
        }

    def __call__(self, epoch: int) -> dict[str, torch.Tensor]:
        rows = self.data.shape[0]
        order = torch.randperm(rows, generator=self.generator, device=self.data.device)
        totals = torch.zeros(3, device=self.data.device)
        batches = 0
        for start in range(0, rows, self.batch_size):
            totals += self.step(self.data.index_select(0, order[start : start + self.batch_size]))
            batches += 1
        totals /= max(batches, 1)
        losses = {"loss": totals[0], "reconstruction": totals[1], "kl": totals[2]}
        if self.validation is not None:
            losses["validation"] = self.validation_loss(self.validation)
        return losses

    @torch.no_grad()
    def validation_loss(self, rows: torch.Tensor) -> torch.Tensor:
        """The loss of held-out rows (M, D), each encoded at its posterior mean."""
        total = torch.zeros((), device=rows.device)
        for start in range(0, rows.shape[0], VALIDATION_BATCH):
            batch = rows[start : start + VALIDATION_BATCH]
            mean, log_var = self.encoder(batch)  # (b, L), (b, L)
            total += self.loss(batch, mean, mean, log_var).loss * batch.shape[0]
        return total / rows.shape[0]

    def loss(
        self, batch: torch.Tensor, latent: torch.Tensor, mean: torch.Tensor, log_var: torch.Tensor
    ) -> ELBOTerms:
        """The negative ELBO of ``batch`` (B, D) decoded from ``latent`` (B, L)."""
        return elbo_loss(
            self.decoder(latent),
            batch,
            sigma=self.decoder.sigma(),
            mean=mean,
            log_var=log_var,
            index=self.index,
            loss_factor=self.loss_factor,
        )

    def step(self, batch: torch.Tensor) -> torch.Tensor:
        """One Adam step on ``batch`` (B, D); returns (loss, reconstruction, kl) detached."""
        mean, log_var = self.encoder(batch)  # (B, L), (B, L)
        noise = torch.randn(
            mean.shape, generator=self.generator, device=mean.device, dtype=mean.dtype
        )
        latent = mean + noise * torch.exp(0.5 * log_var)  # reparameterisation, (B, L)
        terms = self.loss(batch, latent, mean, log_var)
        for optimizer in self.optimizers:
            optimizer.zero_grad()
        torch.autograd.backward(terms.loss)
        for optimizer in self.optimizers:
            optimizer.step()
        return torch.stack(terms).detach()
