"""The four new code problems of issue #18 (embedding-lookup, embedding-backward,
softmax-cross-entropy-grad, masked-self-attention): their model solution and their author's
reference, taken from the files, agree with PyTorch (nn.Embedding and its autograd,
F.cross_entropy's autograd, F.scaled_dot_product_attention with is_causal=True) on inputs with
repeated and out-of-order ids, single elements and large vocabularies; the mutants the brief
names really are wrong on those inputs; and the files pass the curriculum loader's checks.

Grading itself (solution AC, every mutant rejected, every alternative AC under three seeds) is
proven by tests/engine/test_problems.py, which picks every code problem up."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from problems.content.loader import _semantic_errors
from problems.content.schema import PROBLEM, schema_errors

torch = pytest.importorskip("torch")
F = torch.nn.functional

CONTENT = Path(__file__).resolve().parents[2] / "content"
SLUGS = [
    "embedding-lookup",
    "embedding-backward",
    "softmax-cross-entropy-grad",
    "masked-self-attention",
]


def _path(slug: str) -> Path:
    (path,) = CONTENT.glob(f"*/{slug}.yaml")
    return path


def _document(slug: str) -> dict:
    return yaml.safe_load(_path(slug).read_text(encoding="utf-8"))


def _function(code: str, entry: str):
    namespace: dict = {"__name__": "problem"}
    exec(compile(code, "<problem>", "exec"), namespace)  # noqa: S102 - our own content
    return namespace[entry]


def _implementations(slug: str) -> list:
    """The model solution and the author's reference of one problem, as callables."""
    spec = _document(slug)["code"]
    (entry,) = spec["entry_points"]
    return [_function(spec["solution"], entry), _function(spec["reference"]["code"], entry)]


def _mutant(slug: str, name: str):
    spec = _document(slug)["code"]
    (entry,) = spec["entry_points"]
    return _function(next(m["code"] for m in spec["mutants"] if m["name"] == name), entry)


RNG = np.random.default_rng(18)

IDS_CASES = {
    "repeated": (np.array([[3, 1, 3, 3], [0, 3, 6, 1]]), 7, 3),
    "out-of-order": (np.array([[6, 0, 5, 2], [1, 4, 3, 0], [2, 2, 6, 5]]), 7, 5),
    "single": (np.array([[4]]), 6, 2),
    "large-vocabulary": (RNG.integers(0, 20000, size=(3, 6)), 20000, 4),
    "all-same": (np.ones((3, 2), dtype=np.int64), 3, 2),
}


@pytest.mark.parametrize("slug", SLUGS)
def test_files_pass_the_loader_checks(slug):
    path = _path(slug)
    document = _document(slug)
    assert schema_errors(document, PROBLEM) == []
    assert _semantic_errors(document, path) == []
    assert 700 <= document["order"] <= 799
    assert "numpy" in document["tags"] and document["source"] is None
    assert 1 <= len(document["hints"]) <= 3
    assert list(document).index("hints") == list(document).index("explanation") - 1
    spec = document["code"]
    assert all(m["feedback"]["ja"].strip() and m["feedback"]["en"].strip() for m in spec["mutants"])
    assert len(spec["alternatives"]) >= 2
    for lang in ("ja", "en"):
        text = document["statement"][lang]
        assert ("float32" in text) and all(f"`{name}`" in text for name in spec["forbidden_calls"])


@pytest.mark.parametrize("case", IDS_CASES)
def test_embedding_lookup_equals_torch_embedding_and_the_one_hot_product(case):
    ids, vocab, dim = IDS_CASES[case]
    W_in = RNG.normal(size=(vocab, dim))
    expected = torch.nn.Embedding.from_pretrained(torch.from_numpy(W_in))(torch.from_numpy(ids))
    one_hot = np.eye(vocab)[ids.ravel()] @ W_in
    for lookup in _implementations("embedding-lookup"):
        ids_before, W_before = ids.copy(), W_in.copy()
        out = lookup(ids, W_in)
        assert out.shape == (*ids.shape, dim)
        np.testing.assert_array_equal(out, expected.numpy())
        np.testing.assert_allclose(out.reshape(-1, dim), one_hot, rtol=1e-12)
        np.testing.assert_array_equal(ids, ids_before)
        np.testing.assert_array_equal(W_in, W_before)


