"""The parameterised problems of content/: at least 20; every one validated over 200 seeds;
two learners see different numbers; every answer function recomputed independently (NumPy and
PyTorch, written differently from engine.variants) on every variant validation draws."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.variants import VALIDATION_SEEDS
from problems.variants import variant_seed
from tests.variantkit import document_variant, parameterised_documents

torch = pytest.importorskip("torch")

DOCUMENTS = parameterised_documents()
SLUGS = sorted(DOCUMENTS)


def test_at_least_twenty_problems_are_parameterised_among_them_single_choice_ones():
    assert len(DOCUMENTS) >= 20
    kinds = [document["kind"] for document in DOCUMENTS.values()]
    assert kinds.count("single_choice") >= 3 and kinds.count("numeric") >= 17


# -- independent computations ---------------------------------------------------------------


def _count(module) -> int:
    return sum(p.numel() for p in module.parameters())


def _t(values) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def _conv_height(p) -> int:
    # the real layer: a (1, 1, H, 1) image through a K x 1 convolution
    conv = torch.nn.Conv2d(1, 1, (p["K"], 1), stride=(p["S"], 1), padding=(p["P"], 0))
    return conv(torch.zeros(1, 1, p["H"], 1)).shape[2]


def _skip_gram_pairs(p) -> int:
    words = p["sentence"].split()
    return sum(
        1 for i in range(len(words)) for j in range(len(words)) if i != j and abs(i - j) <= p["c"]
    )


def _clip(p) -> float:
    w = torch.nn.Parameter(torch.zeros(2, 2, dtype=torch.float64))
    b = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    w.grad = _t(p["gW"]).reshape(2, 2)
    b.grad = _t([p["gb"]])
    torch.nn.utils.clip_grad_norm_([w, b], max_norm=p["max_norm"])
    return b.grad.item()


def _swish_derivative(p) -> float:
    x = _t(p["x"]).requires_grad_()
    (x * torch.sigmoid(p["beta"] * x)).backward()
    return x.grad.item()


def _derivative(function, x) -> float:
    t = _t(x).requires_grad_()
    function(t).backward()
    return t.grad.item()


def _cutmix(p) -> float:
    a, b = np.zeros((p["size"], p["size"])), np.ones((p["size"], p["size"]))
    a[: p["h"], : p["w"]] = b[: p["h"], : p["w"]]
    return float(a.mean())


def _kl(p) -> float:
    q = torch.distributions.Normal(_t(p["mu"]), _t(p["var"]).sqrt())
    return torch.distributions.kl_divergence(q, torch.distributions.Normal(0.0, 1.0)).item()


def _attention(p) -> float:
    weights = torch.softmax(_t(p["s"]), dim=0)
    return (weights @ _t(p["h"])).item()


def _rnn_cell(p) -> float:
    cell = torch.nn.RNNCell(1, 1, nonlinearity="tanh").double()
    with torch.no_grad():
        cell.weight_ih.fill_(p["w_in"])
        cell.weight_hh.fill_(p["w"])
        cell.bias_ih.fill_(p["b"])
        cell.bias_hh.zero_()
        return cell(_t([[p["x1"]]]), _t([[p["z0"]]])).item()


INDEPENDENT = {
    "lstm-param-count": lambda p: 4 * (p["H"] * p["D"] + p["H"] ** 2 + p["H"]),
    "lstm-param-count-choice": lambda p: _count(torch.nn.LSTM(p["D"], p["H"])) - 4 * p["H"],
    "gru-param-count": lambda p: _count(torch.nn.GRU(p["D"], p["H"])) - 3 * p["H"],
    "x-gru-param-count-pytorch": lambda p: _count(torch.nn.GRU(p["D"], p["H"])),
    "x-bilstm-param-count": lambda p: _count(torch.nn.LSTM(p["D"], p["H"], bidirectional=True)),
    "embedding-matrix-size": lambda p: _count(torch.nn.Embedding(p["V"], p["E"])),
    "bidirectional-rnn-feature-size": lambda p: torch.nn.RNN(3, p["H"], bidirectional=True)(
        torch.zeros(2, 1, 3)
    )[0].shape[-1],
    "conv1d-output-length": lambda p: torch.nn.Conv1d(1, p["F"], p["K"], stride=p["S"])(
        torch.zeros(1, 1, p["L"])
    ).shape[-1],
    "conv-output-size-choice": _conv_height,
    "tanh-derivative-value": lambda p: _derivative(torch.tanh, p["x"]),
    "sigmoid-derivative-choice": lambda p: _derivative(torch.sigmoid, p["x"]),
    "swish-derivative-value": _swish_derivative,
    "leaky-relu-value": lambda p: torch.nn.functional.leaky_relu(
        _t(p["x"]), negative_slope=p["alpha"]
    ).item(),
    "cosine-similarity-value": lambda p: torch.nn.functional.cosine_similarity(
        _t(p["a"]), _t(p["b"]), dim=0
    ).item(),
    "vae-kl-value": _kl,
    "reparameterization-value": lambda p: p["mu"] + math.exp(0.5 * math.log(p["var"])) * p["eps"],
    "softmax-value": lambda p: torch.softmax(_t(p["x"]), dim=0)[p["i"] - 1].item(),
    "global-gradient-clipping-value": _clip,
    "mixup-value": lambda p: float(
        np.average([p["x1"], p["x2"]], weights=[p["lam"], 1 - p["lam"]])
    ),
    "x-t-cutmix-label-weight": _cutmix,
    "x-t-skip-gram-pairs": _skip_gram_pairs,
    "attention-weights-value": _attention,
    "rnn-hidden-state-value": _rnn_cell,
}


# clip_grad_norm_ divides by (norm + 1e-6): a relative difference of about 1e-7
RELATIVE = {"global-gradient-clipping-value": 1e-6}


def test_every_parameterised_problem_has_an_independent_computation():
    assert set(INDEPENDENT) == set(SLUGS)


@pytest.mark.parametrize("slug", SLUGS)
def test_the_answer_function_agrees_with_an_independent_computation_on_every_variant(slug):
    document = DOCUMENTS[slug]
    for seed in range(VALIDATION_SEEDS):
        variant = document_variant(document, seed=seed)
        expected = INDEPENDENT[slug](variant.params)
        rel_tol = RELATIVE.get(slug, 1e-9)
        assert math.isclose(variant.answer, expected, rel_tol=rel_tol, abs_tol=1e-12), (
            slug,
            variant.params,
            variant.answer,
            expected,
        )


# -- well-posed, and different for different learners -----------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_every_variant_of_validation_is_well_posed(slug):
    document = DOCUMENTS[slug]
    tolerance = (document.get("numeric") or {}).get("tolerance", 0)
    for seed in range(VALIDATION_SEEDS):
        variant = document_variant(document, seed=seed)
        assert math.isfinite(variant.answer)
        for text in variant.texts.values():
            assert "{{" not in text, (slug, seed, text)
        if document["kind"] == "single_choice":
            faces = [c.texts["text_en"] for c in variant.choices]
            assert len(faces) == len(set(faces)) == document.get("choice_count", len(faces))
            (right,) = [c for c in variant.choices if c.correct]
            assert all(c.value != right.value for c in variant.choices if not c.correct)
        elif tolerance == 0:  # sizes and counts
            assert variant.answer == int(variant.answer) >= 1, (slug, variant.params)


@pytest.mark.parametrize("slug", SLUGS)
def test_two_learners_see_different_numbers_on_at_least_ninety_percent_of_draws(slug):
    document = DOCUMENTS[slug]
    draws = 200
    same = 0
    for learner in range(draws):
        a, b = (
            document_variant(
                document, seed=variant_seed(user_id=u, problem_slug=slug, key="practice:0")
            ).params
            for u in (2 * learner + 1, 2 * learner + 2)
        )
        same += a == b
    assert same <= 0.10 * draws, (slug, same)
