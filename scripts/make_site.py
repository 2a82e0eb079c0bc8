"""Build the catalogue site (index, a page per entry, live demos) into a folder: zoo.website.build.

Usage: python scripts/make_site.py [OUT] [--force] [--screenshots]   (OUT default build/site;
       --screenshots also saves docs/site-*.png from the built site in headless Chromium)
Then:  python -m http.server -d build/site   and open http://127.0.0.1:8000/
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from zoo.errors import ZooError
    from zoo.website import build

    args = [a for a in argv if not a.startswith("--")]
    out = Path(args[0]) if args else Path(__file__).resolve().parent.parent / "build" / "site"
    try:
        print(build(out, force="--force" in argv))
        if "--screenshots" in argv:
            from zoo.website.screenshots import shoot

            for path in shoot(out, Path(__file__).resolve().parent.parent / "docs"):
                print(path)
    except ZooError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
