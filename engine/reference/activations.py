"""Activation functions, their derivatives and softmax, as the curriculum teaches them.

Every function works element-wise on arrays of any shape (softmax along the last axis)
and is written to stay finite for inputs of any magnitude (|x| = 1000 included).
"""

from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic sigmoid 1 / (1 + e^{-x}), computed without overflow for large |x|."""
    x = np.asarray(x, dtype=np.float64)
    # e^{-|x|} never overflows; pick the algebraically equal form per sign.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def d_sigmoid(x: np.ndarray) -> np.ndarray:
    """sigma'(x) = sigma(x) (1 - sigma(x)); its maximum is 1/4, at x = 0."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent."""
    return np.tanh(np.asarray(x, dtype=np.float64))


def d_tanh(x: np.ndarray) -> np.ndarray:
    """tanh'(x) = 1 - tanh(x)^2 (= 1 / cosh(x)^2); its maximum is 1, at x = 0."""
    t = np.tanh(np.asarray(x, dtype=np.float64))
    return 1.0 - t * t


def relu(x: np.ndarray) -> np.ndarray:
    """max(0, x)."""
    return np.maximum(0.0, np.asarray(x, dtype=np.float64))


def d_relu(x: np.ndarray) -> np.ndarray:
    """Heaviside step; 0 at x = 0 (the sub-gradient PyTorch uses)."""
    return (np.asarray(x) > 0).astype(np.float64)


def leaky_relu(x: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """x for x > 0, alpha * x otherwise."""
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, x, alpha * x)


def d_leaky_relu(x: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """1 for x > 0, alpha otherwise: at x = 0 the value is alpha, as in PyTorch's backward."""
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, 1.0, alpha)


def swish(x: np.ndarray, beta: float = 1.0) -> np.ndarray:
    """Swish / SiLU: x * sigma(beta x)."""
    x = np.asarray(x, dtype=np.float64)
    return x * sigmoid(beta * x)


def d_swish(x: np.ndarray, beta: float = 1.0) -> np.ndarray:
    """sigma(beta x) + beta x sigma(beta x) (1 - sigma(beta x))."""
    x = np.asarray(x, dtype=np.float64)
    s = sigmoid(beta * x)
    return s + beta * x * s * (1.0 - s)


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax along the last axis, stable: the row maximum is subtracted before exp."""
    x = np.asarray(x, dtype=np.float64)
    shifted = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def softmax_jacobian(x: np.ndarray) -> np.ndarray:
    """For 1-D x of length n, the (n, n) matrix J[i, j] = s_i (delta_ij - s_j) = diag(s) - s s^T."""
    s = softmax(np.asarray(x, dtype=np.float64))
    return np.diag(s) - np.outer(s, s)
