"""The second batch of PyTorch and NumPy fill-in problems (issue #18): the code of each problem,
completed with each choice and run. The right choice gives what the explanation says (checked
against an independent computation: torch's own modules, a reference loop, the formula) and no
distractor does, whether it runs or raises. The code is taken from the English statement, so a
test follows the file; the Japanese statement must have the same code."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import yaml

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

CONTENT = Path(__file__).resolve().parents[2] / "content"
BLANK = re.compile(r"【\(([a-z])\)】")
CODE = re.compile(r"```python\n(.*?)```", re.S)


def _problem(slug: str) -> dict:
    (path,) = CONTENT.glob(f"*/{slug}.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def completed_code(slug: str, key: str) -> str:
    document = _problem(slug)
    (code,) = CODE.findall(document["statement"]["en"])
    (code_ja,) = CODE.findall(document["statement"]["ja"])
    assert code_ja == code, slug
    assert BLANK.findall(code) == ["a"], slug
    choice = next(c for c in document["choices"] if str(c["key"]) == key)
    fill = choice["en"].strip().strip("`")
    return BLANK.sub(lambda _m: fill, code)


def run(code: str) -> dict:
    namespace: dict = {"__name__": "fill_in"}
    exec(compile(code, "<fill-in>", "exec"), namespace)  # noqa: S102 - our own content
    return namespace


def _close(a, b, atol: float = 1e-5) -> bool:
    a, b = (x.detach().numpy() if isinstance(x, torch.Tensor) else np.asarray(x) for x in (a, b))
    return a.shape == b.shape and bool(np.allclose(a, b, atol=atol))


# ------------------------------------------------------------------------------------- PyTorch


def _zero_grad(ns: dict) -> bool:
    # The same 20 SGD steps, each on the gradient of its own loss, from the same initial weights.
    torch.manual_seed(0)
    model = nn.GRU(input_size=3, hidden_size=8, batch_first=True)
    head = nn.Linear(8, 1)
    params = list(model.parameters()) + list(head.parameters())
    x, y = torch.randn(16, 5, 3), torch.randn(16, 1)
    for _ in range(20):
        out, h_n = model(x)
        loss = F.mse_loss(head(h_n[-1]), y)
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g in zip(params, grads, strict=True):
                p -= 0.1 * g
    return all(_close(a, b) for a, b in zip(ns["params"], params, strict=True))


def _initial_params(ns: dict) -> list:
    # The parameters before the one SGD step of lr 0.01: after it, p = p0 - 0.01 * p.grad.
    return [(p.detach() + 0.01 * p.grad).requires_grad_() for p in ns["model"].parameters()]


def _clip_norm_check(ns: dict) -> bool:
    model = ns["model"]
    initial = _initial_params(ns)
    names = [name for name, _ in model.named_parameters()]
    out, _ = torch.func.functional_call(model, dict(zip(names, initial, strict=True)), (ns["x"],))
    loss = ((out - ns["target"]) ** 2).mean()
    raw = torch.cat([g.reshape(-1) for g in torch.autograd.grad(loss, initial)])
    clipped = torch.cat([p.grad.reshape(-1) for p in model.parameters()])
    assert float(torch.linalg.vector_norm(raw)) > 2  # clipping has work to do
    return abs(float(torch.linalg.vector_norm(clipped)) - 1.0) < 1e-4 and _close(
        clipped, raw / torch.linalg.vector_norm(raw)
    )


def _bigru_view(ns: dict) -> bool:
    h, out = ns["h"], ns["out"]
    return (
        tuple(h.shape) == (2, 2, 32, 64)
        and _close(ns["forward_last"], out[:, -1, :64])
        and _close(ns["backward_last"], out[:, 0, 64:])
    )


def _each_sequence_alone(ns: dict):
    gru, x, lengths = ns["gru"], ns["x"], ns["lengths"]
    return torch.cat([gru(x[i : i + 1, : int(n)])[1][-1] for i, n in enumerate(lengths)])


def _last_states(ns: dict) -> bool:
    return _close(ns["last"], _each_sequence_alone(ns))


def _teacher_forcing(ns: dict) -> bool:
    encoder, decoder, head = ns["encoder"], ns["decoder"], ns["head"]
    src, tgt = ns["src"], ns["tgt"]
    h = encoder(src)[1][0]
    previous = torch.zeros(8, 1)
    outputs = []
    for t in range(tgt.shape[1]):
        h = decoder(previous, h)
        outputs.append(head(h))
        previous = tgt[:, t]
    return _close(ns["pred"], torch.stack(outputs, dim=1))


def _encoder_state(ns: dict) -> bool:
    encoder, decoder, embed = ns["encoder"], ns["decoder"], ns["embed"]
    h, c = encoder(embed(ns["src"]))[1]
    # The decoder run one step at a time from the encoder's (h, c), by LSTMCell arithmetic.
    w_ih, w_hh = decoder.weight_ih_l0, decoder.weight_hh_l0
    bias = decoder.bias_ih_l0 + decoder.bias_hh_l0
    h, c = h[0], c[0]
    outputs = []
    for t in range(ns["tgt_in"].shape[1]):
        gates = embed(ns["tgt_in"][:, t]) @ w_ih.T + h @ w_hh.T + bias
        i, f, g, o = gates.chunk(4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        outputs.append(h)
    return _close(ns["dec_out"], torch.stack(outputs, dim=1))


def _attention(ns: dict) -> bool:
    enc_out, h, weights = ns["enc_out"], ns["h"], ns["weights"]
    scores = np.einsum("btd,bd->bt", enc_out.numpy(), h.numpy())
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    expected = e / e.sum(axis=1, keepdims=True)
    return _close(weights, expected) and _close(
        ns["context"], np.einsum("bt,btd->bd", expected, enc_out.numpy())
    )


def _vae_kl(ns: dict) -> bool:
    mu, logvar = ns["mu"], ns["logvar"]
    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    p = torch.distributions.Normal(torch.zeros_like(mu), torch.ones_like(mu))
    kl = torch.distributions.kl_divergence(q, p).sum()
    return _close(ns["kl"], kl, atol=1e-3) and _close(ns["loss"], ns["recon"] + kl, atol=1e-2)


def _straight_through(ns: dict) -> bool:
    z_st, z_q, z_e = ns["z_st"], ns["z_q"], ns["z_e"]
    upstream = torch.randn_like(z_st)
    (z_st * upstream).sum().backward()
    return _close(z_st, z_q) and z_e.grad is not None and _close(z_e.grad, upstream)


def _embedding(ns: dict) -> bool:
    one_hot = F.one_hot(ns["ids"], num_classes=1000).float()
    return _close(ns["vectors"], one_hot @ ns["emb"].weight)


def _negative_sampling(ns: dict) -> bool:
    v, u_o, u_k = (ns[n].numpy().astype(np.float64) for n in ("center", "context", "negatives"))

    def log_sigmoid(x):
        return -np.logaddexp(0, -x)

    pos = np.einsum("bd,bd->b", v, u_o)
    neg = np.einsum("bkd,bd->bk", u_k, v)
    expected = np.mean(-log_sigmoid(pos) - log_sigmoid(-neg).sum(axis=1))
    return _close(ns["loss"], expected, atol=1e-4)


def _time_major(ns: dict) -> bool:
    lstm = ns["lstm"]
    batch_first = nn.LSTM(input_size=13, hidden_size=64, batch_first=True)
    batch_first.load_state_dict(lstm.state_dict())
    return _close(ns["out"], batch_first(ns["x"])[0])


# --------------------------------------------------------------------------------------- NumPy


def _random_crop(ns: dict) -> bool:
    image, top, left = ns["image"], int(ns["top"]), int(ns["left"])
    assert top != left and top > 0 and left > 0  # the seed makes the distractors differ
    rows = np.take(image, range(top, top + 24), axis=0)
    return _close(ns["crop"], np.take(rows, range(left, left + 24), axis=1))


def _horizontal_flip(ns: dict) -> bool:
    image, flipped = ns["image"], ns["flipped"]
    width = image.shape[1]
    return flipped.shape == image.shape and all(
        np.array_equal(flipped[:, j], image[:, width - 1 - j]) for j in range(width)
    )


def _rot90(ns: dict) -> bool:
    images, rotated = ns["images"], ns["rotated"]
    # Counter-clockwise: out[r, c] = image[c, W - 1 - r].
    height, width = images.shape[1:3]
    expected = np.empty((images.shape[0], width, height, images.shape[3]))
    for r in range(width):
        for c in range(height):
            expected[:, r, c] = images[:, c, width - 1 - r]
    return _close(rotated, expected)


def _mixup(ns: dict) -> bool:
    lam, perm, labels = ns["lam"], ns["perm"], ns["labels"]
    assert abs(lam - 0.5) > 0.05 and (labels != labels[perm]).any()
    expected = np.zeros((6, 5))
    for i in range(6):
        expected[i, labels[i]] += lam
        expected[i, labels[perm[i]]] += 1 - lam
    return _close(ns["y_mix"], expected)


def _gru_update(ns: dict) -> bool:
    cell = nn.GRUCell(3, 5).double()
    with torch.no_grad():
        for name in ("W_ih", "W_hh", "b_ih", "b_hh"):
            getattr(cell, name.replace("W", "weight").replace("b_", "bias_")).copy_(
                torch.from_numpy(ns[name])
            )
    expected = cell(torch.from_numpy(ns["x"]), torch.from_numpy(ns["h_prev"]))
    return _close(ns["h"], expected, atol=1e-10)


def _birnn_concat(ns: dict) -> bool:
    hs, hs_f, hs_b = ns["hs"], ns["hs_f"], ns["hs_b"]
    return (
        hs.shape == (6, 4, 10)
        and all(
            np.array_equal(hs[t, n], np.r_[hs_f[t, n], hs_b[t, n]])
            for t in range(6)
            for n in range(4)
        )
        and _close(ns["ys"], np.einsum("tnh,ho->tno", hs, ns["W_out"]))
    )


def _global_norm(ns: dict) -> bool:
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in ns["grads"]]
    for p, g in zip(params, ns["grads"], strict=True):
        p.grad = torch.from_numpy(g.copy())
    torch.nn.utils.clip_grad_norm_(params, max_norm=1.0)
    clipped = ns["clipped"]
    total = np.sqrt(sum(float(np.sum(c**2)) for c in clipped))
    return abs(total - 1.0) < 1e-5 and all(
        _close(c, p.grad, atol=1e-8) for c, p in zip(clipped, params, strict=True)
    )


def _softmax(ns: dict) -> bool:
    p = ns["p"]
    expected = torch.softmax(torch.from_numpy(ns["logits"]), dim=-1)
    return (
        bool(np.isfinite(p).all())
        and _close(p, expected, atol=1e-12)
        and _close(p[0], [0.0900, 0.2447, 0.6652], atol=5e-5)
    )


def _np_embedding(ns: dict) -> bool:
    return _close(ns["vectors"], np.eye(1000)[ns["ids"]] @ ns["W_in"], atol=1e-12)


CHECKS = {
    "x-pt-zero-grad-placement": _zero_grad,
    "x-pt-clip-grad-norm-call": _clip_norm_check,
    "x-pt-bigru-hn-view": _bigru_view,
    "x-pt-pack-padded-lengths": _last_states,
    "x-pt-padded-last-output": _last_states,
    "x-pt-teacher-forcing": _teacher_forcing,
    "x-pt-seq2seq-encoder-state": _encoder_state,
    "x-pt-attention-decoder-step": _attention,
    "x-pt-vae-loss": _vae_kl,
    "x-pt-vq-straight-through": _straight_through,
    "x-pt-embedding-lookup": _embedding,
    "x-pt-negative-sampling-loss": _negative_sampling,
    "x-pt-lstm-time-major-input": _time_major,
    "x-np-random-crop": _random_crop,
    "x-np-horizontal-flip": _horizontal_flip,
    "x-np-rot90-batch": _rot90,
    "x-np-mixup-labels": _mixup,
    "x-np-gru-update": _gru_update,
    "x-np-birnn-concat-axis": _birnn_concat,
    "x-np-global-norm-clipping": _global_norm,
    "x-np-softmax-max-subtraction": _softmax,
    "x-np-embedding-lookup": _np_embedding,
}


# --------------------------------------------------------------------------------------- tests


def _keys(slug: str) -> tuple[str, list[str]]:
    choices = _problem(slug)["choices"]
    (right,) = [str(c["key"]) for c in choices if c["correct"]]
    return right, [str(c["key"]) for c in choices if not c["correct"]]


def _passes(slug: str, key: str) -> bool:
    try:
        return bool(CHECKS[slug](run(completed_code(slug, key))))
    except Exception:  # noqa: BLE001 - a distractor may well not run at all
        return False


@pytest.mark.parametrize("slug", sorted(CHECKS))
def test_the_correct_choice_completes_the_code_as_the_explanation_says(slug):
    right, _ = _keys(slug)
    assert CHECKS[slug](run(completed_code(slug, right)))


@pytest.mark.parametrize("slug", sorted(CHECKS))
def test_no_distractor_completes_the_code_correctly(slug):
    _, wrong = _keys(slug)
    assert [key for key in wrong if _passes(slug, key)] == []


@pytest.mark.parametrize("slug", sorted(CHECKS))
def test_each_problem_is_a_tagged_four_choice_fill_in(slug):
    document = _problem(slug)
    framework = "pytorch" if slug.startswith("x-pt-") else "numpy"
    assert {"fill-in", framework} <= set(document["tags"])
    assert document["kind"] == "single_choice" and len(document["choices"]) == 4
    assert all(c.get("feedback") for c in document["choices"] if not c["correct"])
    assert 600 <= document["order"] <= 699


def test_batch2_has_the_problems_the_issue_asks_for():
    slugs = sorted(CHECKS)
    assert sum(s.startswith("x-pt-") for s in slugs) >= 12
    assert sum(s.startswith("x-np-") for s in slugs) >= 8
    orders = [_problem(s)["order"] for s in slugs]
    assert len(set(orders)) == len(orders)
    right_keys = {_keys(s)[0] for s in slugs}
    assert right_keys == {"1", "2", "3", "4"}


def test_every_fill_in_of_this_batch_is_checked_here():
    fill_ins = {
        path.stem
        for path in CONTENT.glob("*/x-*.yaml")
        if "fill-in" in (doc := yaml.safe_load(path.read_text(encoding="utf-8")))["tags"]
        and 600 <= doc["order"] <= 699
    }
    assert fill_ins == set(CHECKS), sorted(fill_ins ^ set(CHECKS))
