"""`zoo`: list, inspect, train, evaluate, sample from, plot and export the zoo's entries.

A thin layer over zoo.api: parse, call, print. Options are parsed before TensorFlow is imported, so a
typo is refused at once, and `zoo list`, `zoo info` and `--help` never import it. A user mistake is
one line on stderr and exit code 1 (2 for click's own usage errors), never a traceback.
"""

from __future__ import annotations

import json
import re

import click

from zoo import api, catalogue
from zoo.errors import ZooError
from zoo.registry import MAX_SEED
from zoo.sigint import route_sigint_through_a_watcher
from zoo.terminal import Progress
from zoo.training import Interrupted

SEED = click.IntRange(0, MAX_SEED)
DATA_HELP = (
    "MNIST entries: another source of 28 x 28 grey digits in 10 classes: a folder of IDX files "
    "(train-images-idx3-ubyte[.gz] ...), an .npz with x_train, y_train, x_test, y_test, or a TensorFlow "
    "Datasets name already prepared on this machine (fashion_mnist, kmnist, ...; zoo does not download). "
    "Default: the embedded MNIST (eval --model: the data that artifact was trained on, from its card)."
)
NEVER_A_USERS_FOLDER = "(never a folder holding anything else)"
FORCE_HELP = {  # per verb: what --force may replace at --out
    "train": f"Replace the artifact zoo wrote at --out {NEVER_A_USERS_FOLDER}.",
    "file": "Replace the file --out names if it exists.",
    "export": f"Replace what --out names: a file, or a SavedModel folder zoo wrote {NEVER_A_USERS_FOLDER}.",
    "site": f"Replace a site zoo built before at --out {NEVER_A_USERS_FOLDER}.",
}


def missing_requirement(err: ModuleNotFoundError) -> str | None:
    """The package zoo requires (its own metadata's list, extras left out) whose module `err` failed to import:
    `import keras` without TensorFlow fails on 'tensorflow' too. None for any other module (a bug, not the
    environment) or when zoo's metadata cannot be read."""
    from importlib import metadata

    module = (err.name or "").split(".")[0].lower()
    try:
        required = metadata.requires("zoo") or []
    except metadata.PackageNotFoundError:
        return None
    names = (re.split(r"[\s<>=!~;\[(]", line, maxsplit=1)[0] for line in required if "extra ==" not in line)
    return next((name for name in names if name.replace("-", "_").lower() == module), None)


