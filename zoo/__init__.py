"""zoo: the classic networks that teach how neural networks learn, each trained and exported.

    >>> import zoo
    >>> zoo.list_models()                 # the catalogue
    >>> model = zoo.load("encoder-9-2-9")  # the shipped model, checksums verified, safe mode on
    >>> zoo.evaluate("encoder-9-2-9")      # its metrics, measured again
    >>> zoo.path("vae")                    # where its artifact lives (model.keras, card.json, pictures)

Importing zoo stays free of TensorFlow (so `zoo list` is instant); the verbs import it on first use.
"""

from importlib import import_module

from zoo import catalogue as _catalogue
from zoo.api import build, card, evaluate, export, load, path, plot, predict, sample, site, train
from zoo.catalogue import get, list_models
from zoo.errors import ZooError

__all__ = [
    "ZooError",
    "build",
    "card",
    "evaluate",
    "export",
    "families",
    "get",
    "list_models",
    "load",
    "path",
    "plot",
    "predict",
    "sample",
    "site",
    "train",
]
__version__ = "0.1.0"

# The package of the shipped families is loaded now and the function `families` bound again after it: Python
# points a package's attribute at a subpackage when the subpackage is first imported, which would otherwise turn
# `zoo.families` into a module the first time discovery imports a family.
import_module("zoo.families")
families = _catalogue.families
