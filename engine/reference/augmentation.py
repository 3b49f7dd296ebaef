"""Data augmentation of the framework exercise, on (H, W, C) images as NumPy arrays.

Every function returns a new array and leaves its input untouched.
"""

from __future__ import annotations

import numpy as np


def horizontal_flip(img):
    """Mirror left-right: the width axis (axis 1 of (H, W, C)) is reversed."""
    return np.asarray(img)[:, ::-1, :].copy()


def random_erasing(img, top, left, height, width, value):
    """Copy of img with rows top..top+height-1 and columns left..left+width-1 set to value (all channels)."""
    out = np.array(img, copy=True)
    out[top : top + height, left : left + width, ...] = value
    return out


def mixup(x1, y1, x2, y2, lam):
    """(lam x1 + (1 - lam) x2, lam y1 + (1 - lam) y2): data and labels mixed alike."""
    return lam * x1 + (1.0 - lam) * x2, lam * y1 + (1.0 - lam) * y2


def adjust_contrast(img, factor):
    """As ``tf.image.adjust_contrast``: (x - mean) * factor + mean per image and channel.

    The mean is over height and width (axes -3 and -2 of (..., H, W, C)); no clipping.
    """
    img = np.asarray(img, dtype=np.float64)
    mean = np.mean(img, axis=(-3, -2), keepdims=True)
    return (img - mean) * factor + mean


def gaussian_kernel(size, sigma):
    """(size, size) kernel exp(-(x^2 + y^2) / (2 sigma^2)) normalised to sum 1.

    Coordinates are measured from the centre (size - 1) / 2, so even sizes are
    symmetric too; the 1 / (2 pi sigma^2) factor cancels in the normalisation.
    """
    coords = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    xx, yy = np.meshgrid(coords, coords)
    kernel = np.exp(-(xx**2 + yy**2) / (2.0 * sigma**2))
    return kernel / kernel.sum()
