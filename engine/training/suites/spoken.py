"""What the classifier checks share: the stored model, spoken-digit inputs, logits."""

from __future__ import annotations

from engine.sandbox.api import Ref
from engine.training.data import spoken_digit_sample
from engine.training.suites.values import array_of_shape

MODEL = Ref("model")  # the model the suite's setup built (``store_as="model"``)


def digit_clips(params: dict, seed: int, n_key: str = "batch"):
    """``params[n_key]`` clips of ``params['steps']`` steps, and their labels."""
    return spoken_digit_sample(int(params.get(n_key, 8)), int(params.get("steps", 1000)), seed)


def as_logits(values, n: int, n_classes: int, what: str):
    """``values`` as logits of shape (n, n_classes), or the failure that says why not."""
    return array_of_shape(values, (n, n_classes), what)
