"""The syllabus's missing topics (content/**/x-t-*.yaml): every numeric answer recomputed from its
formula, by a second route where a library computes the same thing (torch's LSTM/GRU, attention,
GELU; an explicit beam search, pair enumeration, a real tree), and the claims the choice
explanations rest on checked by running them. The files themselves pass the loader's checks."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from problems.content.loader import _semantic_errors
from problems.content.schema import PROBLEM, schema_errors
from tests.variantkit import variant_answer

torch = pytest.importorskip("torch")

CONTENT = Path(__file__).resolve().parents[2] / "content"
FILES = sorted(CONTENT.glob("*/x-t-*.yaml"))


def _document(slug: str) -> dict:
    (path,) = CONTENT.glob(f"*/{slug}.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# Parameterised problems: the variant with the numbers these tests (and the seed file) use.
PINNED = {
    "x-t-skip-gram-pairs": {"sentence": "I like to eat fresh apples", "c": 2},
    "x-t-cutmix-label-weight": {"size": 32, "w": 16, "h": 8},
}


def assert_answer(slug: str, value: float) -> None:
    # Within a tenth of the tolerance: the rounding asked for is accepted, the key is not off.
    numeric = _document(slug)["numeric"]
    expected = variant_answer(slug, **PINNED[slug]) if slug in PINNED else numeric["answer"]
    assert abs(expected - value) <= max(numeric.get("tolerance", 0) / 10, 1e-12), (slug, value)


def _correct_keys(slug: str) -> set[str]:
    return {str(c["key"]) for c in _document(slug)["choices"] if c.get("correct")}


# --- the files -----------------------------------------------------------------------------


def test_the_batch_has_its_problems():
    documents = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in FILES]
    kinds = [d["kind"] for d in documents]
    assert len(documents) >= 20
    assert kinds.count("numeric") >= 6
    orders = [d["order"] for d in documents]
    assert all(800 <= o <= 899 for o in orders) and len(set(orders)) == len(orders)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_file_passes_the_loader_checks(path):
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert schema_errors(document, PROBLEM) + _semantic_errors(document, path) == []
    assert document["source"] is None
    assert 1 <= len(document["hints"]) <= 3
    assert list(document).index("hints") == list(document).index("explanation") - 1
    for choice in document.get("choices", []):
        if not choice["correct"]:
            assert choice["feedback"]["ja"] and choice["feedback"]["en"], choice["key"]
    if "```python" in document["statement"]["en"]:
        assert "pytorch" in document["tags"] or "numpy" in document["tags"]


def test_single_choice_keys_are_spread():
    keys = [
        next(iter(_correct_keys(p.stem)))
        for p in FILES
        if yaml.safe_load(p.read_text(encoding="utf-8"))["kind"] == "single_choice"
    ]
    assert len(set(keys)) >= 3, keys


# --- 01-rnn: BPTT --------------------------------------------------------------------------


def test_bptt_formula_is_autograds_gradient():
    """x-t-bptt-weight-gradient: sum over k of dL/dh_T (prod_{j=k+1..T} dh_j/dh_{j-1}) d+h_k/dW."""
    assert _correct_keys("x-t-bptt-weight-gradient") == {"3"}
    g = torch.Generator().manual_seed(0)
    n_in, n_h, steps = 3, 4, 6
    w_in = torch.randn(n_h, n_in, generator=g, dtype=torch.float64)
    w = (0.5 * torch.randn(n_h, n_h, generator=g, dtype=torch.float64)).requires_grad_()
    xs = torch.randn(steps, n_in, generator=g, dtype=torch.float64)
    readout = torch.randn(n_h, generator=g, dtype=torch.float64)
    hs = [torch.zeros(n_h, dtype=torch.float64)]
    for x in xs:
        hs.append(torch.tanh(w_in @ x + w @ hs[-1]))
    loss = readout @ hs[-1]
    (by_autograd,) = torch.autograd.grad(loss, w)

    h = [v.detach() for v in hs]  # h[0] = 0, h[t] for t = 1..T
    dl_dh_t = readout
    jac = [None] + [torch.diag(1 - h[j] ** 2) @ w.detach() for j in range(1, steps + 1)]

    def direct(
        k,
    ):  # d+h_k/dW contracted with an upstream row vector u: outer(u * (1-h_k^2), h_{k-1})
        return lambda u: torch.outer(u * (1 - h[k] ** 2), h[k - 1])

    def carried(k, lo):
        u = dl_dh_t
        for j in range(steps, lo - 1, -1):
            u = u @ jac[j]
        return direct(k)(u)

    formula = sum(carried(k, k + 1) for k in range(1, steps + 1))
    assert torch.allclose(formula, by_autograd)
    last_step_only = direct(steps)(dl_dh_t)
    no_jacobians = sum(direct(k)(dl_dh_t) for k in range(1, steps + 1))
    same_product = sum(carried(k, 2) for k in range(1, steps + 1))
    for wrong in (last_step_only, no_jacobians, same_product):
        assert not torch.allclose(wrong, by_autograd)


def test_truncated_bptt_cuts_only_the_backward_pass():
    """x-t-truncated-bptt: detach keeps the forward state; the gradient differs from the full one."""
    assert _correct_keys("x-t-truncated-bptt") == {"2", "3", "5"}
    torch.manual_seed(0)
    rnn = torch.nn.RNN(2, 3).double()
    x = torch.randn(8, 1, 2, dtype=torch.float64)
    full_out, _ = rnn(x)
    rnn.zero_grad()
    full_out[-1].sum().backward()
    full_grad = rnn.weight_hh_l0.grad.clone()

    rnn.zero_grad()
    h = None
    outs = []
    for block in x.split(4):
        out, h = rnn(block, h)
        h = h.detach()
        outs.append(out)
    truncated_out = torch.cat(outs)
    assert torch.allclose(truncated_out, full_out)  # the forward pass is unchanged
    truncated_out[-1].sum().backward()
    assert not torch.allclose(rnn.weight_hh_l0.grad, full_grad)  # the gradient is not


def test_tbptt_memory():
    k, batch, hidden, bytes_per = 50, 32, 256, 4
    kept = torch.zeros(k, batch, hidden, dtype=torch.float32)
    assert kept.element_size() * kept.numel() == k * batch * hidden * bytes_per
    assert_answer("x-t-tbptt-memory", kept.element_size() * kept.numel() / 2**20)


# --- 02-lstm / 03-gru ----------------------------------------------------------------------


def test_lstm_cell_path_jacobian_is_the_forget_gate():
    """x-t-lstm-cell-gradient: with h_{t-1} fixed, dc_t/dc_{t-1} of nn.LSTMCell is diag(f_t)."""
    assert _correct_keys("x-t-lstm-cell-gradient") == {"4"}
    torch.manual_seed(0)
    cell = torch.nn.LSTMCell(3, 4).double()
    x = torch.randn(1, 3, dtype=torch.float64)
    h = torch.randn(1, 4, dtype=torch.float64)
    c = torch.randn(1, 4, dtype=torch.float64)
    jacobian = torch.autograd.functional.jacobian(lambda c_: cell(x, (h, c_))[1], c)
    gates = x @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh.T + cell.bias_hh
    forget = torch.sigmoid(gates[0, 4:8])  # PyTorch's order: input, forget, cell, output
    assert torch.allclose(jacobian.reshape(4, 4), torch.diag(forget))


def test_forget_gate_gradient_value():
    c = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    state = c
    for _ in range(20):
        state = 0.9 * state + 0.3  # the input term does not depend on c
    state.backward()
    assert math.isclose(c.grad.item(), 0.9**20)
    assert_answer("x-t-forget-gate-gradient-value", c.grad.item())


def test_lstm_output_numel():
    lstm = torch.nn.LSTM(10, 20, num_layers=2, bidirectional=True, batch_first=True)
    output, (h_n, _) = lstm(torch.randn(4, 9, 10))
    assert output.shape == (4, 9, 40) and h_n.shape == (4, 4, 20)
    assert_answer("x-t-pt-lstm-output-numel", 4 * 9 * 2 * 20)
    assert_answer("x-t-pt-lstm-output-numel", output.numel())


def test_gru_hn_numel():
    gru = torch.nn.GRU(16, 32, num_layers=3, bidirectional=True)
    output, h_n = gru(torch.randn(7, 5, 16))
    assert h_n.shape == (6, 5, 32) and output.shape == (7, 5, 64)
    assert_answer("x-t-pt-gru-hn-numel", 3 * 2 * 5 * 32)
    assert_answer("x-t-pt-gru-hn-numel", h_n.numel())


# --- 05-seq2seq ----------------------------------------------------------------------------

STEP1 = {"A": 0.5, "B": 0.4, "C": 0.1}
STEP2 = {
    "A": {"A": 0.4, "B": 0.3, "C": 0.3},
    "B": {"A": 0.9, "B": 0.05, "C": 0.05},
    "C": {"A": 0.5, "B": 0.25, "C": 0.25},
}


def _beam_search(width: int) -> list[tuple[float, str]]:
    beams = sorted(((math.log(p), w) for w, p in STEP1.items()), reverse=True)[:width]
    candidates = [
        (score + math.log(p), seq + w) for score, seq in beams for w, p in STEP2[seq[-1]].items()
    ]
    return sorted(candidates, reverse=True)[:width]


def test_beam_search_score():
    (best_score, best), _ = _beam_search(2)
    assert best == "BA"
    assert_answer("x-t-beam-search-score", best_score)
    assert_answer("x-t-beam-search-score", math.log(0.4 * 0.9))


def test_beam_width_one_is_greedy():
    assert _correct_keys("x-t-beam-width-one") == {"3"}
    greedy_first = max(STEP1, key=STEP1.get)
    greedy = greedy_first + max(STEP2[greedy_first], key=STEP2[greedy_first].get)
    ((_, width_one),) = _beam_search(1)
    assert width_one == greedy == "AA"
    exhaustive = max(
        itertools.product("ABC", repeat=2), key=lambda s: STEP1[s[0]] * STEP2[s[0]][s[1]]
    )
    assert "".join(exhaustive) == "BA" != greedy


# --- 06-word2vec ---------------------------------------------------------------------------


def test_skip_gram_pairs():
    words = "I like to eat fresh apples".split()
    window = 2
    pairs = [
        (center, words[j])
        for i, center in enumerate(words)
        for j in range(max(0, i - window), min(len(words), i + window + 1))
        if j != i
    ]
    assert_answer("x-t-skip-gram-pairs", len(pairs))
    assert len(pairs) != len(words) * 2 * window


def test_bigram_count():
    words = "the cat sat on the mat the cat".split()
    bigrams = list(zip(words, words[1:], strict=False))
    assert len(bigrams) == len(words) - 1
    assert_answer("x-t-bigram-count", len(set(bigrams)))


def test_hierarchical_softmax_cost():
    vocabulary = 65_536
    assert_answer("x-t-hierarchical-softmax-cost", math.log2(vocabulary))
    # A balanced tree built by halving: every leaf's path has as many inner nodes as that.
    depth, leaves = 0, vocabulary
    while leaves > 1:
        leaves //= 2
        depth += 1
    assert_answer("x-t-hierarchical-softmax-cost", depth)
    # Any sigmoids along the paths give probabilities summing to 1 with no normaliser (8 leaves).
    rng = np.random.default_rng(0)
    go_left = 1 / (1 + np.exp(-rng.normal(size=7)))  # inner nodes 0..6 in heap order
    total = 0.0
    for leaf in range(8):
        node, p = 0, 1.0
        for bit in f"{leaf:03b}":
            p *= go_left[node] if bit == "0" else 1 - go_left[node]
            node = 2 * node + (1 if bit == "0" else 2)
        total += p
    assert math.isclose(total, 1.0)


# --- 07-attention --------------------------------------------------------------------------


def test_scaled_attention_weight():
    q = torch.tensor([[1.0, 0, 1, 0]], dtype=torch.float64)
    k = torch.tensor([[1.0, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]], dtype=torch.float64)
    weights = torch.softmax(q @ k.T / math.sqrt(4), dim=-1)
    assert_answer("x-t-scaled-attention-weight-value", weights[0, 0].item())
    # torch's attention with V = identity returns the weights themselves.
    out = torch.nn.functional.scaled_dot_product_attention(q, k, torch.eye(3, dtype=torch.float64))
    assert_answer("x-t-scaled-attention-weight-value", out[0, 0].item())
    assert_answer("x-t-scaled-attention-weight-value", math.e / (math.e + 1 + math.exp(0.5)))


def test_dot_products_variance_grows_with_dk():
    assert _correct_keys("x-t-scaled-dot-product") == {"2"}
    g = torch.Generator().manual_seed(0)
    for d_k in (16, 256):
        q = torch.randn(20_000, d_k, generator=g)
        k = torch.randn(20_000, d_k, generator=g)
        dots = (q * k).sum(-1)
        assert abs(dots.var().item() / d_k - 1) < 0.1
        assert abs((dots / math.sqrt(d_k)).var().item() - 1) < 0.1


def test_causal_mask_before_the_softmax():
    assert _correct_keys("x-t-causal-mask") == {"3"}
    torch.manual_seed(0)
    n, d = 4, 8
    q, k, v = (torch.randn(n, d, dtype=torch.float64) for _ in range(3))
    scores = q @ k.T / math.sqrt(d)
    future = torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)
    masked = torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1)
    expected = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
    assert torch.allclose(masked @ v, expected)
    assert torch.allclose(masked.sum(-1), torch.ones(n, dtype=torch.float64))
    zeroed_after = torch.softmax(scores, dim=-1).masked_fill(future, 0.0)
    assert (zeroed_after.sum(-1)[:-1] < 1 - 1e-6).all()  # rows but the last lose weight
    # Changing a future key changes the post-softmax-zeroed weights, not the masked ones.
    k2 = k.clone()
    k2[-1] += 5
    scores2 = q @ k2.T / math.sqrt(d)
    assert torch.allclose(
        torch.softmax(scores2.masked_fill(future, float("-inf")), -1)[0], masked[0]
    )
    assert not torch.allclose(
        torch.softmax(scores2, -1).masked_fill(future, 0.0)[0], zeroed_after[0]
    )


def test_self_attention_is_permutation_equivariant():
    assert _correct_keys("x-t-transformer-basics") == {"1", "2", "4"}
    torch.manual_seed(0)
    attention = torch.nn.MultiheadAttention(512, 8, batch_first=True).double().eval()
    x = torch.randn(1, 6, 512, dtype=torch.float64)
    perm = torch.tensor([3, 0, 5, 1, 4, 2])
    out, _ = attention(x, x, x)
    out_perm, _ = attention(x[:, perm], x[:, perm], x[:, perm])
    assert torch.allclose(out_perm, out[:, perm])
    assert attention.head_dim == 64
    _, weights = attention(x, x, x, average_attn_weights=False)
    assert weights.shape == (1, 8, 6, 6)  # one score per pair of positions: n^2


def test_positional_encoding_value():
    d_model, positions = 8, 10
    pe = np.zeros((positions, d_model))
    pos = np.arange(positions)[:, None]
    div = 10000 ** (np.arange(0, d_model, 2) / d_model)
    pe[:, 0::2] = np.sin(pos / div)
    pe[:, 1::2] = np.cos(pos / div)
    assert_answer("x-t-positional-encoding-value", pe[5, 2])
    assert_answer("x-t-positional-encoding-value", math.sin(5 / 10000 ** (2 / 8)))


def test_additive_attention_handles_different_dimensions():
    assert _correct_keys("x-t-additive-vs-dot-attention") == {"1", "2", "5"}
    torch.manual_seed(0)
    q, keys = torch.randn(6), torch.randn(5, 10)  # query of 6, keys of 10 dimensions
    w_q, w_k, v = torch.randn(8, 6), torch.randn(8, 10), torch.randn(8)
    scores = torch.tanh(q @ w_q.T + keys @ w_k.T) @ v
    assert scores.shape == (5,)
    with pytest.raises(RuntimeError):
        keys @ q  # a dot product needs equal dimensions


# --- 05-seq2seq (VAE), 11, 12 --------------------------------------------------------------


def test_choice_keys_of_the_other_choice_problems():
    assert _correct_keys("x-t-exposure-bias") == {"1"}
    assert _correct_keys("x-t-vae-latent-editing") == {"1"}
    assert _correct_keys("x-t-cutout-cutmix-mixup") == {"4"}


def test_cutmix_label_weight():
    height = width = 32
    box_w, box_h = 16, 8
    image_a = np.zeros((height, width))
    image_b = np.ones((height, width))
    mixed = image_a.copy()
    mixed[4 : 4 + box_h, 10 : 10 + box_w] = image_b[4 : 4 + box_h, 10 : 10 + box_w]
    assert_answer("x-t-cutmix-label-weight", mixed.mean())  # the share of pixels from B
    assert_answer("x-t-cutmix-label-weight", box_w * box_h / (height * width))


def test_gelu_value_and_shape():
    x = torch.tensor(-1.0, dtype=torch.float64)
    assert_answer("x-t-gelu-value", torch.nn.functional.gelu(x).item())
    phi_one = 0.5 * (1 + math.erf(1 / math.sqrt(2)))
    assert_answer("x-t-gelu-value", -1 * (1 - phi_one))

    assert _correct_keys("x-t-gelu-vs-relu") == {"2", "3", "5"}
    grid = torch.linspace(-6, 6, 12001, dtype=torch.float64)
    gelu = torch.nn.functional.gelu(grid)
    assert (gelu[grid < 0] < 0).all()  # not 0 for negative inputs
    low = gelu.argmin()
    assert abs(grid[low].item() + 0.75) < 0.01 and abs(gelu[low].item() + 0.17) < 0.005
    relu = torch.relu(grid)
    assert (gelu - relu).abs()[grid.abs() > 5].max() < 1e-5


# --- loaded and graded as learners are -----------------------------------------------------

# The answer a learner writes, rounded as the statement asks, and the mistakes the explanation
# names: the first is graded right, every other one wrong.
NUMERIC_RESPONSES = {
    "x-t-tbptt-memory": ("1.563", ["31.25", "1.6384"]),
    "x-t-forget-gate-gradient-value": ("0.122", ["18", "0.9", "9.1e-13"]),
    "x-t-pt-lstm-output-numel": ("1440", ["2880", "720"]),
    "x-t-pt-gru-hn-numel": ("960", ["1344", "480", "6720"]),
    "x-t-beam-search-score": ("-1.022", ["-1.609", "-1.897", "-2.996"]),
    "x-t-skip-gram-pairs": ("18", ["24", "6"]),
    "x-t-bigram-count": ("6", ["7", "5"]),
    "x-t-hierarchical-softmax-cost": ("16", ["65535", "65536"]),
    "x-t-scaled-attention-weight-value": ("0.506", ["0.665", "0.333"]),
    "x-t-positional-encoding-value": ("0.479", ["0.878", "0.05", "0.0087"]),
    "x-t-cutmix-label-weight": ("0.125", ["0.875", "0.5", "0.25"]),
    "x-t-gelu-value": ("-0.159", ["0.159", "-0.841", "0"]),
}


def test_every_numeric_problem_has_graded_responses():
    numeric = {
        p.stem for p in FILES if yaml.safe_load(p.read_text(encoding="utf-8"))["kind"] == "numeric"
    }
    assert numeric == set(NUMERIC_RESPONSES)


@pytest.fixture
def loaded(db):
    from problems.content.loader import load_selected

    problems = load_selected(CONTENT, [p.stem for p in FILES], course_slug="topics-batch")
    return {problem.slug: problem for problem in problems}


def test_loaded_problems_grade_the_rounded_answer_right_and_the_named_mistakes_wrong(loaded):
    from problems.answers import check_answer
    from problems.parameterised import problem_variant

    for slug, (right, wrongs) in NUMERIC_RESPONSES.items():
        problem = loaded[slug]
        if slug in PINNED:
            problem = problem_variant(problem, params=PINNED[slug])
        assert check_answer(problem, right).correct, slug
        assert [w for w in wrongs if check_answer(problem, w).correct] == [], slug


def test_loaded_choice_problems_accept_only_their_keys(loaded):
    from problems.answers import check_answer

    for slug, problem in loaded.items():
        if problem.kind not in ("single_choice", "multiple_choice"):
            continue
        assert problem.hints and all(h["ja"] and h["en"] for h in problem.hints), slug
        right = sorted(_correct_keys(slug))
        response = right if problem.kind == "multiple_choice" else right[0]
        assert check_answer(problem, response).correct, slug
        for choice in problem.choices.all():
            if not choice.is_correct:
                assert choice.feedback_ja and choice.feedback_en, (slug, choice.key)
                assert not check_answer(problem, [choice.key]).correct, (slug, choice.key)


def test_the_forget_gate_decides_how_far_the_gradient_reaches():
    """x-t-lstm-gradient-flow: the same LSTM with forget gates held open or shut by their bias."""
    assert _correct_keys("x-t-lstm-gradient-flow") == {"1", "2", "4"}

    def first_input_gradient(forget_bias: float) -> float:
        torch.manual_seed(0)
        lstm = torch.nn.LSTM(2, 4).double()
        with torch.no_grad():
            for bias in (lstm.bias_ih_l0, lstm.bias_hh_l0):
                bias[4:8] = forget_bias / 2  # PyTorch's gate order: input, forget, cell, output
        x = torch.randn(40, 1, 2, dtype=torch.float64, requires_grad=True)
        _, (_, c_n) = lstm(x)
        c_n.sum().backward()
        return x.grad[0].norm().item()

    assert first_input_gradient(10.0) > 1e6 * first_input_gradient(-10.0)


def test_ngram_counts_sum_to_one_and_unseen_ngrams_get_zero():
    assert _correct_keys("x-t-ngram-sparsity") == {"2"}
    assert _correct_keys("x-t-hierarchical-softmax-idea") == {"3"}
    words = "the cat sat on the mat the dog sat on the cat".split()
    bigrams = list(zip(words, words[1:], strict=False))
    vocabulary = sorted(set(words))
    for context in vocabulary:
        following = [b for a, b in bigrams if a == context]
        if following:
            total = sum(following.count(w) / len(following) for w in vocabulary)
            assert math.isclose(total, 1.0)
    seen = set(bigrams)
    assert len(seen) < len(vocabulary) ** 2 / 2  # most of the V^2 possible bigrams are unseen
    assert ("dog", "cat") not in seen  # so P(cat | dog) is estimated as 0
