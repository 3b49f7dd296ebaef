"""Word2vec pieces (Section 6) and attention (Section 7)."""

from __future__ import annotations

import numpy as np

from engine.reference.activations import softmax


def cosine_similarity(a, b):
    """a . b / (|a| |b|) along the last axis: a float for 1-D inputs, (...,) otherwise."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    sim = np.sum(a * b, axis=-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))
    return float(sim) if np.ndim(sim) == 0 else sim


def negative_sampling_loss(h, W_out, target, negatives):
    """-log sigma(h . w_target) - sum_n log sigma(-h . w_n), rows of W_out are words.

    -log sigma(s) = log(1 + e^{-s}) is computed as ``logaddexp(0, -s)`` so that large
    scores give a finite loss. A negative index that repeats counts every time.
    """
    h = np.asarray(h, dtype=np.float64)
    W_out = np.asarray(W_out, dtype=np.float64)
    pos = W_out[int(target)].dot(h)
    neg = W_out[np.asarray(negatives, dtype=np.int64)].dot(h)
    return float(np.logaddexp(0.0, -pos) + np.sum(np.logaddexp(0.0, neg)))


def attention(Q, K, V):
    """Scaled dot-product attention: (context, weights).

    weights = softmax(Q K^T / sqrt(d)) over the keys (last axis), context = weights V.
    Q (..., n_q, d), K (..., n_k, d), V (..., n_k, d_v); d is the key dimension.
    """
    Q = np.asarray(Q, dtype=np.float64)
    K = np.asarray(K, dtype=np.float64)
    V = np.asarray(V, dtype=np.float64)
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    weights = softmax(scores)
    return weights @ V, weights
