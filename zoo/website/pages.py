"""The site's HTML: the index and one page per entry, rendered from the registry and the verified cards.

Plain strings with every value escaped; no template engine. Every link is relative, so the folder
works from any web server path (and from `python -m http.server`).
"""

from __future__ import annotations

import json
from html import escape

DEMOS = (
    ("draw", "Draw a digit", "every MNIST classifier's outputs for your digit"),
    ("latent", "VAE latent space", "move over vae-2d's plane; draw fresh samples from vae"),
    ("dynamics", "Encoders learning", "hidden codes of 9-2-9 and 8-3-8 through training"),
    ("spirals", "Twin spirals", "the decision region and every hidden unit over the plane"),
)


def fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.5g}"
    return "" if value is None else str(value)


def page(title: str, body: str, depth: int = 0, scripts: tuple[str, ...] = ()) -> str:
    up = "../" * depth
    tags = "".join(f'<script src="{up}{s}"></script>' for s in scripts)
    nav = "".join(f'<a href="{up}demos/{key}.html">{escape(label)}</a>' for key, label, _ in DEMOS)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="icon" href="data:,"><link rel="stylesheet" href="{up}style.css"></head><body>'
        f'<header><a class="home" href="{up}index.html">zoo</a><nav>{nav}</nav></header>'
        f"<main>{body}</main>{tags}</body></html>\n"
    )


def picture_names(card: dict | None) -> list[str]:
    return sorted(p for p in (card or {}).get("files", {}) if p.endswith(".png"))


def thumbnail(entry, card: dict | None) -> str | None:
    """The family's default picture if the artifact has it, else its first picture."""
    pictures = picture_names(card)
    default = f"{entry.family.default_plot()}.png"
    return default if default in pictures else (pictures[0] if pictures else None)


def headline(entry, card: dict | None) -> str:
    value = (card or {}).get("metrics", {}).get(entry.headline)
    return f"{escape(entry.headline)} {escape(fmt(value))}" if value is not None else escape(entry.headline)


def index(rows: list[tuple], families: list[str]) -> str:
    """rows: (entry, card or None, problem or None) for every catalogue entry."""
    buttons = '<button class="on" data-family="">all</button>' + "".join(
        f'<button data-family="{escape(f)}">{escape(f)}</button>' for f in families
    )
    cards = []
    for entry, card, problem in rows:
        thumb = thumbnail(entry, card)
        img = (
            f'<img src="pictures/{escape(entry.name)}/{escape(thumb)}" '
            f'alt="{escape(entry.name)} {escape(thumb)}" loading="lazy">'
            if thumb
            else '<div class="nopicture">no picture</div>'
        )
        seconds = (
            f"{card['training_seconds']:.0f} s, {card['epochs_run']} epochs"
            if card
            else escape(problem or "not trained")
        )
        cards.append(
            f'<article class="entry" data-family="{escape(entry.family.name)}" data-entry="{escape(entry.name)}">'
            f'<a href="entries/{escape(entry.name)}.html">{img}<h3>{escape(entry.name)}</h3></a>'
            f'<p class="family">{escape(entry.family.name)} · {escape(entry.dataset)}</p>'
            f'<p class="metric">{headline(entry, card)}</p><p class="anchor">vs. {escape(entry.anchor)}</p>'
            f'<p class="time">{seconds}</p></article>'
        )
    demos = "".join(
        f'<li><a href="demos/{key}.html">{escape(label)}</a>: {escape(text)}</li>' for key, label, text in DEMOS
    )
    trained = sum(card is not None for _, card, _ in rows)
    body = (
        f"<h1>The zoo</h1><p>{len(rows)} entries: classic networks that teach how neural networks learn, "
        f"each with its recipe; {trained} ship a trained artifact whose checksums verified when this site was "
        "built. Every number below was measured by the run that wrote the entry's card.</p>"
        f'<h2>Live demos</h2><ul class="demos">{demos}</ul>'
        f'<h2>Catalogue</h2><div class="filters" id="filters">{buttons}</div>'
        f'<div class="grid" id="entries">{"".join(cards)}</div>'
    )
    return page("The zoo: catalogue", body, 0, ("js/index.js",))


def _table(rows, head: tuple[str, ...] = ()) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    thead = f"<thead><tr>{th}</tr></thead>" if head else ""
    return f"<table>{thead}<tbody>{body}</tbody></table>"


def _value(value) -> str:
    if value is None:
        return "null"  # as card.json spells it
    if isinstance(value, (dict, list)):
        return f"<pre>{escape(json.dumps(value, indent=1))}</pre>"
    return escape(fmt(value))


