"""Reading the plain values that come back from the sandbox, with sentences for the learner."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.checks.compare import describe_value, value_data
from engine.messages import msg
from engine.training.core import Failure


def array_of_shape(
    value: Any, shape: tuple[int, ...], what: str
) -> tuple[np.ndarray | None, Failure | None]:
    """``value`` as a float array of exactly ``shape``, or the failure that says why not."""
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
        return None, Failure(
            f"{what} is not a tensor",
            f"{what} is {describe_value(value)}; expected a tensor of shape {shape}",
            msg("training.not_a_tensor", what=what, got=value_data(value), shape=list(shape)),
        )
    if value.shape != shape:
        return None, Failure(
            f"{what} has the wrong shape",
            f"{what} has shape {value.shape}; expected {shape}",
            msg("training.wrong_shape", what=what, got=list(value.shape), shape=list(shape)),
        )
    value = value.astype(np.float64)
    if not np.isfinite(value).all():
        bad = int((~np.isfinite(value)).sum())
        return None, Failure(
            f"{what} has NaN or infinite values",
            f"{what} has {bad} NaN or infinite values (of {value.size}): the training diverged "
            "or a computation overflowed",
            msg("training.nonfinite", what=what, bad=bad, size=int(value.size)),
        )
    return value, None


def pair(value: Any, what: str) -> tuple[tuple | None, Failure | None]:
    if isinstance(value, tuple | list) and len(value) == 2:
        return tuple(value), None
    return None, Failure(
        f"{what} did not return a pair",
        f"{what} returned {describe_value(value)}; expected a tuple (y, state)",
        msg("training.not_a_pair", what=what, got=value_data(value)),
    )


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Mean cross-entropy of integer ``labels`` under ``logits``, computed here, not by the learner."""
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(labels)), labels].mean())
