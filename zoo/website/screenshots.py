"""Screenshots of a built site in headless Chromium, for docs/site.md: the index and the demos.

The draw demo is shown on a digit drawn with the pointer (a 2), as a visitor would, not a test image;
the latent demo at one fixed z, 8-3-8 at its second snapshot.
"""

from __future__ import annotations

from pathlib import Path

from zoo.website import browser

# page, file name, window height (the demos are taller than a screen)
SHOTS = (
    ("index.html", "site-index.png", 1100),
    ("demos/draw.html", "site-draw.png", 1500),
    ("demos/latent.html", "site-latent.png", 900),
    ("demos/dynamics.html", "site-dynamics.png", 1350),
    ("demos/spirals.html", "site-spirals.png", 1150),
)
TWO = [(-50, -60), (30, -25), (35, 10), (5, 40), (-40, 45), (-40, 40), (110, 0)]  # pointer moves drawing a 2


def _draw_two(driver) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    pad = driver.find_element("id", "pad")
    x, y = TWO[0]
    chain = ActionChains(driver).move_to_element_with_offset(pad, x, y).click_and_hold()
    for dx, dy in TWO[1:]:
        for _ in range(4):  # short steps, so the stroke is a line and not a few dots
            chain = chain.move_by_offset(dx // 4, dy // 4)
    chain.release().perform()
    driver.execute_script("return new Promise(r => setTimeout(r, 500))")  # the pointerup runs every model


def shoot(site: Path, out_dir: Path) -> list[Path]:
    """Save the screenshots of the site in `site` into `out_dir`; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with browser.serve(site) as base, browser.chromium() as driver:
        for page, name, height in SHOTS:
            driver.set_window_size(1280, height)
            log = browser.open_page(driver, base + page)
            problems = browser.errors(log)
            if problems:
                raise RuntimeError(f"{page}: console errors {problems}")
            if page.endswith("draw.html"):
                _draw_two(driver)
            if page.endswith("latent.html"):  # a point between the 2s and the 1s, not the origin
                driver.execute_async_script("zooDemo.decode2d([-0.8, 1.2]).then(arguments[arguments.length - 1])")
            if page.endswith("dynamics.html"):  # 8-3-8 early on, its codes still inside the cube
                driver.execute_script("zooDemo.show['encoder-8-3-8'] && zooDemo.show['encoder-8-3-8'](1)")
            driver.save_screenshot(str(out_dir / name))
            written.append(out_dir / name)
    return written
