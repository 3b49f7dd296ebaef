"""The registered answer functions, one module per topic. Importing this registers them all."""

from . import activations, augmentation, counting, latent, vectors  # noqa: F401
