"""CTGAN's adversarial training loop (arXiv 1907.00503, sections 4.3-4.4), one step per method.

An epoch is ``N // batch_size`` steps; a step is ``discriminator_steps`` critic updates
(WGAN-GP with PacGAN) and one generator update (Wasserstein loss plus the conditional
cross-entropy). Every batch comes from training-by-sampling.

Beyond the paper, training-by-sampling also conditions on the modes of continuous columns
(:mod:`synthgen_core.sampling.condvec`), but the critic reads only the discrete columns'
part of each conditional vector: a mode is already in the row it scores (its one-hot),
and on adult, taxis and credit_default (two seeds each) showing the critic the modes as
well gave no better quality or efficacy for up to ~20% more time per step.

Choices beyond the paper, all for speed with the same maths:

* the encoded table stays on the device as one float32 tensor; batches are row gathers;
* the critic step runs the generator under ``no_grad`` (its gradients would be discarded),
  and scores real and fake rows in one forward pass (the critic has no batch norm, so
  this changes nothing);
* the generator reads the conditional vector as category ids and gathers weight columns
  where a product with the one-hot would multiply mostly zeros (:class:`~.networks.Generator`);
* the generator step freezes the critic's parameters so no weight gradient is computed
  for them;
* losses are summed as device tensors and read once per epoch by ``run_epochs``;
* the optimiser is :class:`synthgen_core.nn.adam.Adam` (see there why not ``torch.optim``).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from synthgen_core.models.config import CTGANConfig
from synthgen_core.models.ctgan.losses import conditional_loss, gradient_penalty
from synthgen_core.models.ctgan.networks import Discriminator, Generator
from synthgen_core.nn.adam import Adam
from synthgen_core.nn.checkpoint import ModuleState, Stateful, TorchRandomState
from synthgen_core.nn.heads import SpanHeads
from synthgen_core.nn.marginals import dependence_distance, marginal_distance
from synthgen_core.sampling.condvec import ConditionalSampler, TrainingBatch

ADAM_BETAS = (0.5, 0.9)
#: Held-out rows compared with as many generated rows after each epoch.
VALIDATION_ROWS = 5000
#: Weight of the newest epoch in the moving average that early stopping watches: a GAN's
#: samples drift from epoch to epoch by more than they improve, so single epochs mislead.
SMOOTHING = 0.1


class GANTrainer:
    """Owns the optimisers and runs CTGAN epochs over one encoded table."""

    def __init__(
        self,
        generator: Generator,
        critic: Discriminator,
        sampler: ConditionalSampler,
        data: torch.Tensor,
        *,
        config: CTGANConfig,
        rng: torch.Generator,
        validation: torch.Tensor | None = None,
    ) -> None:
        self.generator = generator
        self.critic = critic
        self.sampler = sampler
        self.heads = SpanHeads(sampler.layout, data.device)
        self.data = data  # (N, D) on the training device
        self.validation = validation  # (M, D) held-out rows, or None
        self.smoothed: torch.Tensor | None = None  # moving average of the validation distance
        self.config = config
        self.rng = rng
        self.optimizer_g = _adam(generator, config.generator_lr, config.generator_decay)
        self.optimizer_d = _adam(critic, config.discriminator_lr, config.discriminator_decay)
        self.steps_per_epoch = max(data.shape[0] // config.batch_size, 1)
        self.critic_conditions = sampler.discrete_width  # the critic reads no mode conditions

    def checkpoint_parts(self) -> dict[str, Stateful]:
        """Everything an epoch changes: both networks, both optimisers, the random stream."""
        return {
            "generator": ModuleState(self.generator),
            "critic": ModuleState(self.critic),
            "optimizer_g": self.optimizer_g,
            "optimizer_d": self.optimizer_d,
            "rng": TorchRandomState(self.rng),
            "validation": self,
        }

    def checkpoint_state(self) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
        """The moving average of the validation distance (None before the first epoch)."""
        return {}, {} if self.smoothed is None else {"smoothed": self.smoothed}

    def restore_checkpoint_state(
        self, values: dict[str, Any], tensors: dict[str, torch.Tensor]
    ) -> None:
        smoothed = tensors.get("smoothed")
        self.smoothed = None if smoothed is None else smoothed.to(self.data.device)

    def run_epoch(self, epoch: int) -> dict[str, torch.Tensor]:
        """One pass of ``N // batch_size`` steps; returns the mean losses as tensors."""
        self.generator.train()
        self.critic.train()
        total_g = torch.zeros((), device=self.data.device)
        total_d = torch.zeros((), device=self.data.device)
        for _ in range(self.steps_per_epoch):
            for _ in range(self.config.discriminator_steps):
                loss_d = self.critic_step()
            total_d += loss_d
            total_g += self.generator_step()
        losses = {
            "generator": total_g / self.steps_per_epoch,
            "discriminator": total_d / self.steps_per_epoch,
        }
        if self.validation is not None:
            distance = self.validation_distance(self.validation)
            self.smoothed = (
                distance if self.smoothed is None else self.smoothed.lerp(distance, SMOOTHING)
            )
            losses["validation"], losses["validation_smoothed"] = distance, self.smoothed
        return losses

    @torch.no_grad()
    def validation_distance(self, real: torch.Tensor) -> torch.Tensor:
        """How far rows generated as ``sample`` does sit from held-out rows (M, D).

        The sum of :mod:`~synthgen_core.nn.marginals`' two distances: column shapes and
        pairwise correlations.
        """
        rows = min(real.shape[0], VALIDATION_ROWS)
        self.generator.eval()
        noise = torch.randn(
            rows, self.config.embedding_dim, generator=self.rng, device=real.device
        )  # (B, E)
        category = (
            self.sampler.sample_original_ids(rows, self.rng) if self.sampler.n_columns else None
        )  # (B,) real frequencies, as sampling draws them
        fake = self.heads(self.generator(noise, category), generator=self.rng)  # (B, D)
        self.generator.train()
        real = real[:rows]
        layout = self.sampler.layout
        return marginal_distance(fake, real, layout) + dependence_distance(fake, real, layout)

    def fake_rows(self, draw: TrainingBatch) -> tuple[torch.Tensor, torch.Tensor]:
        """Generator output for a batch's conditions: raw logits and activated rows (B, D)."""
        noise = torch.randn(
            draw.rows.shape[0],
            self.config.embedding_dim,
            generator=self.rng,
            device=draw.rows.device,
        )  # (B, E)
        raw: torch.Tensor = self.generator(noise, draw.global_id)  # (B, D)
        return raw, self.heads(raw, generator=self.rng)

    def critic_step(self) -> torch.Tensor:
        """One WGAN-GP update of the critic; returns its loss (detached)."""
        draw = self.sampler.sample_training(self.config.batch_size, self.rng)
        with torch.no_grad():
            _, fake = self.fake_rows(draw)
        cond = draw.cond[:, : self.critic_conditions]  # (B, C')
        real = torch.cat([self.data.index_select(0, draw.rows), cond], dim=1)  # (B, D + C')
        fake = torch.cat([fake, cond], dim=1)  # (B, D + C')
        scores: torch.Tensor = self.critic(torch.cat([real, fake], dim=0))  # (2B / pac, 1)
        score_real, score_fake = scores.chunk(2)
        wasserstein = score_fake.mean() - score_real.mean()
        loss = wasserstein + gradient_penalty(self.critic, real, fake, self.rng)
        self.optimizer_d.zero_grad()
        torch.autograd.backward(loss)
        self.optimizer_d.step()
        return loss.detach()

    def generator_step(self) -> torch.Tensor:
        """One update of the generator: fool the critic and honour the conditions."""
        draw = self.sampler.sample_training(self.config.batch_size, self.rng)
        raw, fake = self.fake_rows(draw)
        self.critic.requires_grad_(False)
        try:
            cond = draw.cond[:, : self.critic_conditions]
            score: torch.Tensor = self.critic(torch.cat([fake, cond], dim=1))  # (B / pac, 1)
        finally:
            self.critic.requires_grad_(True)
        loss = -score.mean()
        if self.sampler.n_columns:
            loss = loss + conditional_loss(
                raw,
                draw.column,
                draw.category,
                self.sampler.span_index,
                self.sampler.span_padding,
            )
        self.optimizer_g.zero_grad()
        torch.autograd.backward(loss)
        self.optimizer_g.step()
        return loss.detach()


def _adam(network: nn.Module, lr: float, decay: float) -> Adam:
    """Adam with the paper's betas (0.5, 0.9)."""
    return Adam(network.parameters(), lr=lr, betas=ADAM_BETAS, weight_decay=decay)
