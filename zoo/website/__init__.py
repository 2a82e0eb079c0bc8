"""The zoo in the browser: a static catalogue site with live demos, generated from the registry and the cards.

    >>> from zoo.website import build
    >>> build(Path("build/site"))     # then: python -m http.server -d build/site

The card data is the one `zoo.card` verifies (the same that feeds docs/ through scripts/make_docs.py),
the pictures are the artifacts' own files, and the demos run ONNX exports of the verified models in
the page with onnxruntime-web (wasm, one thread), copied into the folder: nothing loads from the network.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from zoo.errors import ZooError

MARKER = ".zoo-site"  # a folder holding it was written by build(): only such a folder is ever replaced
STATIC = Path(__file__).parent / "static"


def _check_destination(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ZooError(f"{out} is a file; the site needs a folder", option="out")
    if out.is_dir() and any(out.iterdir()):
        if not (out / MARKER).exists():
            raise ZooError(f"{out} holds files zoo did not write; give a new or empty folder", option="out")
        if not force:
            raise ZooError(f"{out} holds a site already; {{option}} replaces it", option="force", value=True)


def build(out: Path, force: bool = False, *, classifiers: list[str] | None = None) -> Path:
    """Write the site to folder `out` (new, empty, or with force=True a site built before); returns `out`.

    `classifiers` limits the draw-a-digit demo to these entries (default: every trained entry that
    classifies MNIST); the tests use it to export one model instead of all of them.
    """
    out = Path(out)
    _check_destination(out, force)
    tmp = out.parent / f".{out.name}.site-tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        _fill(tmp, classifiers)
        if out.exists():
            shutil.rmtree(out)
        tmp.replace(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _rows():
    """(entry, verified card or None, why there is none) for every catalogue entry."""
    from zoo import artifacts, catalogue

    for name in catalogue.list_models():
        entry = catalogue.get(name)
        try:
            card = artifacts.shipped_card(entry.name)
            yield entry, card, None if card else "not trained yet: no artifact ships"
        except ZooError as err:  # an artifact that fails its checks is shown as such, never with its numbers
            yield entry, None, f"artifact does not verify: {err}"


def _fill(out: Path, only_classifiers: list[str] | None) -> None:
    from zoo import artifacts, catalogue
    from zoo.tf_quiet import tensorflow
    from zoo.website import demos, pages, runtime

    tensorflow()
    rows = list(_rows())
    for entry, card, _ in rows:
        for picture in pages.picture_names(card):
            (out / "pictures" / entry.name).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(artifacts.pretrained_dir(entry.name) / picture, out / "pictures" / entry.name / picture)
    shutil.copytree(STATIC / "js", out / "js")
    shutil.copyfile(STATIC / "style.css", out / "style.css")
    ort_version = runtime.copy_into(out)

    names = demos.classifiers() if only_classifiers is None else [catalogue.get(n).name for n in only_classifiers]
    made = {
        "draw": demos.classifier_demo(out, names)["models"],
        "latent": demos.vae_demo(out),
        "dynamics": demos.dynamics_demo(out),
        "spirals": demos.spirals_demo(out)["entries"],
    }
    in_demo = {
        "draw": [m["name"] for m in made["draw"]],
        "latent": list(made["latent"]),
        "dynamics": list(made["dynamics"]),
        "spirals": list(made["spirals"]),
    }
    (out / "demos").mkdir()
    for key in in_demo:
        (out / "demos" / f"{key}.html").write_text(pages.demo_page(key, (STATIC / f"{key}.html").read_text()))

    (out / "entries").mkdir()
    for entry, card, problem in rows:
        shown = [key for key, names_ in in_demo.items() if entry.name in names_]
        (out / "entries" / f"{entry.name}.html").write_text(pages.entry_page(entry, card, problem, shown))
    families = sorted({entry.family.name for entry, _, _ in rows})
    (out / "index.html").write_text(pages.index(rows, families))
    (out / "site.json").write_text(
        json.dumps(
            {"entries": [e.name for e, _, _ in rows], "demos": in_demo, "onnxruntime_web": ort_version}, indent=1
        )
    )
    (out / MARKER).write_text("written by zoo.website.build; `zoo site --force` may replace this folder\n")
