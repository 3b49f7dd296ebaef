"""Values of activation functions and their derivatives, RNN steps, softmax and attention."""

from __future__ import annotations

import math

from ..registry import IllPosed, Solution, answer


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@answer("tanh-derivative")
def tanh_derivative(*, x: float) -> Solution:
    t = math.tanh(x)
    return Solution(1.0 - t * t, tanh=t, tanh2=t * t)


@answer("sigmoid-derivative")
def sigmoid_derivative(*, x: float) -> Solution:
    s = _sigmoid(x)
    return Solution(s * (1.0 - s), sigma=s, one_minus=1.0 - s)


@sigmoid_derivative.misconception("x-times-one-minus-x")
def _(*, x):
    return x * (1.0 - x)


@sigmoid_derivative.misconception("tanh-derivative")
def _(*, x):
    return 1.0 - _sigmoid(x) ** 2


@sigmoid_derivative.misconception("sigmoid-itself")
def _(*, x):
    return _sigmoid(x)


@sigmoid_derivative.misconception("maximum-quarter")
def _(*, x):
    return 0.25


@answer("leaky-relu")
def leaky_relu(*, x: float, alpha: float) -> float:
    return x if x > 0 else alpha * x


@answer("swish-derivative")
def swish_derivative(*, x: float, beta: float) -> Solution:
    """d/dx x·σ(βx) = σ(βx) + βx·σ(βx)(1 − σ(βx))."""
    s = _sigmoid(beta * x)
    product = beta * x * s * (1.0 - s)
    return Solution(s + product, sigma=s, one_minus=1.0 - s, product=product, output=x * s)


@answer("rnn-hidden-state")
def rnn_hidden_state(*, w_in: float, w: float, b: float, z0: float, x1: float) -> Solution:
    u = w_in * x1 + w * z0 + b
    return Solution(math.tanh(u), u=u)


@answer("softmax-component")
def softmax_component(*, x: list, i: int) -> Solution:
    """The i-th (from 1) component of softmax(x)."""
    if not 1 <= i <= len(x):
        raise IllPosed(f"component {i} of a {len(x)}-vector.")
    exps = [math.exp(v) for v in x]
    total = sum(exps)
    probs = [e / total for e in exps]
    return Solution(probs[i - 1], numerator=exps[i - 1], denominator=total, probs=probs)


@answer("attention-context")
def attention_context(*, s: list, h: list) -> Solution:
    """c = Σ softmax(s)_i h_i, with scalar hidden states."""
    if len(s) != len(h):
        raise IllPosed(f"{len(s)} scores for {len(h)} hidden states.")
    top = max(s)
    exps = [math.exp(v - top) for v in s]
    alpha = [e / sum(exps) for e in exps]
    return Solution(
        sum(a * v for a, v in zip(alpha, h, strict=True)),
        alpha=alpha,
        raw=sum(a * v for a, v in zip(s, h, strict=True)),
        mean=sum(h) / len(h),
    )
