"""Self-contained stand-ins for the two benchmark problems, used only when the engine's
``grade_submission`` or the curriculum files are not available: the same shapes of work
(an LSTM cell, 10 calls; a VQ-VAE loss with a gradient request), sent straight to the
sandbox and checked here."""

from __future__ import annotations

import numpy as np

from engine.sandbox import Call, GradRequest, Job, Limits

LSTM = """
import numpy as np
def _sigmoid(x):
    return 1 / (1 + np.exp(-x))
def lstm(x, prev_h, prev_c, W, U, b):
    a, i, f, o = np.split(x.dot(W.T) + prev_h.dot(U.T) + b, 4, 1)
    c = np.tanh(a) * _sigmoid(i) + _sigmoid(f) * prev_c
    return _sigmoid(o) * np.tanh(c), c
"""

VQ = """
import torch
def vq_vae_loss(z_e, codebook, beta):
    d = ((z_e.detach()[:, None, :] - codebook.detach()[None]) ** 2).sum(-1)
    e = codebook[d.argmin(dim=1)]
    z_q = z_e + (e - z_e).detach()
    return z_q, torch.mean((z_e.detach() - e) ** 2) + beta * torch.mean((z_e - e.detach()) ** 2)
"""


def lstm_job(seed: int = 0) -> Job:
    rng = np.random.default_rng(seed)
    calls = []
    for _ in range(10):
        n, d, h = 3, 5, 7
        calls.append(
            Call(
                "lstm",
                (
                    rng.standard_normal((n, d)),
                    rng.standard_normal((n, h)),
                    rng.standard_normal((n, h)),
                    rng.standard_normal((4 * h, d)),
                    rng.standard_normal((4 * h, h)),
                    rng.standard_normal(4 * h),
                ),
            )
        )
    return Job(code=LSTM, calls=tuple(calls), limits=Limits(wall_seconds=5, memory_mb=512))


def vq_job(seed: int = 0) -> Job:
    rng = np.random.default_rng(seed)
    calls = []
    for _ in range(8):
        z, cb = rng.standard_normal((5, 3)), rng.standard_normal((4, 3))
        calls.append(
            Call(
                "vq_vae_loss",
                (z, cb, 0.25),
                as_tensor=True,
                grad=GradRequest(wrt=(0, 1), upstream={0: np.ones((5, 3)), 1: 1.0}),
            )
        )
    return Job(
        code=VQ,
        calls=tuple(calls),
        framework="torch",
        limits=Limits(wall_seconds=10, memory_mb=1024),
    )


def check(job: Job, result) -> bool:
    return result.status == "ok" and all(c.error is None for c in result.calls)
