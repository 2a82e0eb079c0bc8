"""Rebuild every shipped artifact: train each catalogue entry by its recipe into pretrained/<name>/.

Usage: python scripts/train_all.py [NAME ...]   (default: every catalogue entry; then run make_docs.py)
Each card records its own training seconds; this prints the total.
"""
import os
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main(names):
    import zoo

    names = names or zoo.list_models()
    started = time.perf_counter()
    for name in names:
        # one process per entry: a clean TensorFlow state, so every run is seeded the same way `zoo train` is
        subprocess.run(["zoo", "train", name, "--out", f"pretrained/{name}", "--force"], check=True)
    print(f"trained {len(names)} entries in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
