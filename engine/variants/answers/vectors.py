"""Vectors: cosine similarity and gradient clipping by the global norm."""

from __future__ import annotations

import math

from ..registry import IllPosed, Solution, answer


@answer("cosine-similarity")
def cosine_similarity(*, a: list, b: list) -> Solution:
    if len(a) != len(b):
        raise IllPosed(f"vectors of lengths {len(a)} and {len(b)}.")
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm_a = math.sqrt(sum(x * x for x in a))
    norm_b = math.sqrt(sum(y * y for y in b))
    if norm_a == 0 or norm_b == 0:
        raise IllPosed("a zero vector has no direction.")
    return Solution(dot / (norm_a * norm_b), dot=dot, norm_a=norm_a, norm_b=norm_b)


@answer("clipped-bias-gradient")
def clipped_bias_gradient(*, gW: list, gb: float, max_norm: float) -> Solution:
    """clip_grad_norm_: every gradient scaled by max_norm / total norm when that is below 1."""
    total = math.sqrt(sum(v * v for v in gW) + gb * gb)
    if total == 0:
        raise IllPosed("all gradients are zero.")
    factor = min(1.0, max_norm / total)
    clipped = [v * factor for v in gW]
    return Solution(
        gb * factor, total=total, total2=total * total, factor=factor, clipped_W=clipped
    )
