"""Rewrite the SavedModel of shipped artifacts from their verified .keras weights, without retraining.

For when the exporter changes: the weights, metrics and history stay as the training run left them;
the card gets the new exports' sha256 and a note of the re-export (the old artifact is verified
first, and replaced with replace=True, which removes only the files its card lists).
For a card written by an older zoo, run scripts/upgrade_artifacts.py first.
Usage: python scripts/reexport.py [NAME ...]   (default: every shipped entry)
"""

import os
import shutil
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main(names):
    from zoo import api, artifacts, registry
    from zoo.family import get_family

    names = names or [n for n in registry.list_models() if (artifacts.pretrained_dir(n) / artifacts.CARD).exists()]
    for name in names:
        folder = artifacts.pretrained_dir(name)
        card = artifacts.verify(folder)
        model = artifacts.load_keras(folder)
        entry = registry.get(name)

        def fill(tmp):
            for item in folder.iterdir():
                if item.name not in (artifacts.CARD, artifacts.SAVED_MODEL):
                    shutil.copy2(item, tmp / item.name)
            artifacts.save_saved_model(
                model, get_family(entry.family).endpoints(entry, model), tmp / artifacts.SAVED_MODEL
            )

        kept = {k: v for k, v in card.items() if k not in ("files", "exports", "card_sha256")}
        kept["saved_model_reexported_at_commit"] = api._git_commit()
        artifacts.write(folder, fill, kept, replace=True)
        print(f"{name}: saved_model re-exported")


if __name__ == "__main__":
    main(sys.argv[1:])
