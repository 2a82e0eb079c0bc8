"""The public verbs: build, train, load, path, card, evaluate, predict, sample, plot, export.

Every verb checks its arguments first and refuses bad ones with a ZooError in the API's own words;
the CLI is a thin layer over these. TensorFlow is imported (quietly) on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from zoo import artifacts, catalogue, output_files, resolve
from zoo.errors import ZooError
from zoo.registry import MAX_SEED, Entry, check_count
from zoo.resolve import path  # noqa: F401  (a public verb)
from zoo.tf_quiet import tensorflow


@dataclass
class TrainResult:
    model: object
    history: object
    metrics: dict
    seconds: float
    folder: Path | None


def build(name: str, seed: int | None = None):
    """A fresh, untrained Keras model of entry `name` (seeded by its recipe, or by `seed`)."""
    entry = catalogue.get(name).with_options(seed=seed)
    tensorflow()
    return entry.build()


def card(name: str) -> dict | None:
    """The verified card of entry `name`'s shipped artifact (None when it ships none)."""
    return artifacts.shipped_card(catalogue.get(name).name)


def checkpoint_path(out: Path) -> Path:
    """Beside the output folder, never in it: the folder only ever holds a finished artifact."""
    out = Path(out)
    return out.parent / f".{out.name}.checkpoint.npz"


def train(
    name: str,
    *,
    epochs: int | None = None,
    seed: int | None = None,
    data: str | Path | None = None,
    out: str | Path | None = None,
    force: bool = False,
    resume: bool = False,
    export: bool = True,
    on_chunk: Callable | None = None,
    on_stage: Callable[[str], None] | None = None,
    tensorboard: str | Path | None = None,
    strategy: str | None = None,
) -> TrainResult:
    """Train entry `name` by its recipe, evaluate it and (unless export=False) write its artifact to `out`.

    `seed` and `epochs` replace the recipe's, once, before anything runs: every random draw of the run
    follows the seed. `data` trains an MNIST entry on another source of 28 x 28 grey digits in ten
    classes: a folder of IDX files, an .npz, or a TensorFlow Datasets name (the card records it). `out`
    (default runs/NAME) must be new, empty, or (with force=True) an artifact zoo wrote. With
    resume=True an interrupted run continues from its checkpoint, if it is the same run.
    """
    registered = catalogue.get(name)
    entry = registered.with_options(seed=seed, epochs=epochs, data=data)
    if entry.dataset != registered.dataset:
        from zoo import data as datasets

        datasets.vectors(entry.dataset)  # read and check the user's data before anything else runs
    if resume and not export:
        raise ZooError(
            "{option} continues a run from its checkpoint beside its artifact, so it needs export=True",
            option="resume",
            value=True,
        )
    out = (
        artifacts.check_destination(Path(out) if out is not None else Path("runs") / entry.name, replace=force)
        if export
        else None
    )
    tensorflow()
    import keras
    import tensorflow as tf

    from zoo import training
    from zoo.distribute import make_strategy

    distribution = make_strategy(strategy)  # first: multi-worker collectives must start before other TF work
    checkpoint = checkpoint_path(out) if export else None
    tf.config.experimental.enable_op_determinism()
    if tensorboard is not None:
        on_chunk = _logging_to_tensorboard(Path(tensorboard), on_chunk)
    with training.run_lock(checkpoint) if checkpoint is not None else nullcontext():
        with distribution.scope():  # the model, the optimizer and the loop all live under the strategy
            model = entry.build()
            history = entry.family.fit(
                entry, model, checkpoint=checkpoint, resume=resume, on_chunk=on_chunk, on_stage=on_stage
            )
        keras.utils.set_random_seed(entry.recipe.seed)  # evaluation draws (if any) follow the seed too
        try:
            metrics = {**entry.family.evaluate(entry, model), **history.measured}
            folder = None
            if export:
                folder = export_artifact(entry, model, history, metrics, out, replace=force)
                checkpoint.unlink(missing_ok=True)
        except KeyboardInterrupt:
            if checkpoint is None:
                raise
            # the checkpoint holds the finished training: resuming skips straight to the evaluation
            raise training.Interrupted(
                f"interrupted after the last epoch ({history.epochs}), before the artifact was "
                "written; the training is kept: continue with {option}",
                option="resume",
                value=True,
            ) from None
    return TrainResult(model, history, metrics, history.seconds, folder)


def _logging_to_tensorboard(logdir: Path, on_chunk: Callable | None) -> Callable:
    import tensorflow as tf

    writer = tf.summary.create_file_writer(str(logdir))

    def report(done: int, total: int, loss: float) -> None:
        with writer.as_default():
            tf.summary.scalar("loss", loss, step=done)
        writer.flush()
        if on_chunk is not None:
            on_chunk(done, total, loss)

    return report


def export_artifact(entry: Entry, model, history, metrics: dict, out: Path, replace: bool = False) -> Path:
    """Write model.keras, saved_model/, history.npz, the default picture and card.json, atomically."""
    from zoo.cards import card_for

    family = entry.family

    def fill(folder: Path):
        model.save(folder / artifacts.KERAS_FILE)
        artifacts.save_saved_model(model, family.endpoints(entry, model), folder / artifacts.SAVED_MODEL)
        artifacts.save_history(folder / artifacts.HISTORY, history.to_arrays())
        if family.plots:
            kind = family.default_plot()
            family.plot(entry, model, history, kind, folder / f"{kind}.png")

    return artifacts.write(out, fill, card_for(entry, model, history, metrics), replace=replace)


