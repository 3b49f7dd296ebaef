"""Data augmentation: MixUp and CutMix."""

from __future__ import annotations

from ..registry import IllPosed, Solution, answer


@answer("mixup-pixel")
def mixup_pixel(*, lam: float, x1: float, x2: float) -> Solution:
    return Solution(lam * x1 + (1.0 - lam) * x2, rest=round(1.0 - lam, 10))


@answer("cutmix-label")
def cutmix_label(*, size: int, w: int, h: int) -> Solution:
    """The pasted image's label weight: the pasted area over the image's area."""
    if w > size or h > size:
        raise IllPosed(f"a {w}×{h} box does not fit in a {size}×{size} image.")
    share = w * h / (size * size)
    return Solution(share, box=w * h, area=size * size, rest=1.0 - share)
