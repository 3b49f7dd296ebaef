"""Sizes and parameter counts: convolutions, recurrent layers, embeddings, skip-gram pairs."""

from __future__ import annotations

from ..registry import IllPosed, Solution, answer


def _conv(L: int, K: int, P: int, S: int) -> int:
    if K > L + 2 * P:
        raise IllPosed(f"the kernel ({K}) is longer than the padded input ({L + 2 * P}).")
    return (L + 2 * P - K) // S + 1


@answer("conv-output-size", integer=True)
def conv_output_size(*, H: int, K: int, P: int, S: int) -> Solution:
    """Positions of a K-wide filter in H + 2P cells with stride S (floor, as F.conv2d)."""
    return Solution(_conv(H, K, P, S), padded=H + 2 * P, span=H + 2 * P - K)


@conv_output_size.misconception("padding-forgotten")
def _(*, H, K, P, S):
    return _conv(H, K, 0, S) if K <= H else 0


@conv_output_size.misconception("padding-once")
def _(*, H, K, P, S):
    return (H + P - K) // S + 1


@conv_output_size.misconception("ceil-not-floor")
def _(*, H, K, P, S):
    return -(-(H + 2 * P - K) // S) + 1


@conv_output_size.misconception("stride-ignored")
def _(*, H, K, P, S):
    return H + 2 * P - K + 1


@conv_output_size.misconception("plus-one-forgotten")
def _(*, H, K, P, S):
    return (H + 2 * P - K) // S


@answer("conv1d-output-length", integer=True)
def conv1d_output_length(*, L: int, K: int, S: int) -> Solution:
    """A "valid" (no padding) 1-D convolution."""
    return Solution(_conv(L, K, 0, S), span=L - K)


def _gated_count(parts: int, D: int, H: int, biases: int) -> int:
    return parts * (H * D + H * H + biases * H)


@answer("lstm-param-count", integer=True)
def lstm_param_count(*, D: int, H: int) -> Solution:
    """Four parts (cell input and three gates), each W (H×D), U (H×H) and one bias (H)."""
    part = H * D + H * H + H
    return Solution(4 * part, part=part, HD=H * D, HH=H * H, gru=3 * part)


@lstm_param_count.misconception("three-parts")
def _(*, D, H):
    return _gated_count(3, D, H, 1)


@lstm_param_count.misconception("bias-forgotten")
def _(*, D, H):
    return _gated_count(4, D, H, 0)


@lstm_param_count.misconception("recurrent-weight-forgotten")
def _(*, D, H):
    return 4 * (H * D + H)


@lstm_param_count.misconception("one-part")
def _(*, D, H):
    return _gated_count(1, D, H, 1)


@answer("gru-param-count", integer=True)
def gru_param_count(*, D: int, H: int) -> Solution:
    """Three parts (reset gate, update gate, candidate), each W (H×D), U (H×H) and a bias."""
    part = H * D + H * H + H
    return Solution(3 * part, part=part, HD=H * D, HH=H * H, lstm=4 * part)


@answer("torch-gru-param-count", integer=True)
def torch_gru_param_count(*, D: int, H: int) -> Solution:
    """nn.GRU: three parts, each weight_ih (H×D), weight_hh (H×H), bias_ih and bias_hh."""
    part = H * D + H * H + 2 * H
    return Solution(3 * part, part=part, HD=H * D, HH=H * H, H2=2 * H)


@answer("torch-bilstm-param-count", integer=True)
def torch_bilstm_param_count(*, D: int, H: int) -> Solution:
    """nn.LSTM(bidirectional=True), one layer: two directions of four parts with two biases."""
    part = H * D + H * H + 2 * H
    return Solution(2 * 4 * part, part=part, direction=4 * part, HD=H * D, HH=H * H, H2=2 * H)


@answer("simple-rnn-param-count", integer=True)
def simple_rnn_param_count(*, D: int, H: int) -> Solution:
    return Solution(H * D + H * H + H, HD=H * D, HH=H * H)


@answer("embedding-param-count", integer=True)
def embedding_param_count(*, V: int, E: int) -> int:
    """One row of E entries per word of the vocabulary."""
    return V * E


@answer("birnn-feature-size", integer=True)
def birnn_feature_size(*, H: int) -> int:
    """Forward and backward hidden states concatenated on the feature axis."""
    return 2 * H


@answer("skip-gram-pair-count", integer=True)
def skip_gram_pair_count(*, sentence: str, c: int) -> Solution:
    """Sum over the N words of the context words that exist within c on each side."""
    N = len(sentence.split())
    if N < 2:
        raise IllPosed("a sentence of one word has no pairs.")
    per_word = [min(i, c) + min(N - 1 - i, c) for i in range(N)]
    return Solution(sum(per_word), N=N, full=2 * c * N, per_word=per_word)
