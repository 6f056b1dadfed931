"""TVAE: a variational autoencoder for tables (Xu et al., arXiv 1907.00503, section 4.4).

The table goes through the same mode-specific normalisation as CTGAN
(:class:`~synthgen_core.transform.table.TableTransformer`), except that each value is
encoded in its likeliest mode rather than a drawn one: the decoder learns the position
within the mode by regression, and a value written against a randomly drawn one of two
overlapping modes has two targets whose average fits neither. On 14 tables (three of the
shared datasets, eleven of statsmodels') quality rose on 11, by up to 0.03, and fell on
three by at most 0.012 (``benchmarks/notes/2026-12-05-likeliest-mode.md``). An encoder and
a decoder MLP are trained on the negative ELBO (:mod:`.losses`); new rows are drawn by decoding
``z ~ N(0, I)`` and sampling the decoder's distribution
(:func:`~synthgen_core.nn.spans.draw_rows`): scalars get Gaussian noise of their learned
sigma and one-hots are drawn from their softmax, as in the paper's generative model,
rather than taking means and argmaxes, which would narrow continuous columns and drop rare
categories. Only the decoder is kept after ``fit``: it is
all that sampling needs, and all that a model file stores.

Randomness: the config ``seed`` feeds one :class:`numpy.random.Generator`, from which the
transformer's seed and one ``torch.Generator`` (weight initialisation, shuffling,
reparameterisation noise) are derived, so two fits with the same seed on the same device
give the same model. ``sample(seed=...)`` derives its own generator from the sample seed.

TVAE has no conditional vector, so ``conditions`` are met by bounded rejection sampling
(:mod:`synthgen_core.sampling.rejection`), which raises :class:`ConditionError` when the
condition is too rare for the model to produce.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import torch

from synthgen_core.metadata import Metadata
from synthgen_core.models.base import ModelState, Synthesizer
from synthgen_core.models.config import TVAEConfig
from synthgen_core.models.tvae.networks import Decoder, build_decoder, build_encoder
from synthgen_core.models.tvae.trainer import TVAETrainer
from synthgen_core.nn.chunks import draw_in_chunks, row_blocks
from synthgen_core.nn.device import loading_device, resolve_device
from synthgen_core.nn.early_stopping import run_keeping_best, split_validation
from synthgen_core.nn.spans import SpanIndex, draw_rows
from synthgen_core.nn.training import TrainingCallback, history_from_json
from synthgen_core.nn.weights import restore_network
from synthgen_core.rng import child_seed, numpy_rng, torch_generator
from synthgen_core.sampling.rejection import sample_with_rejection
from synthgen_core.transform.table import TableTransformer

#: Rows per decoder product on a CPU (see :func:`~synthgen_core.nn.chunks.row_blocks`): a
#: layer's activations for 512 rows are 256 KiB at width 128.
CPU_PRODUCT_ROWS = 512
_DECODER_PREFIX = "decoder."
#: Layout of ``ModelState.values``; bump it (and read the old one) when it changes.
STATE_VERSION = 1


class TVAE(Synthesizer):
    """Tabular variational autoencoder; ``TVAE(epochs=300, batch_size=500, ...)``.

    Options are those of :class:`~synthgen_core.models.config.TVAEConfig`.
    """

    model_type = "tvae"
    config_type = TVAEConfig
    config: TVAEConfig

    @property
    def loss_history(self) -> list[dict[str, float]]:
        """Mean ``loss``, ``reconstruction`` and ``kl`` of every epoch run by ``fit``."""
        self._check_fitted()
        return self.loss_history_

    def _fit(
        self, data: pd.DataFrame, metadata: Metadata, callback: TrainingCallback | None
    ) -> None:
        config = self.config
        device = resolve_device(config.device)
        rng = numpy_rng(self._training_seed())
        transformer = TableTransformer(metadata, seed=child_seed(rng), mode_choice="likeliest")
        transformer.fit(data)
        layout = transformer.layout
        generator = torch_generator(child_seed(rng), device)
        index = SpanIndex.from_layout(layout, device)
        # The whole table moves to the device once, already in TVAE's grouped order.
        matrix = index.to_grouped(torch.as_tensor(transformer.transform(data), device=device))
        matrix, validation = split_validation(matrix, config.validation_fraction, rng)
        encoder = build_encoder(
            layout.width, config.compress_dims, config.embedding_dim, device, generator
        )
        decoder = self._build_decoder(layout.width, index.num_scalars, device, generator)
        self.loss_history_: list[dict[str, float]] = []
        self.best_epoch_ = 0
        if layout.width:  # a table of ids and constants has nothing to learn
            trainer = TVAETrainer(
                matrix,
                encoder,
                decoder,
                index=index,
                config=config,
                generator=generator,
                validation=validation,
            )
            self._train(trainer, callback)
        self._install(transformer, decoder.eval(), device)

    def _train(self, trainer: TVAETrainer, callback: TrainingCallback | None) -> None:
        """Run the epochs; with a validation split, stop early and keep the best decoder."""
        self.loss_history_, self.best_epoch_ = run_keeping_best(
            self.config.epochs,
            trainer,
            watch=None if trainer.validation is None else trainer.decoder,
            patience=self.config.patience,
            parts=trainer.checkpoint_parts(),
            checkpoint=self._training_checkpoint,
            callback=callback,
            max_seconds=self.config.max_training_seconds,
        )

    def _build_decoder(
        self,
        data_dim: int,
        num_scalars: int,
        device: torch.device,
        generator: torch.Generator | None,
    ) -> Decoder:
        return build_decoder(
            self.config.embedding_dim,
            self.config.decompress_dims,
            data_dim,
            num_scalars=num_scalars,
            device=device,
            generator=generator,
        )

    def _install(
        self, transformer: TableTransformer, decoder: Decoder, device: torch.device
    ) -> None:
        self.transformer_ = transformer
        self.decoder_ = decoder
        self.device_ = device
        self.span_index_ = SpanIndex.from_layout(transformer.layout, device)

    def _sample(
        self, num_rows: int, rng: np.random.Generator, conditions: dict[str, Any]
    ) -> pd.DataFrame:
        if conditions:
            codec = self.transformer_.codec
            return sample_with_rejection(
                self._draw, num_rows, conditions, self.metadata_, rng, codec=codec
            )
        return self._draw(num_rows, rng)

    def _draw(self, num_rows: int, rng: np.random.Generator) -> pd.DataFrame:
        """``num_rows`` unconditional rows, a pure function of ``rng``'s state."""
        generator = torch_generator(child_seed(rng), self.device_)
        width = self.transformer_.layout.width
        matrix = draw_in_chunks(num_rows, width, lambda out: self._decode(generator, out))
        return self.transformer_.inverse_transform(matrix, rng)

    @torch.inference_mode()
    def _decode(self, generator: torch.Generator, out: torch.Tensor) -> torch.Tensor:
        """Rows (n, D) in layout order for ``out`` (D, n), written there if on the device."""
        num_rows = out.shape[1]
        raw = torch.empty(
            (self.transformer_.layout.width, num_rows), device=self.device_
        )  # (D, n), grouped order
        for block in row_blocks(num_rows, self.device_, CPU_PRODUCT_ROWS):
            latent = torch.randn(
                (block.stop - block.start, self.config.embedding_dim),
                generator=generator,
                device=self.device_,
            )  # (b, L) from the prior
            self.decoder_.forward_transposed(latent, out=raw[:, block])
        sigma = self.decoder_.sigma()
        return draw_rows(raw.t(), self.span_index_, generator, sigma=sigma, out=out)

    def _get_state(self) -> ModelState:
        arrays = {
            _DECODER_PREFIX + name: tensor.detach().cpu().numpy()
            for name, tensor in self.decoder_.state_dict().items()
        }
        values = {
            "state_version": STATE_VERSION,
            "transformer": self.transformer_.to_dict(),
            "loss_history": self.loss_history_,
        }
        return ModelState(values=values, arrays=arrays)

    def _set_state(self, state: ModelState) -> None:
        if state.values.get("state_version", STATE_VERSION) > STATE_VERSION:
            raise ValueError("it was written by a newer SynthGen; upgrade synthgen-core")
        transformer = TableTransformer.from_dict(state.values["transformer"])
        layout = transformer.layout
        device = loading_device(self.config.device)
        scalars = sum(span.activation == "tanh" for span in layout.spans)
        decoder = restore_network(
            lambda on: self._build_decoder(layout.width, scalars, on, None),
            state.arrays,
            _DECODER_PREFIX,
            device,
        )
        self._install(transformer, decoder.eval(), device)
        self.loss_history_ = history_from_json(state.values["loss_history"])
