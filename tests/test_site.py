"""The catalogue site: built once per module from the registry and the cards, then checked as files and in
a real headless Chromium (Debian's chromium + chromium-driver, driven by selenium) from a local server.

Where Chromium, its driver or selenium is missing, the browser tests fail and say what to install.
Only the demos' entries are exported (one classifier: mlp-784-30-10), so the build takes seconds.
"""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

import numpy as np
import pytest

import zoo
from zoo import artifacts
from zoo.errors import ZooError
from zoo.website import MARKER, browser, build, pages

CLASSIFIER = "mlp-784-30-10"
SHOWN = 5e-5 + 1e-5  # a number the page shows with 4 decimals, against Keras (rounding + float32)
RTOL, ATOL = 1e-4, 1e-5  # what the page computed (onnxruntime-web, wasm) against Keras


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("site") / "site", classifiers=[CLASSIFIER])


@pytest.fixture(scope="module")
def chrome(site):
    problem = browser.missing()
    if problem:
        pytest.fail(problem)  # never a skip: the site is only tested in a browser
    with browser.serve(site) as base, browser.chromium() as driver:
        yield driver, base


def _page(chrome, path: str):
    driver, base = chrome
    log = browser.open_page(driver, base + path)
    assert browser.errors(log) == [], f"{path}: console errors"
    return driver


def _article(index_html: str, name: str) -> str:
    match = re.search(
        rf'<article class="entry" data-family="[^"]*" data-entry="{re.escape(name)}">(.*?)</article>', index_html
    )
    assert match, f"{name} is missing from the index"
    return match.group(1)


def test_index_shows_every_entry_with_its_card_numbers_and_thumbnail(site):
    index = (site / "index.html").read_text()
    for name in zoo.list_models():
        article, entry, card = _article(index, name), zoo.get(name), zoo.card(name)
        assert f">{entry.family.name} · " in article and f"vs. {escape(entry.anchor)}" in article
        if card is None:
            assert "not trained" in article
            continue
        assert f"{entry.headline} {pages.fmt(card['metrics'][entry.headline])}" in article
        assert f"{card['training_seconds']:.0f} s, {card['epochs_run']} epochs" in article
        thumb = re.search(r'<img src="([^"]+)"', article)
        assert (
            thumb and (site / thumb.group(1)).read_bytes() == (zoo.path(name) / Path(thumb.group(1)).name).read_bytes()
        )
    for key, label, _ in pages.DEMOS:  # the demos are linked from the index
        assert f'<a href="demos/{key}.html">{escape(label)}</a>' in index and (site / "demos" / f"{key}.html").exists()
    families = re.findall(r'<button[^>]*data-family="([^"]+)"', index)
    assert families == zoo.families()


def test_entry_page_is_the_card(site):
    for name in (CLASSIFIER, "vae-2d", "encoder-9-2-9"):
        html, card = (site / "entries" / f"{name}.html").read_text(), zoo.card(name)
        for digest in [*card["files"].values(), *card.get("exports", {}).values(), card["card_sha256"]]:
            assert digest in html
        for picture in pages.picture_names(card):
            assert f'src="../pictures/{name}/{picture}"' in html and (site / "pictures" / name / picture).exists()
        for key in ("tensorflow", "keras", "numpy"):
            assert card["versions"][key] in html
        assert f"zoo.load(&quot;{name}&quot;)" in html and f"pretrained/{name}/saved_model" in html
        recipe = {
            k: "null" if v is None else pages.fmt(v) for k, v in card["recipe"].items() if not isinstance(v, dict)
        }
        assert all(f"<td>{k}</td><td>{v}</td>" in html for k, v in recipe.items())
        assert pages.fmt(card["training_seconds"]) in html