class ZooGroup(click.Group):
    """Turns ZooError, a missing required package and Ctrl-C into one clear line and a non-zero exit."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ZooError as err:
            interrupted = isinstance(err, Interrupted)  # not a mistake: the run stopped where it can resume
            click.echo(("" if interrupted else "error: ") + err.worded(cli=True), err=True)
            ctx.exit(130 if interrupted else 1)
        except ModuleNotFoundError as err:  # the environment, not zoo: say which package to put back
            package = missing_requirement(err)
            if package is None:
                raise
            click.echo(
                f"error: zoo needs {package}, and this Python cannot import {err.name!r}: install it into this "
                f"environment (pip install {package})",
                err=True,
            )
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


@click.group(cls=ZooGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="zoo")
def main():
    """A model zoo of the classic networks that teach how neural networks learn.

    Every entry is a Keras model with its training recipe and a trained artifact (a .keras file and a
    model card; a SavedModel in the repository, or from `zoo export`) shipped in the package. Start
    with `zoo list`, then for example `zoo train encoder-9-2-9`, `zoo plot encoder-9-2-9`,
    `zoo eval mlp-784-30-10`, `zoo sample vae --n 64`.
    """


def _headline(entry, card) -> str:
    if card and entry.headline in card.get("metrics", {}):
        return f"{entry.headline} {card['metrics'][entry.headline]:.4g}"
    return entry.headline


@main.command("list")
@click.option("--family", help="Only the entries of this family (see the FAMILY column).")
def list_cmd(family):
    """The catalogue: name, family, data set, headline metric, and whether a trained artifact ships."""
    rows = [("NAME", "FAMILY", "DATASET", "METRIC", "ARTIFACT")]
    for name in catalogue.list_models(family):
        entry = catalogue.get(name)
        try:
            card, state = api.card(name), None
        except ZooError:  # one broken card must not hide the catalogue; `zoo info NAME` says what is wrong
            card, state = None, "broken"
        rows.append(
            (name, entry.family.name, entry.dataset, _headline(entry, card), state or ("yes" if card else "no"))
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    if not family:
        click.echo(f"\nbuilt on demand: {', '.join(catalogue.patterns())}")


@main.command()
@click.argument("name")
def info(name):
    """Everything known about entry NAME: description, recipe, expectations and its card's numbers."""
    entry = catalogue.get(name)
    card = api.card(name) if entry.catalogue else None
    click.echo(f"{entry.name}  ({entry.family.name}, {entry.task}, data: {entry.dataset})")
    click.echo(f"  {entry.description}")
    click.echo(f"  reference: {entry.reference}")
    if entry.anchor:
        click.echo(f"  anchor:    {entry.anchor}")
    recipe = {k: v for k, v in entry.recipe.to_dict().items() if k != "notes" and v not in (None, {}, "")}
    click.echo("  recipe:    " + ", ".join(f"{k}={v}" for k, v in recipe.items()))
    if entry.expected:
        click.echo("  must reach: " + ", ".join(f"{m} {op} {v}" for m, (op, v) in entry.expected.items()))
    if entry.family.plots:
        click.echo("  pictures:  " + ", ".join(entry.family.plots) + "  (zoo plot NAME --kind KIND)")
    if card:
        click.echo(f"  artifact:  {api.path(name)}")
        click.echo(f"  trained:   {card['epochs_run']} epochs in {card['training_seconds']} s, seed {card['seed']}")
        _echo_metrics(card["metrics"])
    else:
        click.echo(f"  artifact:  none shipped (train one with `zoo train {name}`)")


def _echo_metrics(metrics: dict) -> None:
    for key, value in metrics.items():
        shown = f"{value:.6g}" if isinstance(value, float) else json.dumps(value)
        click.echo(f"  {key:<24} {shown}")


@main.command()
@click.argument("name")
@click.option("--epochs", type=click.IntRange(min=1), help="Train at most this many epochs (default: the recipe's).")
@click.option("--seed", type=SEED, help="Random seed for every draw of the run (default: the recipe's).")
@click.option("--data", help=DATA_HELP)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="Artifact folder (default: runs/NAME). Must be new or empty, or an artifact zoo wrote (with --force).",
)
@click.option("--force", is_flag=True, help=FORCE_HELP["train"])
@click.option(
    "--resume", is_flag=True, help="Continue an interrupted run from its checkpoint (same options, same --out)."
)
@click.option(
    "--tensorboard", type=click.Path(file_okay=False), help="Also log the training loss to this TensorBoard folder."
)
@click.option(
    "--strategy",
    type=click.Choice(["mirrored", "multiworker"]),
    help="Train under tf.distribute: every local GPU (mirrored) or a TF_CONFIG cluster (multiworker).",
)
def train(name, epochs, seed, data, out, force, resume, tensorboard, strategy):
    """Train entry NAME by its recipe, evaluate it and write its artifact.

    Progress is shown as it goes. Ctrl-C stops at the next clean point and keeps a checkpoint
    beside the output folder; run the same command with --resume to continue.
    """
    entry = catalogue.get(name)
    route_sigint_through_a_watcher()  # before TensorFlow starts its threads (see zoo.sigint)
    with Progress(name) as shown:
        result = api.train(
            name,
            epochs=epochs,
            seed=seed,
            data=data,
            out=out,
            force=force,
            resume=resume,
            on_chunk=shown.epochs,
            on_stage=shown.stage,
            tensorboard=tensorboard,
            strategy=strategy,
        )
    click.echo(f"trained {name}: {result.history.epochs} epochs in {result.seconds:.1f}s")
    _echo_metrics(result.metrics)
    failures = entry.meets(result.metrics) if data is None else []  # the expectations are the registered data set's
    if failures:
        click.echo("below expectations: " + "; ".join(failures), err=True)
    click.echo(f"artifact: {result.folder}")


