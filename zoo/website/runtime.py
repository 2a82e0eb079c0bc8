"""The browser's ONNX runtime: onnxruntime-web from npm, copied into the site so nothing loads from a CDN.

The version is pinned by package.json / package-lock.json at the repository root. The files are not in
git: `npm ci` installs them, either at the root (node_modules/) or, when that is missing, into
build/site-npm/ (ignored by git), which this module does on the first build.
"""

from __future__ import annotations

import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

from zoo.errors import ZooError

PACKAGE = "onnxruntime-web"


def _project_root() -> Path:
    """The checkout holding package-lock.json: the package's parent (an editable install), else the
    working directory (an installed wheel run from the checkout, as CI does)."""
    for candidate in (Path(__file__).resolve().parents[2], Path.cwd()):
        if (candidate / "package-lock.json").exists():
            return candidate
    return Path.cwd()


ROOT = _project_root()
# The wasm-only build: ort.wasm.min.js (a classic script exposing `ort`), which imports the wasm glue
# (.mjs) and fetches the .wasm binary from the same folder. Single thread, so no SharedArrayBuffer.
FILES = ("ort.wasm.min.js", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm")


def _dist_candidates() -> list[Path]:
    return [ROOT / "node_modules" / PACKAGE / "dist", ROOT / "build" / "site-npm" / "node_modules" / PACKAGE / "dist"]


def _complete(dist: Path) -> bool:
    return all((dist / f).is_file() for f in FILES)


def dist_folder(install: bool = True) -> Path:
    """Where onnxruntime-web's dist files are, installing them with `npm ci` into build/site-npm if needed."""
    at_root, ours = _dist_candidates()
    if _complete(at_root):
        return at_root
    target = ours.parents[2]  # build/site-npm
    if target.is_dir():
        with _installing(target):  # complete means another build's npm ci has finished, not that it is writing
            if _complete(ours):
                return ours
    lock = ROOT / "package-lock.json"
    if not install or not lock.exists():
        raise ZooError(f"the site needs {PACKAGE} from npm: run `npm ci` at the repository root ({ROOT})")
    npm = shutil.which("npm")
    if npm is None:
        raise ZooError(
            f"the site needs {PACKAGE} from npm, and npm is missing: install Node.js and npm "
            "(Debian: apt-get install -y npm), then run `npm ci` at the repository root"
        )
    target.mkdir(parents=True, exist_ok=True)
    with _installing(target):
        if _complete(ours):  # another build installed it while this one waited
            return ours
        for name in ("package.json", "package-lock.json"):  # the root's pinned versions, installed out of git's way
            shutil.copyfile(ROOT / name, target / name)
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=target, capture_output=True, text=True
        )
        if done.returncode != 0 or not _complete(ours):
            raise ZooError(f"npm ci of {PACKAGE} failed in {target}: {done.stderr.strip()[-500:]}")
    return ours


@contextmanager
def _installing(target: Path):
    """An exclusive lock on build/site-npm: two site builds at once (the test workers, two users) would
    otherwise run `npm ci` into one folder together, and npm fails (ENOTEMPTY) or leaves it half written."""
    import fcntl

    with open(target / ".install.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def version(dist: Path) -> str:
    import json

    return json.loads((dist.parent / "package.json").read_text())["version"]


def copy_into(out: Path) -> str:
    """Copy the runtime into out/ort/; returns the onnxruntime-web version copied."""
    dist = dist_folder()
    (out / "ort").mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copyfile(dist / name, out / "ort" / name)
    return version(dist)
