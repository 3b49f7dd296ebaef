"""Trusted reference implementations of everything the curriculum teaches.

A problem names its reference with ``reference: {engine: <name>}``; ``get_reference``
resolves the name. References run only in the trusted grading process, never in the
learner's sandbox.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.reference.activations import (
    d_leaky_relu,
    d_relu,
    d_sigmoid,
    d_swish,
    d_tanh,
    leaky_relu,
    relu,
    sigmoid,
    softmax,
    softmax_jacobian,
    swish,
    tanh,
)
from engine.reference.augmentation import (
    adjust_contrast,
    gaussian_kernel,
    horizontal_flip,
    mixup,
    random_erasing,
)
from engine.reference.embedding import attention, cosine_similarity, negative_sampling_loss
from engine.reference.latent import (
    vae_kl,
    vae_reparameterize,
    vae_reparameterize_torch,
    vq_quantize,
    vq_vae_loss,
    vq_vae_loss_torch,
)
from engine.reference.recurrent import (
    bidirectional_rnn,
    conv_output_size,
    gradient_clipping,
    gru_cell,
    lstm_cell,
    recursive_tree_net,
    rnn_step,
    seq2seq_encode,
)

REFERENCES: dict[str, Callable] = {
    fn.__name__: fn
    for fn in (
        sigmoid,
        d_sigmoid,
        tanh,
        d_tanh,
        relu,
        d_relu,
        leaky_relu,
        d_leaky_relu,
        swish,
        d_swish,
        softmax,
        softmax_jacobian,
        conv_output_size,
        rnn_step,
        recursive_tree_net,
        gradient_clipping,
        lstm_cell,
        gru_cell,
        bidirectional_rnn,
        seq2seq_encode,
        vae_reparameterize,
        vae_reparameterize_torch,
        vae_kl,
        vq_quantize,
        vq_vae_loss,
        vq_vae_loss_torch,
        cosine_similarity,
        negative_sampling_loss,
        attention,
        horizontal_flip,
        random_erasing,
        mixup,
        adjust_contrast,
        gaussian_kernel,
    )
}


def get_reference(name: str) -> Callable:
    """The reference function called ``name``; KeyError with the known names otherwise."""
    try:
        return REFERENCES[name]
    except KeyError:
        raise KeyError(
            f"no reference called {name!r}; known: {', '.join(sorted(REFERENCES))}"
        ) from None


__all__ = ["REFERENCES", "get_reference", *REFERENCES]