def test_embedding_lookup_mutants_differ_from_the_lookup():
    ids, vocab, dim = np.array([[4, 0, 2], [1, 4, 3]]), 5, 3
    W_in = RNG.normal(size=(vocab, dim))
    right = W_in[ids]
    for name in ("flattened-without-reshape", "time-major", "cbow-mean"):
        assert _mutant("embedding-lookup", name)(ids, W_in).shape != right.shape, name
    scrambled = _mutant("embedding-lookup", "column-one-hot-reshaped")(ids, W_in)
    assert scrambled.shape == right.shape and not np.allclose(scrambled, right)
    with pytest.raises(IndexError):  # W_in.T has only D = 3 rows: id 4 is out of range
        _mutant("embedding-lookup", "columns-as-word-vectors")(ids, W_in)


def _torch_embedding_grad(ids: np.ndarray, dout: np.ndarray, vocab: int) -> np.ndarray:
    layer = torch.nn.Embedding(vocab, dout.shape[-1]).double()
    layer(torch.from_numpy(ids)).backward(torch.from_numpy(dout))
    return layer.weight.grad.numpy()


@pytest.mark.parametrize("case", IDS_CASES)
def test_embedding_backward_equals_torch_autograd(case):
    ids, vocab, dim = IDS_CASES[case]
    dout = RNG.normal(size=(*ids.shape, dim))
    expected = _torch_embedding_grad(ids, dout, vocab)
    for backward in _implementations("embedding-backward"):
        dout_before = dout.copy()
        dW = backward(ids, dout, vocab)
        assert dW.shape == (vocab, dim)
        np.testing.assert_allclose(dW, expected, rtol=1e-12, atol=1e-14)
        np.testing.assert_array_equal(dout, dout_before)


def test_embedding_backward_fancy_index_mutants_drop_repeated_ids():
    # Word 3 is used three times in one sequence: autograd adds the three gradients, an indexed
    # assignment or a buffered `+=` keeps only one of them.
    ids = np.array([[3, 1, 3, 3]])
    dout = np.arange(12, dtype=np.float64).reshape(1, 4, 3) + 1.0
    expected = _torch_embedding_grad(ids, dout, 5)
    np.testing.assert_allclose(expected[3], dout[0, 0] + dout[0, 2] + dout[0, 3])
    for name in ("fancy-index-assignment", "buffered-fancy-add", "per-sequence-fancy-add"):
        dW = _mutant("embedding-backward", name)(ids, dout, 5)
        np.testing.assert_allclose(dW[1], expected[1])  # a word used once is right
        assert not np.allclose(dW[3], expected[3]), name
        np.testing.assert_allclose(dW[3], dout[0, 3])  # the last write wins
    mean = _mutant("embedding-backward", "mean-over-repeats")(ids, dout, 5)
    np.testing.assert_allclose(mean[3], expected[3] / 3)


def _torch_cross_entropy_grad(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    z = torch.tensor(logits, requires_grad=True)
    F.cross_entropy(z, torch.from_numpy(labels)).backward()
    return z.grad.numpy()


CE_CASES = {
    "batch-4-classes-3": (RNG.normal(size=(4, 3)), np.array([0, 2, 2, 1])),
    "one-sample": (np.array([[2.0, -1.0, 0.5, 0.0]]), np.array([2])),
    "large-logits": (1000.0 + 3.0 * RNG.normal(size=(3, 4)), np.array([1, 3, 0])),
    "very-negative-logits": (-1000.0 + 5.0 * RNG.normal(size=(5, 7)), np.array([6, 0, 3, 3, 1])),
    "square": (RNG.normal(size=(3, 3)), np.array([0, 2, 2])),
}


@pytest.mark.parametrize("case", CE_CASES)
def test_softmax_cross_entropy_grad_equals_torch_autograd(case):
    logits, labels = CE_CASES[case]
    expected = _torch_cross_entropy_grad(logits, labels)
    n, c = logits.shape
    t = np.eye(c)[labels]
    for grad in _implementations("softmax-cross-entropy-grad"):
        out = grad(logits, labels)
        np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-14)
        assert np.all(np.isfinite(out))
        np.testing.assert_allclose(out.sum(axis=1), 0.0, atol=1e-15)  # softmax and one-hot sum to 1
    # The closed form the explanation derives, against autograd.
    z = logits - logits.max(axis=1, keepdims=True)
    y = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose((y - t) / n, expected, rtol=1e-9, atol=1e-14)


