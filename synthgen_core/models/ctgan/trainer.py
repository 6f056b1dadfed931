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

import torch
from torch import nn

from synthgen_core.models.config import CTGANConfig
from synthgen_core.models.ctgan.losses import conditional_loss, gradient_penalty
from synthgen_core.models.ctgan.networks import Discriminator, Generator
from synthgen_core.nn.adam import Adam
from synthgen_core.nn.heads import SpanHeads
from synthgen_core.sampling.condvec import ConditionalSampler, TrainingBatch

ADAM_BETAS = (0.5, 0.9)


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
    ) -> None:
        self.generator = generator
        self.critic = critic
        self.sampler = sampler
        self.heads = SpanHeads(sampler.layout, data.device)
        self.data = data  # (N, D) on the training device
        self.config = config
        self.rng = rng
        self.optimizer_g = _adam(generator, config.generator_lr, config.generator_decay)
        self.optimizer_d = _adam(critic, config.discriminator_lr, config.discriminator_decay)
        self.steps_per_epoch = max(data.shape[0] // config.batch_size, 1)
        self.critic_conditions = sampler.discrete_width  # the critic reads no mode conditions

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
        return {
            "generator": total_g / self.steps_per_epoch,
            "discriminator": total_d / self.steps_per_epoch,
        }

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