def test_nothing_is_fetched_from_another_host(site):
    ours = [p for p in site.rglob("*") if p.suffix in (".html", ".css", ".js") and "ort" not in p.parts]
    for path in ours:
        text = path.read_text()
        assert not re.search(r'(src|href)="(https?:)?//', text), f"{path} links another host"
        assert "url(http" not in text and 'import("http' not in text
    runtime = json.loads((site / "site.json").read_text())["onnxruntime_web"]
    lock = json.loads((Path(__file__).parent.parent / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/onnxruntime-web"]["version"] == runtime


def test_dynamics_data_are_the_training_snapshots(site):
    shown = json.loads((site / "data" / "dynamics.json").read_text())
    history = artifacts.load_history(zoo.path("encoder-9-2-9"))
    assert shown["encoder-9-2-9"]["epochs"] == history.snapshot_epochs
    np.testing.assert_allclose(shown["encoder-9-2-9"]["codes"], np.stack(history.snapshots), atol=5e-5)
    np.testing.assert_allclose(shown["encoder-9-2-9"]["loss"], history.loss, rtol=0, atol=5.1e-7)  # 6 decimals


def test_build_never_replaces_what_it_did_not_write(tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(ZooError, match="did not write"):
        build(foreign, force=True)
    assert (foreign / "notes.txt").read_text() == "keep me"
    old = tmp_path / "old-site"
    old.mkdir()
    (old / MARKER).write_text("")
    with pytest.raises(ZooError, match="replaces it"):
        build(old)


def test_a_missing_browser_is_an_error_that_says_what_to_install(monkeypatch):
    monkeypatch.setattr(browser, "CHROMIUM", ("/nonexistent/chromium",))
    assert "apt-get install -y chromium chromium-driver" in browser.missing()
    with pytest.raises(ZooError, match="chromium-driver"):
        with browser.chromium():
            pass


def test_every_page_loads_without_console_errors_or_other_hosts(site, chrome):
    paths = [
        "index.html",
        *(f"demos/{key}.html" for key, _, _ in pages.DEMOS),
        *(f"entries/{name}.html" for name in zoo.list_models()),
    ]
    for path in paths:
        driver = _page(chrome, path)
        fetched = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert all(url.startswith(chrome[1]) for url in fetched), f"{path} fetched {fetched}"
        broken = driver.execute_async_script(  # lazy pictures (the index's thumbnails) are loaded and decoded too
            "const done = arguments[arguments.length - 1];"
            "Promise.all([...document.images].map(i => { i.loading = 'eager'; "
            "return i.decode().then(() => null, () => i.src); }))"
            ".then(r => done(r.filter(Boolean)))"
        )
        assert broken == [], f"{path}: pictures that did not load"


def test_index_filters_by_family(chrome):
    driver = _page(chrome, "index.html")
    driver.find_element("css selector", '#filters button[data-family="vae"]').click()
    visible = driver.execute_script(
        "return [...document.querySelectorAll('#entries .entry')].filter(e => !e.hidden).map(e => e.dataset.entry)"
    )
    assert visible == zoo.list_models("vae")


def test_classifier_in_the_page_equals_keras_on_a_test_digit(chrome):
    driver = _page(chrome, "demos/draw.html")
    from zoo import data

    digit = data.vectors("mnist").x_test[1234]
    got = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];zooDemo.classify(Float32Array.from(arguments[0])).then(done)",
        digit.tolist(),
    )
    keras_out = zoo.predict(CLASSIFIER, digit[None])[0]
    np.testing.assert_allclose(got[CLASSIFIER], keras_out, rtol=RTOL, atol=ATOL)
    shown = [float(el.text) for el in driver.find_elements("css selector", f'tr[data-entry="{CLASSIFIER}"] .p')]
    np.testing.assert_allclose(shown, keras_out, rtol=0, atol=SHOWN)
    says = driver.find_element("css selector", f'tr[data-entry="{CLASSIFIER}"] .says').text
    assert says == str(int(np.argmax(keras_out)))


def test_a_drawn_stroke_becomes_an_mnist_like_input(chrome):
    from selenium.webdriver.common.action_chains import ActionChains

    driver = _page(chrome, "demos/draw.html")
    pad = driver.find_element("id", "pad")
    ActionChains(driver).move_to_element_with_offset(pad, -60, -90).click_and_hold().move_by_offset(
        40, 0
    ).move_by_offset(0, 150).release().perform()  # a 7-ish stroke, off centre
    pixels = np.asarray(driver.execute_script("return Array.from(zooDemo.toMnist())")).reshape(28, 28)
    rows, cols = np.nonzero(pixels > 0.05)
    assert 0 <= pixels.min() and pixels.max() <= 1 and pixels.max() > 0.5
    assert rows.max() - rows.min() < 21 and cols.max() - cols.min() < 21  # fitted into 20 x 20
    mass = pixels.sum()
    centre = ((pixels.sum(1) * np.arange(28)).sum() / mass, (pixels.sum(0) * np.arange(28)).sum() / mass)
    np.testing.assert_allclose(centre, (14, 14), atol=1.0)  # centred by its centre of mass


def _decode(name: str, z: np.ndarray) -> np.ndarray:
    entry = zoo.get(name)
    fn, _ = entry.family.endpoints(entry, zoo.load(name))["decode"]
    return np.asarray(fn(np.asarray(z, np.float32)))


def test_vae_2d_decode_in_the_page_equals_keras(chrome):
    driver = _page(chrome, "demos/latent.html")
    z = [0.75, -1.25]
    got = np.asarray(
        driver.execute_async_script(
            "const done = arguments[arguments.length - 1];zooDemo.decode2d(arguments[0]).then(done)", z
        )
    )
    expected = _decode("vae-2d", np.asarray([z]))[0]
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)
    drawn = driver.execute_script(
        "return Array.from(document.getElementById('decoded').getContext('2d')"
        ".getImageData(0, 0, 28, 28).data).filter((v, i) => i % 4 === 0)"
    )
    assert np.abs(np.asarray(drawn) - np.round(expected * 255)).max() <= 1  # the canvas shows those pixels
    assert driver.find_element("id", "z").text == "(0.750, -1.250)"


