"""Convolution output size and the recurrent networks of Sections 1-5.

Conventions follow the curriculum's code: batches are rows, weight matrices of the LSTM,
GRU and bidirectional RNN are (out, in) and applied as ``x.dot(W.T)`` (or ``W.dot(x)``
for a single vector), and the simple RNN step of Section 1 uses ``x.dot(W_in)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.reference.activations import sigmoid


def conv_output_size(H: int, W: int, KH: int, KW: int, P: int, S: int) -> tuple[int, int]:
    """(OH, OW) with OH = floor((H + 2P - KH) / S) + 1, the same for the width.

    The seed's worked example (5x5 input, 3x3 filter) only reveals padding 1 and
    stride 2 inside its answer; with those values the output is 3x3.
    """
    return (H + 2 * P - KH) // S + 1, (W + 2 * P - KW) // S + 1


def rnn_step(x: np.ndarray, z_prev: np.ndarray, W_in: np.ndarray, W: np.ndarray, b: np.ndarray):
    """One step of the Section 1 RNN: sigmoid(x W_in + z_prev W + b).

    x (batch, in), z_prev (batch, hidden), W_in (in, hidden), W (hidden, hidden),
    b (hidden,). Rows are the batch, as in the seed's ``np.dot(X, W_in)``.
    """
    return sigmoid(x @ W_in + z_prev @ W + b)


def recursive_tree_net(node: Any, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Recursive neural network over a binary tree (the seed's blank (く)).

    A leaf is a word vector (embed,); an inner node is ``{'left': ..., 'right': ...}``;
    an inner node's vector is tanh(W . concat(left, right) + b) with W (embed, 2 embed).
    The seed's listing returns only inside the ``else`` branch, so leaves would give
    ``None``; here every node returns its vector.
    """
    if not isinstance(node, dict):
        return np.asarray(node, dtype=np.float64)
    left = recursive_tree_net(node["left"], W, b)
    right = recursive_tree_net(node["right"], W, b)
    return np.tanh(W.dot(np.concatenate([left, right])) + b)


def gradient_clipping(grad: np.ndarray, threshold: float) -> np.ndarray:
    """Rescale grad to norm ``threshold`` when its norm (of the whole array) exceeds it.

    Returns a new array; the input is never modified. PyTorch's ``clip_grad_norm_``
    divides by ``norm + 1e-6`` instead of ``norm``: the two differ by about 1e-6 relative.
    """
    grad = np.asarray(grad, dtype=np.float64)
    norm = np.sqrt(np.sum(grad * grad))
    if norm > threshold:
        return grad * (threshold / norm)
    return grad.copy()


def lstm_cell(x, prev_h, prev_c, W, U, b):
    """One LSTM step, returning (h, c) (the seed's blank (け)).

    W (4H, in), U (4H, H) and b (4H,) hold four blocks in the order a, i, f, o:
    a = tanh(block a) is the cell input, i, f, o = sigmoid(blocks) the input, forget and
    output gates; c = i * a + f * prev_c, h = o * tanh(c).

    The seed applies ``_activation`` to all four blocks before the gate sigmoids; that
    is a mistake (a gate would be sigmoid(tanh(.))), so only ``a`` gets tanh here.
    PyTorch's ``nn.LSTMCell`` orders its blocks i, f, g, o (g = our a) and has two biases.
    """
    z = x.dot(W.T) + prev_h.dot(U.T) + b
    a, i, f, o = np.split(z, 4, axis=-1)
    a = np.tanh(a)
    i, f, o = sigmoid(i), sigmoid(f), sigmoid(o)
    c = i * a + f * prev_c
    h = o * np.tanh(c)
    return h, c


def gru_cell(x, h_prev, W_r, U_r, W_z, U_z, W, U):
    """One GRU step in the curriculum's formulation (the seed's blank (こ)).

    r = sigmoid(x W_r^T + h_prev U_r^T), z = sigmoid(x W_z^T + h_prev U_z^T),
    h_bar = tanh(x W^T + (r * h_prev) U^T), h_new = (1 - z) * h_prev + z * h_bar.

    This is NOT PyTorch's convention: ``nn.GRUCell`` computes
    h' = (1 - z) * n + z * h (z weighs the *old* state) and applies r after the
    recurrent product, n = tanh(W x + b + r * (U h + b_hn)). No biases here.
    """
    r = sigmoid(x.dot(W_r.T) + h_prev.dot(U_r.T))
    z = sigmoid(x.dot(W_z.T) + h_prev.dot(U_z.T))
    h_bar = np.tanh(x.dot(W.T) + (r * h_prev).dot(U.T))
    return (1.0 - z) * h_prev + z * h_bar


def bidirectional_rnn(xs, W_f, U_f, W_b, U_b, V):
    """Bidirectional RNN (the seed's blank (か)), returning ys (T, out).

    h_f[t] = tanh(W_f x_t + U_f h_f[t-1]) with h_f[-1] = 0, run forwards;
    h_b[t] = tanh(W_b x_t + U_b h_b[t+1]) with h_b[T] = 0, run backwards and stored at
    its own time index t; ys[t] = V concat(h_f[t], h_b[t]). No biases.

    The seed's loop reads ``h_b[n_time - i]``, which is out of range at i = 0, and its
    answer ``h_b[::-1]`` would reverse states that the loop already stored in time order.
    """
    xs = np.asarray(xs, dtype=np.float64)
    n_time = xs.shape[0]
    h_f = np.zeros((n_time, U_f.shape[0]))
    h_b = np.zeros((n_time, U_b.shape[0]))
    state = np.zeros(U_f.shape[0])
    for t in range(n_time):
        state = np.tanh(W_f.dot(xs[t]) + U_f.dot(state))
        h_f[t] = state
    state = np.zeros(U_b.shape[0])
    for t in reversed(range(n_time)):
        state = np.tanh(W_b.dot(xs[t]) + U_b.dot(state))
        h_b[t] = state
    return np.concatenate([h_f, h_b], axis=1).dot(V.T)


def seq2seq_encode(words, E, W, U, b):
    """Seq2seq encoder (the seed's second blank (き)): the final hidden state (hidden,).

    words (n_words, vocab) one-hot rows; e = E w with E (embed, vocab);
    h = tanh(W e + U h + b), starting from h = 0. For a 1-D w, ``w.dot(E.T)`` equals
    ``E.dot(w)`` too, so the seed's choice (3) is also correct.
    """
    h = np.zeros(W.shape[0])
    for w in np.asarray(words, dtype=np.float64):
        e = E.dot(w)
        h = np.tanh(W.dot(e) + U.dot(h) + b)
    return h