def test_softmax_cross_entropy_grad_mutants_are_wrong_as_the_feedback_says():
    logits, labels = CE_CASES["batch-4-classes-3"]
    expected = _torch_cross_entropy_grad(logits, labels)
    n = len(labels)
    np.testing.assert_allclose(
        _mutant("softmax-cross-entropy-grad", "forgot-divide-by-n")(logits, labels), n * expected
    )
    np.testing.assert_allclose(
        _mutant("softmax-cross-entropy-grad", "sign-flipped")(logits, labels), -expected
    )
    assert not np.allclose(
        _mutant("softmax-cross-entropy-grad", "softmax-over-batch")(logits, labels), expected
    )
    with pytest.raises(
        IndexError
    ):  # N = 4 samples, C = 3 classes: row 3 of the one-hot does not exist
        _mutant("softmax-cross-entropy-grad", "onehot-wrong-axis")(logits, labels)
    square_logits, square_labels = CE_CASES["square"]
    swapped = _mutant("softmax-cross-entropy-grad", "onehot-wrong-axis")(
        square_logits, square_labels
    )
    assert not np.allclose(swapped, _torch_cross_entropy_grad(square_logits, square_labels))
    with np.errstate(over="ignore", invalid="ignore"):
        unstable = _mutant("softmax-cross-entropy-grad", "unstable-softmax")(
            *CE_CASES["large-logits"]
        )
    assert np.isnan(unstable).any()


ATTENTION_CASES = {
    "T5-d4-dv3": (5, 4, 3, 1.0),
    "single-step": (1, 4, 3, 1.0),
    "d-differs-from-dv": (4, 9, 2, 1.0),
    "large-scores": (6, 3, 2, 30.0),
    "long": (12, 8, 8, 1.0),
}


def _causal_weights_torch(q, k) -> np.ndarray:
    T = q.shape[0]
    s = q @ k.T / np.sqrt(q.shape[1])
    s = s.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
    return torch.softmax(s, dim=-1).numpy()


@pytest.mark.parametrize("case", ATTENTION_CASES)
def test_masked_self_attention_equals_torch_sdpa_with_is_causal(case):
    T, d, d_v, std = ATTENTION_CASES[case]
    Q, K = std * RNG.normal(size=(T, d)), std * RNG.normal(size=(T, d))
    V = RNG.normal(size=(T, d_v))
    q, k, v = (torch.from_numpy(a) for a in (Q, K, V))
    expected = F.scaled_dot_product_attention(q[None], k[None], v[None], is_causal=True)[0].numpy()
    expected_weights = _causal_weights_torch(q, k)
    for attention in _implementations("masked-self-attention"):
        out, weights = attention(Q, K, V)
        assert out.shape == (T, d_v) and weights.shape == (T, T)
        np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(weights, expected_weights, rtol=1e-9, atol=1e-12)
        assert np.all(np.triu(weights, k=1) == 0.0)  # no weight on the future
        np.testing.assert_allclose(weights.sum(axis=-1), 1.0)


def test_masked_self_attention_mutants_break_the_mask_or_the_scale():
    T, d, d_v = 5, 4, 3
    Q, K, V = RNG.normal(size=(T, d)), RNG.normal(size=(T, d)), RNG.normal(size=(T, d_v))
    expected = _causal_weights_torch(torch.from_numpy(Q), torch.from_numpy(K))
    _, after = _mutant("masked-self-attention", "mask-after-softmax")(Q, K, V)
    assert np.all(np.triu(after, 1) == 0) and np.all(after.sum(axis=-1)[:-1] < 1 - 1e-6)
    _, zero = _mutant("masked-self-attention", "mask-with-zero")(Q, K, V)
    assert np.all(np.triu(zero, 1)[:-1].sum(axis=1) > 0)  # the future keeps weight
    _, queries = _mutant("masked-self-attention", "softmax-over-queries")(Q, K, V)
    np.testing.assert_allclose(np.nan_to_num(queries).sum(axis=0), 1.0)  # columns, not rows
    _, past = _mutant("masked-self-attention", "masks-the-past")(Q, K, V)
    assert np.all(np.tril(past, -1) == 0) and not np.allclose(past, expected)
    for name in ("no-scaling", "no-mask"):
        _, weights = _mutant("masked-self-attention", name)(Q, K, V)
        assert not np.allclose(weights, expected), name


@pytest.mark.django_db
def test_the_loader_stores_the_four_problems_with_their_hints_and_specs():
    from tests.factories import load_content_problems

    problems = load_content_problems(*SLUGS)
    for problem in problems:
        document = _document(problem.slug)
        assert problem.kind == "code"
        assert problem.title_ja == document["title"]["ja"] and problem.order == document["order"]
        assert problem.hints == document["hints"]
        version = problem.versions.get()
        assert version.engine_spec["entry_points"] == document["code"]["entry_points"]
        assert version.engine_spec["forbidden_calls"] == document["code"]["forbidden_calls"]
