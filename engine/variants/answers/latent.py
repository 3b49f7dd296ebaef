"""VAE: the KL term and the reparameterisation trick."""

from __future__ import annotations

import math

from ..registry import IllPosed, Solution, answer


@answer("vae-kl")
def vae_kl(*, mu: float, var: float) -> Solution:
    """KL(N(mu, var) || N(0, 1)) = (mu² + var − 1 − log var) / 2, natural log."""
    if var <= 0:
        raise IllPosed(f"a variance of {var} is not positive.")
    log_var = math.log(var)
    return Solution(
        0.5 * (mu * mu + var - 1.0 - log_var),
        mu2=mu * mu,
        log_var=log_var,
        inner=mu * mu + var - 1.0 - log_var,
    )


@answer("reparameterisation")
def reparameterisation(*, mu: float, var: float, eps: float) -> Solution:
    """z = mu + sigma · eps, with sigma = exp(log var / 2) = sqrt(var)."""
    if var <= 0:
        raise IllPosed(f"a variance of {var} is not positive.")
    sigma = math.exp(0.5 * math.log(var))
    return Solution(mu + sigma * eps, sigma=sigma, with_variance=mu + var * eps)