def load(name_or_path: str | Path):
    """A verified Keras model (checksums checked, safe mode on): an entry's shipped one, or an artifact folder's.

    A string is a folder only when it looks like a path (it holds a path separator or starts with "."), so a
    folder in the working directory that bears an entry's name never hides the shipped entry: `"vae"` is the
    entry, `"./vae"` the folder. A Path is always a folder. The card is read once, by the verification.
    """
    if not isinstance(name_or_path, (str, Path)):
        raise ZooError(f"load takes an entry name or an artifact folder, not {type(name_or_path).__name__}")
    if resolve.names_a_folder(name_or_path):
        return resolve.load_path(name_or_path)
    return resolve.load_folder(resolve.shipped_folder(name_or_path, then=" and load its folder"))


def predict(name: str, x, model=None):
    """The outputs of entry `name` (its shipped model unless `model` is given) for inputs x, checked first."""
    entry = catalogue.get(name)
    model = resolve.model_for(entry, model)
    x = resolve.check_inputs(entry, model, x)
    return model.predict(x, verbose=0, batch_size=1024)


def evaluate(name: str, model=None, data: str | Path | None = None, **options) -> dict:
    """Metrics of entry `name` for `model` (a Keras model, an artifact folder, or None for the shipped one).

    They are measured on the test set of the data the model was trained on: its card's source for an artifact
    folder trained with `data=`, else the entry's own. `data` measures them on another source's test set (as
    `train` takes it); `options` are the family's evaluation options (the VAE's `k`, `n`, `seed`); others are
    refused.
    """
    entry = catalogue.get(name)
    entry = entry.with_options(data=data if data is not None else resolve.trained_on(entry, model))
    unknown = sorted(set(options) - set(entry.family.eval_options))
    if unknown:
        takes = ", ".join(entry.family.eval_options) or "none"
        raise ZooError(
            f"{{option}} means nothing for {entry.name} (its evaluation options: {takes})", option=unknown[0]
        )
    return entry.family.evaluate(entry, resolve.model_for(entry, model), **options)


def _generative(entry: Entry) -> None:
    if entry.family.sample is None:
        raise ZooError(f"{entry.name} is not generative: only generative entries draw samples")


def sample(name: str, n: int = 64, seed: int = 0, model=None, out: str | Path | None = None, force: bool = False):
    """n samples from a generative entry: a NumPy array, or (with `out`, a .png grid or a .npy file) the path written.

    Samples are drawn and written in batches, so a .npy file of any size takes bounded memory; the
    same seed gives the same samples.
    """
    from zoo import sample_files

    entry = catalogue.get(name)
    n = check_count(n, "n")
    seed = check_count(seed, "seed", 0, MAX_SEED)
    _generative(entry)
    if out is not None:
        sample_files.validate_samples_path(Path(out), n, replace=force)  # before loading anything
    keras_model = resolve.model_for(entry, model)
    draw = lambda start, size: entry.family.sample(entry, keras_model, start, size, seed)  # noqa: E731
    if out is None:
        return draw(0, n)
    return sample_files.write_samples(Path(out), n, draw, replace=force)


def plot(
    name: str,
    kind: str | None = None,
    out: str | Path | None = None,
    model: str | Path | None = None,
    force: bool = False,
) -> Path:
    """Draw picture `kind` of an entry's artifact to `out` (a .png, default NAME-KIND.png); returns the path."""
    entry = catalogue.get(name)
    kind = entry.family.plot_kind(entry, kind)
    out = Path(out) if out is not None else Path(f"{entry.name}-{kind}.png")
    output_files.check_new_file(out, (".png",), force)  # before loading or drawing anything
    folder = resolve.folder_for(entry, model)
    keras_model = resolve.cached_load(folder.resolve())
    entry = entry.with_options(data=resolve.trained_on(entry, model, names_data=False))  # drawn on the data it learnt
    entry.family.plot(entry, keras_model, artifacts.load_history(folder), kind, out)
    return out


def export(
    name: str, format: str, out: str | Path | None = None, model: str | Path | None = None, force: bool = False
) -> Path:
    """Write entry `name`'s verified model as `format` (saved_model, keras, onnx or tflite) to `out`; returns it."""
    from zoo import exporters

    entry = catalogue.get(name)
    if format not in exporters.FORMATS:
        raise ZooError(f"{{option}} must be one of {', '.join(exporters.FORMATS)}, not {format!r}", option="format")
    target = Path(out) if out is not None else Path(entry.name + exporters.SUFFIXES[format])
    if format == "saved_model":
        target = artifacts.check_destination(target, replace=force)
    else:
        output_files.check_new_file(target, (exporters.SUFFIXES[format],), force)  # before a long conversion
    folder = resolve.folder_for(entry, model)
    keras_model = resolve.cached_load(
        folder.resolve()
    )  # checksums verified and loaded in safe mode, whatever the format
    exporters.export(entry, keras_model, folder, format, target, replace=force)
    return target


def site(out: str | Path = "site", force: bool = False) -> Path:
    """Build the catalogue site (static files, live demos on the ONNX exports) into folder `out`; returns it.

    Serve it with `python -m http.server -d OUT`; it needs no network. See docs/site.md.
    """
    from zoo.website import build  # not a subpackage named zoo.site: that name is this function's (zoo.site)

    return build(Path(out), force=force)
