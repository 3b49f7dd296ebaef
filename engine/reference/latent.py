"""VAE and VQ-VAE pieces (Section 5 and the VQ-VAE section), in NumPy and PyTorch.

The PyTorch versions exist for the gradient checks: the engine runs them in the trusted
process to learn which gradient each input should receive.
"""

from __future__ import annotations

import numpy as np


def vae_reparameterize(mu, log_var, eps):
    """z = mu + exp(log_var / 2) * eps: sampling as a differentiable function of mu, log_var."""
    return mu + np.exp(0.5 * log_var) * eps


def vae_reparameterize_torch(mu, log_var, eps):
    """The same in PyTorch: gradients reach mu (identity) and log_var (eps * std / 2)."""
    import torch  # torch problems only: importing it takes seconds

    return mu + torch.exp(0.5 * log_var) * eps


def vae_kl(mu, log_var):
    """KL(N(mu, exp(log_var)) || N(0, I)) per sample, summed over the latent dims: (batch,).

    = -1/2 sum(1 + log_var - mu^2 - exp(log_var)).
    """
    mu = np.asarray(mu, dtype=np.float64)
    log_var = np.asarray(log_var, dtype=np.float64)
    return -0.5 * np.sum(1.0 + log_var - mu**2 - np.exp(log_var), axis=-1)


def vq_quantize(z_e, codebook):
    """Nearest codebook row for each row of z_e: (z_q, indices).

    z_e (N, D), codebook (K, D); Euclidean distance; ties go to the lowest index
    (``np.argmin`` does that). Distances are computed as explicit differences so that
    exact ties stay exact.
    """
    z_e = np.asarray(z_e, dtype=np.float64)
    codebook = np.asarray(codebook, dtype=np.float64)
    d = np.sum((z_e[:, None, :] - codebook[None, :, :]) ** 2, axis=-1)
    indices = np.argmin(d, axis=1)
    return codebook[indices], indices


def vq_vae_loss(z_e, codebook, beta):
    """Forward values of the VQ-VAE loss in NumPy: (z_q, loss).

    loss = mean((sg[z_e] - e)^2) + beta * mean((z_e - sg[e])^2); in the forward pass
    both terms have the same value, so loss = (1 + beta) * mean((z_e - e)^2) and z_q = e.
    Only the gradients tell the terms apart: see ``vq_vae_loss_torch``.
    """
    z_q, _ = vq_quantize(z_e, codebook)
    mse = float(np.mean((np.asarray(z_e, dtype=np.float64) - z_q) ** 2))
    return z_q, (1.0 + beta) * mse


def vq_vae_loss_torch(z_e, codebook, beta):
    """VQ-VAE quantisation with the straight-through estimator and its two loss terms.

    z_q = z_e + (e - z_e).detach() passes the decoder's gradient to z_e unchanged;
    the codebook loss mean((z_e.detach() - e)^2) moves only the codebook, and the
    commitment loss beta * mean((z_e - e.detach())^2) moves only the encoder output.
    """
    import torch  # torch problems only: importing it takes seconds

    distances = ((z_e.detach()[:, None, :] - codebook.detach()[None, :, :]) ** 2).sum(-1)
    indices = torch.argmin(distances, dim=1)
    e = codebook[indices]
    codebook_loss = torch.mean((z_e.detach() - e) ** 2)
    commitment_loss = torch.mean((z_e - e.detach()) ** 2)
    z_q = z_e + (e - z_e).detach()
    return z_q, codebook_loss + beta * commitment_loss