@main.command("eval")
@click.argument("name")
@click.option("--model", "model_path", type=click.Path(), help="An artifact folder of NAME (default: the shipped one).")
@click.option("--data", help=DATA_HELP)
@click.option("--k", type=click.IntRange(min=1), help="Importance samples per image (generative entries only).")
def eval_cmd(name, model_path, data, k):
    """Measure entry NAME's metrics again (on the test set where it has one)."""
    options = {"k": k} if k is not None else {}
    with Progress(name):
        metrics = api.evaluate(name, model_path, data=data, **options)
    _echo_metrics(metrics)


@main.command()
@click.argument("name")
@click.option(
    "--n", type=click.IntRange(min=1), default=64, show_default=True, help="How many samples (a positive integer)."
)
@click.option("--seed", type=SEED, default=0, show_default=True, help="The same seed gives the same samples.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="samples.png (an image grid) or samples.npy (the raw probabilities, any --n). Default: NAME-samples.png.",
)
@click.option("--force", is_flag=True, help=FORCE_HELP["file"])
@click.option("--model", "model_path", type=click.Path(), help="An artifact folder of NAME (default: the shipped one).")
def sample(name, n, seed, out, force, model_path):
    """Draw N new samples from generative entry NAME."""
    with Progress(name):
        written = api.sample(name, n, seed, model=model_path, out=out or f"{name}-samples.png", force=force)
    click.echo(f"{n} samples -> {written}")


@main.command()
@click.argument("name")
@click.option("--kind", help="Which picture (default: the family's first; `zoo info NAME` lists them).")
@click.option("--out", type=click.Path(dir_okay=False), help="PNG file (default: NAME-KIND.png).")
@click.option("--force", is_flag=True, help=FORCE_HELP["file"])
@click.option("--model", "model_path", type=click.Path(), help="An artifact folder of NAME (default: the shipped one).")
def plot(name, kind, out, force, model_path):
    """Draw a picture of entry NAME's artifact (hidden-unit space, gradients, samples, ...)."""
    click.echo(f"-> {api.plot(name, kind, out, model_path, force=force)}")


@main.command()
@click.argument("name")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["saved_model", "keras", "onnx", "tflite"]),
    required=True,
    help="SavedModel folder, single .keras file, ONNX or TFLite (the last two: the `serve` endpoint).",
)
@click.option(
    "--out", type=click.Path(), help="Destination (default: NAME.keras, NAME.onnx, NAME.tflite or NAME_saved_model/)."
)
@click.option("--force", is_flag=True, help=FORCE_HELP["export"])
@click.option("--model", "model_path", type=click.Path(), help="An artifact folder of NAME (default: the shipped one).")
def export(name, fmt, out, force, model_path):
    """Write entry NAME's verified model in another format, for use outside zoo.

    A SavedModel is the one the training run exported when the artifact has it (a repository
    checkout), else exported now from the verified weights; either way it is checked to answer like
    the Keras model. Load it with TensorFlow alone: tf.saved_model.load("OUT/saved_model").
    """
    click.echo(f"{name} -> {api.export(name, fmt, out, model_path, force=force)}")


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default="site",
    show_default=True,
    help="The folder to write the site to (new, empty, or with --force a site zoo built before).",
)
@click.option("--force", is_flag=True, help=FORCE_HELP["site"])
def site(out, force):
    """Build the catalogue site: every entry's card and pictures, and live demos running the ONNX exports.

    Static files that work offline: serve them with `python -m http.server -d OUT` and open
    http://127.0.0.1:8000/.
    """
    click.echo(f"site -> {api.site(out, force=force)}  (serve it: python -m http.server -d {out})")


if __name__ == "__main__":
    main()
