"""Data for the training exercises, made or loaded in the trusted process.

Learner code never reads these files: the sandbox cannot see the project tree, so the
arrays go in as call arguments, and targets of held-out data never go in at all.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

SPOKEN_DIGITS = Path(__file__).resolve().parents[2] / "data" / "spoken_digits" / "spoken_digits.npz"

# The seed's Seq2Seq exercise: x = linspace(-pi, pi, 50), windows of NUM_STEPS = 24.
SINE_DT = 2 * np.pi / 49
SINE_TRAIN_WINDOWS = 26


@functools.lru_cache(maxsize=1)
def _spoken_digit_arrays() -> dict[str, np.ndarray]:
    with np.load(SPOKEN_DIGITS, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def spoken_digits(steps: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Every clip as ``(x, y)``: x ``(N, steps, 1)`` float32 in [-1, 1], cut or zero-padded
    at the end to ``steps`` samples (the seed's preprocessing); y ``(N,)`` int64 digits."""
    d = _spoken_digit_arrays()
    x = np.zeros((len(d["labels"]), steps, 1), dtype=np.float32)
    for i, (start, length) in enumerate(zip(d["offsets"], d["lengths"], strict=True)):
        clip = d["audio"][start : start + min(length, steps)]
        x[i, : len(clip), 0] = clip.astype(np.float32) / 32768.0
    return x, d["labels"].copy()


def spoken_digit_sample(n: int, steps: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` clips drawn without replacement (a fixed draw per seed), classes balanced first."""
    x, y = spoken_digits(steps)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    # Round-robin over the digits so that 10 clips cover all ten classes.
    by_class = [order[y[order] == c] for c in range(10)]
    picked = [by_class[i % 10][i // 10] for i in range(n)]
    return x[picked], y[picked]


def sine_windows(phases: np.ndarray, n_steps: int = 24) -> dict[str, np.ndarray]:
    """The Seq2Seq data: ``ex`` = sin (encoder input), ``dy`` = cos (target), and ``dx`` =
    the decoder's teacher-forcing input, the target shifted one step right after a 0.

    All three are float32 ``(N, n_steps, 1)``.
    """
    t = np.asarray(phases, dtype=np.float64)[:, None] + SINE_DT * np.arange(n_steps)
    ex = np.sin(t)[..., None]
    dy = np.cos(t)[..., None]
    dx = np.concatenate([np.zeros_like(dy[:, :1]), dy[:, :-1]], axis=1)
    return {k: v.astype(np.float32) for k, v in (("ex", ex), ("dx", dx), ("dy", dy))}


def sine_training_phases() -> np.ndarray:
    return -np.pi + SINE_DT * np.arange(SINE_TRAIN_WINDOWS)


def sine_heldout_phases(n: int, seed: int) -> np.ndarray:
    """Phases between the training windows' (never equal to one of them)."""
    rng = np.random.default_rng(seed)
    k = rng.integers(0, SINE_TRAIN_WINDOWS - 1, size=n)
    return -np.pi + SINE_DT * (k + rng.uniform(0.2, 0.8, size=n))
