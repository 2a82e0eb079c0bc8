"""zoo: the classic networks that teach how neural networks learn, each trained and exported.

    >>> import zoo
    >>> zoo.list_models()                 # the catalogue
    >>> model = zoo.load("encoder-9-2-9")  # the pretrained model, checksums verified
    >>> zoo.evaluate("encoder-9-2-9")      # its metrics, measured again

Importing zoo stays free of TensorFlow (so `zoo list` is instant); the verbs import it on first use.
"""
from zoo.api import build, evaluate, load, plot, predict, sample, train
from zoo.errors import ZooError
from zoo.registry import get, list_models

__all__ = ["ZooError", "build", "evaluate", "get", "list_models", "load", "plot", "predict", "sample", "train"]
__version__ = "0.1.0"
