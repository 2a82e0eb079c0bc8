"""A local web server and headless Chromium (through selenium) for the site's tests and screenshots.

Chromium and its driver are Debian's (`apt-get install -y chromium chromium-driver`); selenium gets the
driver's path, so it never downloads a driver of its own. A missing piece is an error that says what
to install, never a skip.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from zoo.errors import ZooError

CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
DRIVER = "/usr/bin/chromedriver"
INSTALL = "apt-get update && apt-get install -y chromium chromium-driver; pip install selenium"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the tests' output stays readable
        pass


@contextmanager
def serve(folder: Path):
    """Serve `folder` on 127.0.0.1 (a free port) in a thread, as `python -m http.server` does; yields the base URL."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def missing() -> str | None:
    """What is missing to drive Chromium, in words, with the command that installs it; None if nothing."""
    try:
        import selenium  # noqa: F401  (only whether it is installed)
    except ImportError:
        return f"the site's browser tests need selenium: {INSTALL}"
    if not any(Path(p).exists() for p in CHROMIUM) or not Path(DRIVER).exists():
        return f"the site's browser tests need Chromium and its driver ({', '.join(CHROMIUM)}, {DRIVER}): {INSTALL}"
    return None


@contextmanager
def chromium():
    """A headless Chromium with a fresh profile, its console kept (driver.get_log("browser"))."""
    problem = missing()
    if problem:
        raise ZooError(problem)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="zoo-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = next(p for p in CHROMIUM if Path(p).exists())
    for flag in FLAGS + (f"--user-data-dir={profile}",):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=DRIVER))
    driver.set_script_timeout(120)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def open_page(driver, url: str) -> list[dict]:
    """Load `url`, wait for its demo (if any) to be ready; returns the console's messages of the load."""
    driver.get(url)
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "const ready = window.zooDemo && window.zooDemo.ready;"
        "if (!ready) { done(null); return; }"
        "ready.then(() => done(null), err => done(String(err)));"
    )
    return driver.get_log("browser")


def errors(log: list[dict]) -> list[str]:
    return [entry["message"] for entry in log if entry.get("level") == "SEVERE"]
