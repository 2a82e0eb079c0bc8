"""`zoo`: list, inspect, train, evaluate, sample from, plot and export the zoo's entries.

`zoo list`, `zoo info` and `--help` never import TensorFlow, so they answer at once. A user mistake
is one line on stderr and exit code 1 (2 for click's own usage errors), never a traceback.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click

from zoo import artifacts, registry
from zoo.errors import ZooError


LIGHT_COMMANDS = {"list", "info", None}  # answer without TensorFlow


def _import_tensorflow_quietly() -> None:
    """TensorFlow's C++ start-up lines (oneDNN, CUDA probing) bypass every log setting: hide fd 2 while it loads."""
    if "tensorflow" in sys.modules:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            try:
                import tensorflow  # noqa: F401
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


class ZooGroup(click.Group):
    """Turns ZooError and Ctrl-C into one clear line and a non-zero exit."""

    def resolve_command(self, ctx, args):
        name, command, rest = super().resolve_command(ctx, args)
        if name not in LIGHT_COMMANDS and not {"-h", "--help"} & set(rest):
            _import_tensorflow_quietly()
        return name, command, rest

    def invoke(self, ctx):
        from zoo.training import Interrupted

        try:
            return super().invoke(ctx)
        except Interrupted as err:
            click.echo(str(err), err=True)
            ctx.exit(130)
        except ZooError as err:
            click.echo(f"error: {err}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


@click.group(cls=ZooGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="zoo")
def main():
    """A model zoo of the classic networks that teach how neural networks learn.

    Every entry is a Keras model with its training recipe and a trained artifact (SavedModel,
    .keras file and model card) shipped in the package. Start with `zoo list`, then for example
    `zoo train encoder-9-2-9`, `zoo plot encoder-9-2-9`, `zoo eval mlp-784-30-10`,
    `zoo sample vae --n 64`.
    """


def _entry(name: str):
    return registry.get(name)


def _card(name: str) -> dict | None:
    folder = artifacts.pretrained_dir(name)
    return artifacts.read_card(folder) if (folder / artifacts.CARD).exists() else None


def _headline(entry, card) -> str:
    if not entry.headline:
        return ""
    if card and entry.headline in card.get("metrics", {}):
        return f"{entry.headline} {card['metrics'][entry.headline]:.4g}"
    return entry.headline


@main.command("list")
@click.option("--family", help="Only the entries of this family (see the FAMILY column).")
def list_cmd(family):
    """The catalogue: name, family, data set, headline metric, and whether a trained artifact ships."""
    names = registry.list_models(family)
    if family and not names:
        raise ZooError(f"no family {family!r}; families: {', '.join(registry.families())}")
    rows = [("NAME", "FAMILY", "DATASET", "METRIC", "ARTIFACT")]
    for name in names:
        entry, card = registry.get(name), _card(name)
        rows.append((name, entry.family, entry.dataset, _headline(entry, card), "yes" if card else "no"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    if not family:
        click.echo(f"\nbuilt on demand: {', '.join(registry.patterns())}")


@main.command()
@click.argument("name")
def info(name):
    """Everything known about entry NAME: description, recipe, expectations and its card's numbers."""
    entry = _entry(name)
    card = _card(name) if entry.catalogue else None
    click.echo(f"{entry.name}  ({entry.family}, {entry.task}, data: {entry.dataset})")
    click.echo(f"  {entry.description}")
    click.echo(f"  reference: {entry.reference}")
    if entry.anchor:
        click.echo(f"  anchor:    {entry.anchor}")
    click.echo("  recipe:    " + ", ".join(f"{k}={v}" for k, v in entry.recipe.to_dict().items() if v not in (None, {}, "")))
    if entry.expected:
        click.echo("  must reach: " + ", ".join(f"{m} {op} {v}" for m, (op, v) in entry.expected.items()))
    if card:
        click.echo(f"  artifact:  {artifacts.pretrained_dir(name)}")
        click.echo(f"  trained:   {card['epochs_run']} epochs in {card['training_seconds']} s, seed {card['seed']}")
        _echo_metrics(card["metrics"])
    else:
        click.echo(f"  artifact:  none shipped (train one with `zoo train {name}`)")


def _echo_metrics(metrics: dict) -> None:
    for key, value in metrics.items():
        shown = f"{value:.6g}" if isinstance(value, float) else json.dumps(value)
        click.echo(f"  {key:<24} {shown}")


class Progress:
    """One updating line on a terminal; a line every few seconds in a log."""

    def __init__(self, name: str):
        self.name, self.started, self.last, self.tty = name, time.monotonic(), 0.0, sys.stderr.isatty()

    def stage(self, stage: str) -> None:
        self._finish_line()
        click.echo(f"{self.name}: {stage}", err=True)

    def __call__(self, done: int, total: int, loss: float) -> None:
        now = time.monotonic()
        if not self.tty and now - self.last < 5 and done < total:
            return
        self.last = now
        line = f"{self.name}: epoch {done}/{total}  loss {loss:.5g}  {now - self.started:.1f}s"
        click.echo(f"\r{line}" if self.tty else line, err=True, nl=not self.tty)

    def _finish_line(self):
        if self.tty and self.last:
            click.echo("", err=True)

    def close(self):
        self._finish_line()


@main.command()
@click.argument("name")
@click.option("--epochs", type=click.IntRange(min=1), help="Train at most this many epochs (default: the recipe's).")
@click.option("--seed", type=int, help="Random seed (default: the recipe's).")
@click.option("--out", type=click.Path(file_okay=False), help="Artifact folder (default: runs/NAME). Give pretrained/NAME to replace a shipped artifact.")
@click.option("--resume", is_flag=True, help="Continue an interrupted run from its checkpoint (same --out).")
@click.option("--tensorboard", type=click.Path(file_okay=False), help="Also log the training loss to this TensorBoard folder.")
@click.option("--strategy", type=click.Choice(["mirrored", "multiworker"]),
              help="Train under tf.distribute: every local GPU (mirrored) or a TF_CONFIG cluster (multiworker).")
def train(name, epochs, seed, out, resume, tensorboard, strategy):
    """Train entry NAME by its recipe, evaluate it and write its artifact.

    Progress is shown as it goes. Ctrl-C stops at the next clean point and keeps a checkpoint
    beside the output folder; run the same command with --resume to continue.
    """
    from zoo import api

    entry = _entry(name)
    progress = Progress(name)
    try:
        result = api.train(name, epochs=epochs, seed=seed, out=out, resume=resume, on_chunk=progress,
                           on_stage=progress.stage, tensorboard=tensorboard, strategy=strategy)
    finally:
        progress.close()
    click.echo(f"trained {name}: {result.history.epochs} epochs in {result.seconds:.1f}s")
    _echo_metrics(result.metrics)
    failures = entry.meets(result.metrics)
    if failures:
        click.echo("below expectations: " + "; ".join(failures), err=True)
    click.echo(f"artifact: {result.folder}")


@main.command("eval")
@click.argument("name")
@click.option("--model", "model_path", type=click.Path(), help="An artifact folder (default: the shipped one).")
@click.option("--k", type=click.IntRange(min=1), help="Importance samples per image (generative entries).")
def eval_cmd(name, model_path, k):
    """Measure entry NAME's metrics again (on the test set where it has one)."""
    from zoo import api

    options = {"k": k} if k is not None else {}
    _echo_metrics(api.evaluate(name, model_path, **options))


@main.command()
@click.argument("name")
@click.option("--n", type=click.IntRange(min=1), default=64, show_default=True, help="How many samples (a positive integer).")
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed gives the same samples.")
@click.option("--out", type=click.Path(dir_okay=False), help="samples.png (an image grid) or samples.npy (the raw probabilities). Default: NAME-samples.png.")
@click.option("--model", "model_path", type=click.Path(), help="An artifact folder (default: the shipped one).")
def sample(name, n, seed, out, model_path):
    """Draw N new samples from generative entry NAME."""
    import numpy as np

    from zoo import api

    out = Path(out or f"{name}-samples.png")
    if out.suffix not in (".png", ".npy"):
        raise ZooError(f"--out must end in .png or .npy, not {out.name!r}")
    samples = api.sample(name, n, seed, model=model_path)
    if out.suffix == ".npy":
        _write(out, lambda tmp: np.save(tmp, samples))
    else:
        from zoo.plots.common import image_grid, pyplot, save

        plt = pyplot()
        mosaic = image_grid(samples)
        fig, ax = plt.subplots(figsize=(max(2, mosaic.shape[1] / 40), max(2, mosaic.shape[0] / 40)))
        ax.imshow(mosaic, cmap="gray_r", vmin=0, vmax=1)
        ax.set_axis_off()
        save(fig, out)
    click.echo(f"{n} samples -> {out}")


def _write(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.tmp{path.suffix}")
    try:
        write(tmp)
        tmp.replace(path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise ZooError(f"cannot write {path}: {err.strerror or err}") from None


@main.command()
@click.argument("name")
@click.option("--kind", help="Which picture (default: the family's first; a wrong kind lists the others).")
@click.option("--out", type=click.Path(dir_okay=False), help="PNG file (default: NAME-KIND.png).")
@click.option("--model", "model_path", type=click.Path(), help="An artifact folder (default: the shipped one).")
def plot(name, kind, out, model_path):
    """Draw a picture of entry NAME's artifact (hidden-unit space, gradients, samples, ...)."""
    from zoo import api

    click.echo(f"-> {api.plot(name, kind, out, model_path)}")


@main.command()
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["saved_model", "keras", "onnx", "tflite"]), required=True,
              help="SavedModel folder, single .keras file, ONNX or TFLite (the last two: the `serve` endpoint).")
@click.option("--out", type=click.Path(), help="Destination (default: NAME.keras, NAME.onnx, NAME.tflite or NAME_saved_model/).")
@click.option("--model", "model_path", type=click.Path(), help="An artifact folder (default: the shipped one).")
def export(name, fmt, out, model_path):
    """Write entry NAME's verified model in another format, for use outside zoo."""
    import shutil

    from zoo import api, exporters
    from zoo.family import get_family

    entry = _entry(name)
    folder = api.resolve_folder(name, model_path)
    artifacts.verify(folder)
    default = {"keras": f"{name}.keras", "onnx": f"{name}.onnx", "tflite": f"{name}.tflite", "saved_model": f"{name}_saved_model"}
    target = Path(out or default[fmt])
    if fmt == "keras":
        _write(target, lambda tmp: shutil.copyfile(folder / artifacts.KERAS_FILE, tmp))
    elif fmt == "tflite":
        _write(target, lambda tmp: exporters.to_tflite(folder / artifacts.SAVED_MODEL, tmp))
    else:
        model = artifacts.load_keras(folder)
        endpoints = get_family(entry.family).endpoints(entry, model)
        if fmt == "onnx":
            _write(target, lambda tmp: exporters.to_onnx(endpoints, tmp))
        else:
            artifacts.write(target, lambda tmp: artifacts.save_saved_model(model, endpoints, tmp / artifacts.SAVED_MODEL),
                            {"entry": name, "exported_from": str(folder)})
    click.echo(f"{name} -> {target}")


if __name__ == "__main__":
    main()