def _loading(entry) -> str:
    name = entry.name
    cli = (
        f"zoo info {name}\nzoo eval {name}\nzoo export {name} --format onnx --out {name}.onnx\n"
        f"zoo export {name} --format saved_model --out {name}_saved_model"
    )
    python = (
        f'import zoo\nmodel = zoo.load("{name}")   # checksums verified, Keras safe mode on\n'
        f'print(zoo.card("{name}")["metrics"])'
    )
    tf_alone = (
        f"import tensorflow as tf\n# pretrained/{name}/saved_model in a checkout, "
        f"or `zoo export {name} --format saved_model`\n"
        f'model = tf.saved_model.load("pretrained/{name}/saved_model")\n'
        "outputs = model.serve(inputs)   # float32, batch first"
    )
    return (
        "<h2>Load it</h2><h3>Command line</h3>"
        f"<pre><code>{escape(cli)}</code></pre>"
        f"<h3>Python</h3><pre><code>{escape(python)}</code></pre>"
        f"<h3>TensorFlow alone</h3><pre><code>{escape(tf_alone)}</code></pre>"
    )


def entry_page(entry, card: dict | None, problem: str | None, demos: list[str]) -> str:
    head = (
        f'<h1>{escape(entry.name)}</h1><p class="family">family <b>{escape(entry.family.name)}</b> · dataset '
        f"<b>{escape(entry.dataset)}</b> · task <b>{escape(entry.task)}</b></p><p>{escape(entry.description)}.</p>"
        f'<p class="reference">Reference: {escape(entry.reference)}</p>'
    )
    demo_links = "".join(f'<a href="../demos/{d}.html">{escape(label)}</a> ' for d, label, _ in DEMOS if d in demos)
    if demo_links:
        head += f'<p class="demo-links">Live: {demo_links}</p>'
    if card is None:
        return page(
            entry.name,
            head
            + f'<p class="missing">{escape(problem or "not trained yet: no artifact ships")}</p>'
            + _loading(entry),
            1,
        )
    expected = {k: f"{op} {v}" for k, (op, v) in card.get("expected", {}).items()}
    metrics = _table(
        [
            (f"<b>{escape(k)}</b>" if k == entry.headline else escape(k), _value(v), escape(expected.get(k, "")))
            for k, v in card["metrics"].items()
        ],
        ("metric", "value", "must reach"),
    )
    facts = _table(
        [
            (escape(k), _value(card.get(k)))
            for k in (
                "headline",
                "anchor",
                "parameters",
                "epochs_run",
                "training_seconds",
                "seed",
                "keras_backend",
                "commit",
                "machine",
            )
            if k in card
        ]
    )
    recipe = _table([(escape(k), _value(v)) for k, v in card.get("recipe", {}).items()], ("recipe", ""))
    params = _table([(escape(k), _value(v)) for k, v in card.get("params", {}).items()], ("param", ""))
    versions = _table([(escape(k), escape(v)) for k, v in card.get("versions", {}).items()], ("library", "version"))
    files = [
        (f"<code>{escape(f)}</code>", f"<code>{escape(h)}</code>")
        for group in ("files", "exports")
        for f, h in card.get(group, {}).items()
    ]
    files.append(("<code>card.json</code> (card_sha256)", f"<code>{escape(card.get('card_sha256', ''))}</code>"))
    pictures = "".join(
        f'<figure><img src="../pictures/{escape(entry.name)}/{escape(p)}" alt="{escape(entry.name)} {escape(p)}">'
        f"<figcaption>{escape(p)}</figcaption></figure>"
        for p in picture_names(card)
    )
    data = f"<h2>Data</h2>{_value(card['data'])}" if card.get("data") else ""
    body = (
        head + f'<h2>Metrics</h2>{metrics}{facts}<h2>Pictures</h2><div class="pictures">{pictures or "none"}</div>'
        f"<h2>Recipe</h2>{recipe}<h2>Builder parameters</h2>{params}{data}<h2>Versions</h2>{versions}"
        f"<h2>Files and sha256</h2>{_table(files, ('file', 'sha256'))}" + _loading(entry)
    )
    return page(entry.name, body, 1)


def demo_page(key: str, body: str) -> str:
    title = next(label for k, label, _ in DEMOS if k == key)
    return page(
        f"{title}: zoo", f"<h1>{escape(title)}</h1>{body}", 1, ("ort/ort.wasm.min.js", "js/common.js", f"js/{key}.js")
    )
