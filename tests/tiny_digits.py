"""A tiny TFDS data set the tests prepare offline in a temporary data_dir."""

import numpy as np
import tensorflow_datasets as tfds


class ZooTinyDigits(tfds.core.GeneratorBasedBuilder):
    """A 28 x 28 'digits' data set made on the spot (the shape MNIST entries take): a real TFDS builder, prepared
    offline."""

    VERSION = tfds.core.Version("1.0.0")

    def _info(self):
        return tfds.core.DatasetInfo(
            builder=self,
            features=tfds.features.FeaturesDict(
                {
                    "image": tfds.features.Tensor(shape=(28, 28), dtype=np.uint8),
                    "label": tfds.features.ClassLabel(num_classes=2),
                }
            ),
            supervised_keys=("image", "label"),
        )

    def _split_generators(self, dl_manager):
        return {"train": self._generate_examples(0, 12), "test": self._generate_examples(100, 4)}

    def _generate_examples(self, start, count):
        for i in range(start, start + count):
            yield i, {"image": np.full((28, 28), i % 256, np.uint8), "label": i % 2}
