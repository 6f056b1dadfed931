"""What a benchmark run leaves behind: ``results.json``, ``results.md`` and PNG plots.

Figures are only comparable on the same machine, so the JSON starts with the machine (CPU
model, threads, GPU, library versions). Every peer figure sits beside SynthGen's with the
ratio SynthGen / peer, always in that direction (below 1 is better for time, memory and
size; above 1 for throughput and scores).
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import msgspec

from benchmarks.measure import Measurement

LIBRARIES = (
    "synthgen-core",
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "torch",
    "sdv",
    "sdmetrics",
)


class Machine(msgspec.Struct, kw_only=True):
    cpu: str
    threads: int | None
    torch_threads: int | None
    gpu: str | None
    python: str
    platform: str
    libraries: dict[str, str | None]


class Results(msgspec.Struct, kw_only=True):
    command: str
    started: str
    machine: Machine
    measurements: list[Measurement]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def machine() -> Machine:
    """This machine; torch is asked about threads and GPUs only when installed."""
    torch_threads, gpu = None, None
    if _version("torch") is not None:
        import torch

        torch_threads = torch.get_num_threads()
        if torch.cuda.is_available():
            gpu = torch.cuda.get_device_name(0)
    return Machine(
        cpu=_cpu_model(),
        threads=os.cpu_count(),
        torch_threads=torch_threads,
        gpu=gpu,
        python=platform.python_version(),
        platform=platform.platform(),
        libraries={name: _version(name) for name in LIBRARIES},
    )


# -- Markdown -------------------------------------------------------------------------------

Format = Callable[[float], str]
#: (header, Measurement field, format); the table's columns, in order.
COLUMNS: tuple[tuple[str, str, Format], ...] = (
    ("fit s", "fit_seconds", lambda v: f"{v:.1f}"),
    ("s/epoch", "seconds_per_epoch", lambda v: f"{v:.2f}"),
    ("sample rows/s", "sample_rows_per_second", lambda v: f"{v:,.0f}"),
    ("peak RSS MiB", "peak_rss_mb", lambda v: f"{v:,.0f}"),
    ("fit RSS +MiB", "fit_rss_delta_mb", lambda v: f"{v:,.0f}"),
    ("file KiB", "model_file_bytes", lambda v: f"{v / 1024:,.0f}"),
    ("quality", "quality", lambda v: f"{v:.3f}"),
    ("quality (trends only)", "quality_thresholded", lambda v: f"{v:.3f}"),
    ("SDMetrics quality", "quality_sdmetrics", lambda v: f"{v:.3f}"),
    ("detection", "detection", lambda v: f"{v:.3f}"),
    ("alpha-precision", "alpha_precision", lambda v: f"{v:.3f}"),
    ("beta-recall", "beta_recall", lambda v: f"{v:.3f}"),
    ("efficacy (synth / real)", "efficacy_synthetic", lambda v: f"{v:.3f}"),
    ("closer to train", "closer_to_train", lambda v: f"{v:.2f}"),
)
EFFICACY = [field for _, field, _ in COLUMNS].index("efficacy_synthetic")
LABELS = {"synthgen": "SynthGen", "sdv": "SDV"}
#: Peers without a synthesizer of a model's design measure a stand-in, named in the tables.
STAND_INS = {("sdv", "autoregressive"): "SDV CTGAN"}


def label(item: Measurement) -> str:
    """The implementation as the tables name it."""
    stand_in = STAND_INS.get((item.implementation, item.model))
    return stand_in or LABELS.get(item.implementation, item.implementation)


def _cell(value: float | None, fmt: Format) -> str:
    return "—" if value is None else fmt(value)


def _row(item: Measurement) -> list[str]:
    cells = [_cell(getattr(item, field), fmt) for _, field, fmt in COLUMNS]
    if item.efficacy_real is not None:  # synthetic-trained score / real-trained score
        synthetic = _cell(item.efficacy_synthetic, COLUMNS[EFFICACY][2])
        cells[EFFICACY] = f"{synthetic} / {item.efficacy_real:.3f}"
        cells[EFFICACY] += f" ({item.efficacy_metric})"
    return cells


def _ratio_row(ours: Measurement, peer: Measurement) -> list[str]:
    cells = []
    for _, field, _ in COLUMNS:
        mine, theirs = getattr(ours, field), getattr(peer, field)
        cells.append(f"{mine / theirs:.2f}x" if mine is not None and theirs else "—")
    return cells


def _line(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _seed(item: Measurement) -> int | None:
    return None if item.spec is None else item.spec.seed


def _setting(item: Measurement, with_seed: bool) -> str:
    epochs = "" if item.epochs is None else f", epochs={item.epochs}"
    seed = f", seed={_seed(item)}" if with_seed else ""
    if item.rows_train is None or item.rows_holdout is None:
        return f"rows unknown{epochs}{seed}"
    return f"{item.rows_train:,} train / {item.rows_holdout:,} holdout rows{epochs}{seed}"


def markdown(results: Results) -> str:
    """One table over every run; failed runs are listed with their error below it."""
    head = ["dataset", "model", "implementation", "setting", *[h for h, _, _ in COLUMNS]]
    lines = [
        f"Command: `{results.command}`",
        "",
        f"Machine: {results.machine.cpu}, {results.machine.threads} threads, "
        f"GPU: {results.machine.gpu or 'none'}; started {results.started}.",
        "",
        _line(head),
        _line(["---"] * len(head)),
    ]
    done = [m for m in results.measurements if m.error is None]
    repeated = len({_seed(m) for m in done}) > 1
    for item in done:
        key = [item.dataset, item.model, label(item)]
        lines.append(_line([*key, _setting(item, repeated), *_row(item)]))
        ours = _find(done, item, "synthgen")
        if item.implementation != "synthgen" and ours is not None:
            ratio_key = [item.dataset, item.model, f"ratio SynthGen / {key[2]}", ""]
            lines.append(_line([*ratio_key, *_ratio_row(ours, item)]))
    if repeated:
        lines += ["", *over_seeds(done)]
    lines += [""] + [
        f"- NOTE {m.dataset} / {m.model} / {m.implementation}: {note}"
        for m in done
        for note in m.notes
    ]
    failed = [m for m in results.measurements if m.error is not None]
    lines += [
        "",
        *[f"- FAILED {m.dataset} / {m.model} / {m.implementation}: {m.error}" for m in failed],
    ]
    return "\n".join(lines).rstrip() + "\n"


def _find(items: list[Measurement], like: Measurement, impl: str) -> Measurement | None:
    """The run of ``impl`` on the same dataset, model and seed as ``like``."""
    for item in items:
        same = (item.dataset, item.model, _seed(item)) == (like.dataset, like.model, _seed(like))
        if same and item.implementation == impl:
            return item
    return None


#: The fields of the table over seeds: the figures that move from one seed to the next.
SPREAD_FIELDS = (
    "fit_seconds",
    "sample_rows_per_second",
    "quality_sdmetrics",
    "detection",
    "alpha_precision",
    "beta_recall",
    "efficacy_synthetic",
    "closer_to_train",
)
SPREAD = tuple(
    (header.replace("synth / real", "synth"), field, fmt)
    for header, field, fmt in COLUMNS
    if field in SPREAD_FIELDS
)


def _spread(values: list[float], fmt: Format) -> str:
    """Mean ± sample standard deviation (just the value for one run)."""
    if not values:
        return "—"
    if len(values) == 1:
        return fmt(values[0])
    return f"{fmt(statistics.mean(values))} ± {fmt(statistics.stdev(values))}"


def over_seeds(done: list[Measurement]) -> list[str]:
    """Mean ± standard deviation over the seeds of each (dataset, model, implementation).

    Under each peer, the ratio of SynthGen's mean to the peer's: one seed's ratio is at the
    mercy of that seed's luck (GAN scores move by a few hundredths between seeds).
    """
    head = ["dataset", "model", "implementation", "seeds", *[h for h, _, _ in SPREAD]]
    lines = ["Over seeds: mean ± standard deviation", "", _line(head), _line(["---"] * len(head))]
    groups = dict.fromkeys((m.dataset, m.model, m.implementation) for m in done)
    means: dict[tuple[str, str, str], list[float | None]] = {}
    for dataset, model, impl in groups:
        runs = [m for m in done if (m.dataset, m.model, m.implementation) == (dataset, model, impl)]
        cells, means[dataset, model, impl] = [], []
        for _, field, fmt in SPREAD:
            values = [v for v in (getattr(m, field) for m in runs) if v is not None]
            cells.append(_spread(values, fmt))
            means[dataset, model, impl].append(statistics.mean(values) if values else None)
        seeds = ",".join(str(_seed(m)) for m in runs)
        name = STAND_INS.get((impl, model)) or LABELS.get(impl, impl)
        lines.append(_line([dataset, model, name, seeds, *cells]))
        ours = means.get((dataset, model, "synthgen"))
        if impl != "synthgen" and ours is not None:
            ratios = [
                f"{mine / theirs:.2f}x" if mine is not None and theirs else "—"
                for mine, theirs in zip(ours, means[dataset, model, impl], strict=True)
            ]
            lines.append(_line([dataset, model, f"ratio of means SynthGen / {name}", "", *ratios]))
    return lines


def write_json(results: Results, out: Path) -> Path:
    """``results.json``, replaced atomically: a run killed mid-write leaves the old one."""
    out.mkdir(parents=True, exist_ok=True)
    path, partial = out / "results.json", out / "results.json.partial"
    partial.write_bytes(msgspec.json.format(msgspec.json.encode(results)))
    partial.replace(path)
    return path


def write(results: Results, out: Path) -> list[Path]:
    """Write results.json, results.md and the plots into ``out``; return the paths."""
    md_path = out / "results.md"
    paths = [write_json(results, out), md_path]
    md_path.write_text(markdown(results), encoding="utf-8")
    paths += quality_vs_time(results.measurements, out)
    paths += loss_curves(results.measurements, out)
    return paths


# -- plots ----------------------------------------------------------------------------------


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on benchmark machines
    import matplotlib.pyplot as plt

    return plt


def quality_vs_time(items: list[Measurement], out: Path) -> list[Path]:
    """Scatter of SDMetrics quality against fit seconds: one colour per model."""
    done = [m for m in items if m.fit_seconds and m.quality_sdmetrics is not None]
    if not done:
        return []
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(7, 4.5), layout="constrained")
    models = sorted({m.model for m in done})
    markers = {"synthgen": "o", "sdv": "s"}
    for colour, model in enumerate(models):
        for item in (m for m in done if m.model == model):
            axis.scatter(
                item.fit_seconds,
                item.quality_sdmetrics,
                color=f"C{colour}",
                marker=markers.get(item.implementation, "^"),
            )
            axis.annotate(
                f"{item.dataset} ({label(item)})",
                (item.fit_seconds, item.quality_sdmetrics),
                fontsize=7,
                xytext=(4, 2),
                textcoords="offset points",
            )
    handles = [
        plt.Line2D([], [], color=f"C{k}", marker="o", ls="", label=m) for k, m in enumerate(models)
    ]
    axis.legend(handles=handles, fontsize=8, title="model (o SynthGen, s SDV)")
    axis.set(
        xscale="log",
        xlabel="fit time (s, log scale)",
        ylabel="SDMetrics quality score",
        title="Quality vs fit time",
    )
    axis.xaxis.set_minor_formatter(plt.NullFormatter())  # minor log labels overlap
    path = out / "quality_vs_fit_time.png"
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return [path]


def loss_curves(items: list[Measurement], out: Path) -> list[Path]:
    """One PNG per (dataset, model) with loss histories: a panel per implementation."""
    paths = []
    for dataset, model in dict.fromkeys((m.dataset, m.model) for m in items if m.loss_history):
        runs = [m for m in items if (m.dataset, m.model) == (dataset, model) and m.loss_history]
        plt = _pyplot()
        figure, axes = plt.subplots(
            1, len(runs), figsize=(5 * len(runs), 3.5), squeeze=False, layout="constrained"
        )
        for axis, run in zip(axes[0], runs, strict=True):
            for name in run.loss_history[0]:
                values = [epoch.get(name, float("nan")) for epoch in run.loss_history]
                axis.plot(range(1, len(values) + 1), values, label=name, marker=".")
            name = label(run)
            if len({_seed(r) for r in runs}) > 1:  # repeats over seeds
                name += f", seed {_seed(run)}"
            axis.set(xlabel="epoch", ylabel="mean loss", title=f"{dataset} {model}: {name}")
            axis.legend(fontsize=7)
        path = out / f"loss_{dataset}_{model}.png"
        figure.savefig(path, dpi=100)
        plt.close(figure)
        paths.append(path)
    return paths