def test_vae_samples_in_the_page_decode_like_keras(chrome):
    driver = _page(chrome, "demos/latent.html")
    latent = zoo.get("vae").params.get("latent", 50)
    z = np.asarray(driver.execute_script(f"return Array.from(zooDemo.gaussians(16 * {latent}, 3))"), np.float32)
    assert abs(z.mean()) < 0.15 and abs(z.std() - 1) < 0.1  # N(0, I) drawn in the page
    got = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "zooDemo.decodeSamples(Float32Array.from(arguments[0])).then(done)",
        z.tolist(),
    )
    np.testing.assert_allclose(np.reshape(got, (16, 784)), _decode("vae", z.reshape(16, latent)), rtol=RTOL, atol=ATOL)


def test_spirals_units_in_the_page_equal_keras(chrome):
    from zoo.families.spirals.entries import twin_spirals

    driver = _page(chrome, "demos/spirals.html")
    points = twin_spirals().x
    got = np.asarray(
        driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "zooDemo.units('spirals-2hidden', Float32Array.from(arguments[0])).then(done)",
            points.ravel().tolist(),
        )
    ).reshape(len(points), -1)
    model = zoo.load("spirals-2hidden")
    np.testing.assert_allclose(got[:, -1], np.asarray(model(points)).ravel(), rtol=RTOL, atol=ATOL)
    first = np.tanh(points @ model.get_layer("hidden1").kernel.numpy() + model.get_layer("hidden1").bias.numpy())
    np.testing.assert_allclose(got[:, : first.shape[1]], first, rtol=RTOL, atol=ATOL)
    accuracy = np.mean((got[:, -1] > 0.5) == (twin_spirals().y.ravel() > 0.5))
    assert accuracy == zoo.card("spirals-2hidden")["metrics"]["train_accuracy"]


def test_encoder_slider_shows_each_snapshot(chrome):
    driver = _page(chrome, "demos/dynamics.html")
    history = artifacts.load_history(zoo.path("encoder-9-2-9"))
    driver.execute_script("zooDemo.show['encoder-9-2-9'](0)")
    label = driver.find_element("css selector", "#encoders section .label").text
    epoch = history.snapshot_epochs[0]
    assert label.startswith(
        f"snapshot 1 of {len(history.snapshots)}: epoch {epoch}, loss {history.loss[epoch - 1]:.4f}"
    )


def test_two_builds_at_once_install_the_runtime_once(tmp_path, monkeypatch):
    """Parallel site builds (the test workers, two users) share build/site-npm: the install is locked, so
    the second waits and finds it done. A stand-in npm fails if two installs ever overlap."""
    import os
    import threading

    from zoo.website import runtime

    (tmp_path / "package.json").write_text("{}")
    (tmp_path / "package-lock.json").write_text("{}")
    npm = tmp_path / "bin" / "npm"
    npm.parent.mkdir()
    dist = "node_modules/onnxruntime-web/dist"
    npm.write_text(
        "#!/bin/sh\n[ -e busy ] && exit 1\ntouch busy; echo run >> runs; sleep 1\n"
        f"mkdir -p {dist} && touch " + " ".join(f"{dist}/{f}" for f in runtime.FILES) + "\nrm busy\n"
    )
    npm.chmod(0o755)
    monkeypatch.setenv("PATH", f"{npm.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(runtime, "ROOT", tmp_path)
    found, failed = [], []

    def build():
        try:
            found.append(runtime.dist_folder())
        except ZooError as err:
            failed.append(str(err))

    threads = [threading.Thread(target=build) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failed == [] and found == [tmp_path / "build" / "site-npm" / dist] * 2
    assert (tmp_path / "build" / "site-npm" / "runs").read_text() == "run\n"  # npm ci ran once


def test_zoo_site_reaches_the_builder_and_stays_a_function(tmp_path, runner):
    """`zoo site` and zoo.site() crashed ("'function' object has no attribute 'build'"): the builder's package was
    named zoo.site, the name of the API function, and importing it rebound zoo.site to the package. A folder of the
    user's, refused before any work, is the cheap way through both."""
    import zoo.website  # noqa: F401  (importing the builder must leave zoo.site alone)
    from zoo.cli import main

    assert callable(zoo.site)
    (tmp_path / "mine.txt").write_text("a user's file")
    result = runner.invoke(main, ["site", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "holds files zoo did not write" in result.output, result.output
    with pytest.raises(ZooError, match="holds files zoo did not write"):
        zoo.site(tmp_path)
    assert (tmp_path / "mine.txt").read_text() == "a user's file"
