"""The NumPy references agree with PyTorch (shared weights) and with autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine import reference as ref


@pytest.fixture(autouse=True)
def float64_by_default():
    """PyTorch modules built here are float64, as the NumPy references are. Set per test and
    restored: a module-level set_default_dtype changes every test of the run (it once made a
    content test's nn.Embedding float64 and its one-hot float32 product fail in CI only)."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def rng(seed=0):
    return np.random.default_rng(seed)


def t(a):
    return torch.from_numpy(np.asarray(a, dtype=np.float64))


def test_lstm_cell_matches_torch_lstmcell_with_gate_blocks_reordered():
    # given: our blocks are a, i, f, o; PyTorch's are i, f, g(=a), o
    g = rng(1)
    batch, n_in, hidden = 3, 5, 7
    x, h, c = (
        g.normal(size=(batch, n_in)),
        g.normal(size=(batch, hidden)),
        g.normal(size=(batch, hidden)),
    )
    W, U, b = (
        g.normal(size=(4 * hidden, n_in)),
        g.normal(size=(4 * hidden, hidden)),
        g.normal(size=4 * hidden),
    )
    a, i, f, o = (slice(k * hidden, (k + 1) * hidden) for k in range(4))
    order = np.r_[i, f, a, o]
    cell = torch.nn.LSTMCell(n_in, hidden)
    with torch.no_grad():
        cell.weight_ih.copy_(t(W[order]))
        cell.weight_hh.copy_(t(U[order]))
        cell.bias_ih.copy_(t(b[order]))
        cell.bias_hh.zero_()
    # when
    h_ref, c_ref = ref.lstm_cell(x, h, c, W, U, b)
    h_t, c_t = cell(t(x), (t(h), t(c)))
    # then
    np.testing.assert_allclose(h_ref, h_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(c_ref, c_t.detach().numpy(), rtol=1e-10, atol=1e-12)


def _gru_inputs(seed, diagonal_U):
    g = rng(seed)
    batch, n_in, hidden = 3, 5, 4
    x, h = g.normal(size=(batch, n_in)), g.normal(size=(batch, hidden))
    W_r, W_z, W = (g.normal(size=(hidden, n_in)) for _ in range(3))
    U_r, U_z = g.normal(size=(hidden, hidden)), g.normal(size=(hidden, hidden))
    U = np.diag(g.normal(size=hidden)) if diagonal_U else g.normal(size=(hidden, hidden))
    return x, h, W_r, U_r, W_z, U_z, W, U


def _torch_gru(x, h, W_r, U_r, W_z, U_z, W, U, negate_z):
    cell = torch.nn.GRUCell(x.shape[1], h.shape[1])
    sign = -1.0 if negate_z else 1.0
    with torch.no_grad():
        cell.weight_ih.copy_(t(np.concatenate([W_r, sign * W_z, W])))
        cell.weight_hh.copy_(t(np.concatenate([U_r, sign * U_z, U])))
        cell.bias_ih.zero_()
        cell.bias_hh.zero_()
    return cell(t(x), t(h)).detach().numpy()


def test_gru_reference_follows_the_course_not_torch_convention():
    # given: PyTorch computes h' = (1 - z) n + z h, the course h' = (1 - z) h + z h_bar
    args = _gru_inputs(2, diagonal_U=True)
    ours = ref.gru_cell(*args)
    # then: with shared weights the two conventions differ ...
    assert not np.allclose(ours, _torch_gru(*args, negate_z=False), atol=1e-3)
    # ... and agree once PyTorch's z is turned into 1 - z (sigmoid(-u) = 1 - sigmoid(u)),
    # U diagonal so that r * (U h) = U (r * h)
    np.testing.assert_allclose(ours, _torch_gru(*args, negate_z=True), rtol=1e-10, atol=1e-12)


def test_gru_reset_gate_placement_differs_from_torch_for_full_U():
    args = _gru_inputs(3, diagonal_U=False)
    assert not np.allclose(ref.gru_cell(*args), _torch_gru(*args, negate_z=True), atol=1e-3)


def test_bidirectional_rnn_matches_torch_rnn_bidirectional():
    g = rng(4)
    T, n_in, hidden, n_out = 6, 3, 5, 2
    xs = g.normal(size=(T, n_in))
    W_f, W_b = g.normal(size=(hidden, n_in)), g.normal(size=(hidden, n_in))
    U_f, U_b = g.normal(size=(hidden, hidden)), g.normal(size=(hidden, hidden))
    V = g.normal(size=(n_out, 2 * hidden))
    rnn = torch.nn.RNN(n_in, hidden, bias=False, bidirectional=True)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(t(W_f))
        rnn.weight_hh_l0.copy_(t(U_f))
        rnn.weight_ih_l0_reverse.copy_(t(W_b))
        rnn.weight_hh_l0_reverse.copy_(t(U_b))
    out, _ = rnn(t(xs))  # (T, 2 * hidden): [h_f[t], h_b[t]] aligned in time
    np.testing.assert_allclose(
        ref.bidirectional_rnn(xs, W_f, U_f, W_b, U_b, V),
        out.detach().numpy() @ V.T,
        rtol=1e-10,
        atol=1e-12,
    )


def test_seq2seq_encode_matches_torch_rnn_final_state():
    g = rng(5)
    vocab, embed, hidden, n = 7, 3, 5, 4
    words = np.eye(vocab)[g.integers(0, vocab, size=n)]
    E, W, U, b = (
        g.normal(size=(embed, vocab)),
        g.normal(size=(hidden, embed)),
        g.normal(size=(hidden, hidden)),
        g.normal(size=hidden),
    )
    rnn = torch.nn.RNN(embed, hidden)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(t(W))
        rnn.weight_hh_l0.copy_(t(U))
        rnn.bias_ih_l0.copy_(t(b))
        rnn.bias_hh_l0.zero_()
    _, h_n = rnn(t(words @ E.T))
    np.testing.assert_allclose(
        ref.seq2seq_encode(words, E, W, U, b), h_n[0].detach().numpy(), rtol=1e-10
    )


def test_rnn_step_matches_torch_ops():
    g = rng(6)
    x, z, W_in, W, b = (
        g.normal(size=(3, 5)),
        g.normal(size=(3, 7)),
        g.normal(size=(5, 7)),
        g.normal(size=(7, 7)),
        g.normal(size=7),
    )
    expected = torch.sigmoid(t(x) @ t(W_in) + t(z) @ t(W) + t(b)).numpy()
    np.testing.assert_allclose(ref.rnn_step(x, z, W_in, W, b), expected, rtol=1e-12)


def test_recursive_tree_net_matches_hand_computation():
    g = rng(7)
    a, b_, c = (g.normal(size=4) for _ in range(3))
    W, bias = g.normal(size=(4, 8)), g.normal(size=4)
    inner = np.tanh(W @ np.concatenate([a, b_]) + bias)
    expected = np.tanh(W @ np.concatenate([inner, c]) + bias)
    tree = {"left": {"left": a, "right": b_}, "right": c}
    np.testing.assert_allclose(ref.recursive_tree_net(tree, W, bias), expected, rtol=1e-12)
    np.testing.assert_array_equal(ref.recursive_tree_net(a, W, bias), a)


@pytest.mark.parametrize("std", [0.1, 1.0, 10.0])
def test_gradient_clipping_matches_clip_grad_norm(std):
    grad = rng(8).normal(scale=std, size=(2, 3, 4))
    p = torch.nn.Parameter(torch.zeros(2, 3, 4))
    p.grad = t(grad).clone()
    torch.nn.utils.clip_grad_norm_([p], max_norm=2.0)
    # PyTorch divides by norm + 1e-6: equal up to about 1e-6 relative
    np.testing.assert_allclose(ref.gradient_clipping(grad, 2.0), p.grad.numpy(), rtol=1e-5)


def test_gradient_clipping_leaves_its_input_and_zero_gradients_alone():
    grad = rng(9).normal(size=(3, 5)) * 10
    before = grad.copy()
    ref.gradient_clipping(grad, 1.0)
    np.testing.assert_array_equal(grad, before)
    np.testing.assert_array_equal(ref.gradient_clipping(np.zeros(3), 1.0), np.zeros(3))


@pytest.mark.parametrize(
    ("H", "W", "KH", "KW", "P", "S"),
    [
        (5, 5, 3, 3, 1, 2),
        (7, 9, 3, 5, 0, 1),
        (8, 11, 3, 4, 1, 3),
        (28, 20, 5, 5, 2, 1),
        (13, 17, 4, 6, 2, 4),
        (10, 3, 10, 3, 0, 5),
    ],
)
def test_conv_output_size_matches_conv2d(H, W, KH, KW, P, S):
    out = F.conv2d(torch.zeros(1, 1, H, W), torch.zeros(1, 1, KH, KW), padding=P, stride=S)
    assert ref.conv_output_size(H, W, KH, KW, P, S) == tuple(out.shape[2:])


def test_attention_matches_scaled_dot_product_attention():
    g = rng(10)
    Q, K, V = g.normal(size=(2, 3, 4)), g.normal(size=(2, 5, 4)), g.normal(size=(2, 5, 6))
    context, weights = ref.attention(Q, K, V)
    expected = F.scaled_dot_product_attention(t(Q), t(K), t(V)).numpy()
    np.testing.assert_allclose(context, expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        weights, torch.softmax(t(Q) @ t(K).transpose(-1, -2) / 2.0, dim=-1).numpy(), rtol=1e-10
    )


def test_softmax_matches_torch_and_stays_finite_for_large_logits():
    x = rng(11).normal(size=(3, 5)) + np.array([[1000.0], [-1000.0], [0.0]])
    s = ref.softmax(x)
    np.testing.assert_allclose(s, torch.softmax(t(x), dim=-1).numpy(), rtol=1e-12)
    assert np.all(np.isfinite(s))


def test_softmax_jacobian_matches_autograd():
    x = rng(12).normal(size=6)
    expected = torch.autograd.functional.jacobian(lambda v: torch.softmax(v, dim=0), t(x)).numpy()
    np.testing.assert_allclose(ref.softmax_jacobian(x), expected, rtol=1e-10, atol=1e-14)


def _autograd_derivative(fn, x):
    xt = t(x).requires_grad_(True)
    fn(xt).sum().backward()
    return xt.grad.numpy()


X = np.array([-1000.0, -30.0, -2.0, -0.5, 0.0, 0.5, 2.0, 30.0, 1000.0])


def test_d_sigmoid_matches_autograd_and_peaks_at_zero():
    np.testing.assert_allclose(
        ref.d_sigmoid(X), _autograd_derivative(torch.sigmoid, X), rtol=1e-10, atol=1e-300
    )
    grid = np.linspace(-3, 3, 601)
    assert grid[np.argmax(ref.d_sigmoid(grid))] == pytest.approx(0.0)
    assert ref.d_sigmoid(np.array(0.0)) == pytest.approx(0.25)


def test_d_tanh_matches_autograd():
    np.testing.assert_allclose(
        ref.d_tanh(X), _autograd_derivative(torch.tanh, X), rtol=1e-10, atol=1e-300
    )


def test_d_relu_matches_autograd_including_zero():
    np.testing.assert_array_equal(ref.d_relu(X), _autograd_derivative(torch.relu, X))


@pytest.mark.parametrize("alpha", [0.01, 0.2])
def test_leaky_relu_and_derivative_match_torch(alpha):
    np.testing.assert_allclose(ref.leaky_relu(X, alpha), F.leaky_relu(t(X), alpha).numpy())
    np.testing.assert_allclose(
        ref.d_leaky_relu(X, alpha), _autograd_derivative(lambda v: F.leaky_relu(v, alpha), X)
    )


@pytest.mark.parametrize("beta", [1.0, 0.5, 2.5])
def test_swish_and_derivative_match_autograd(beta):
    x = X[2:-2]

    def torch_swish(v):
        return v * torch.sigmoid(beta * v)

    np.testing.assert_allclose(ref.swish(x, beta), torch_swish(t(x)).detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(
        ref.d_swish(x, beta), _autograd_derivative(torch_swish, x), rtol=1e-10, atol=1e-14
    )
    np.testing.assert_allclose(ref.swish(X, 1.0), F.silu(t(X)).numpy(), rtol=1e-12)


def test_vae_kl_matches_torch_distributions():
    g = rng(13)
    mu, log_var = g.normal(size=(4, 3)), g.normal(size=(4, 3))
    q = torch.distributions.Normal(t(mu), torch.exp(0.5 * t(log_var)))
    p = torch.distributions.Normal(torch.zeros(4, 3), torch.ones(4, 3))
    expected = torch.distributions.kl_divergence(q, p).sum(-1).numpy()
    np.testing.assert_allclose(ref.vae_kl(mu, log_var), expected, rtol=1e-10)


def test_vae_reparameterize_passes_gradients_to_mu_and_log_var():
    g = rng(14)
    mu, log_var, eps = (g.normal(size=(3, 2)) for _ in range(3))
    mu_t, lv_t = t(mu).requires_grad_(True), t(log_var).requires_grad_(True)
    z = ref.vae_reparameterize_torch(mu_t, lv_t, t(eps))
    np.testing.assert_allclose(
        z.detach().numpy(), ref.vae_reparameterize(mu, log_var, eps), rtol=1e-12
    )
    z.sum().backward()
    np.testing.assert_allclose(mu_t.grad.numpy(), np.ones_like(mu))
    np.testing.assert_allclose(lv_t.grad.numpy(), 0.5 * np.exp(0.5 * log_var) * eps, rtol=1e-12)


def test_vq_quantize_picks_nearest_and_breaks_ties_low():
    z_e = np.array([[1.0, 0.0], [1.9, 0.1], [5.0, 5.0]])
    codebook = np.array([[0.0, 0.0], [2.0, 0.0], [5.0, 5.0], [5.0, 5.0]])
    z_q, idx = ref.vq_quantize(z_e, codebook)
    np.testing.assert_array_equal(idx, [0, 1, 2])  # [1, 0] is as far from rows 0 and 1
    np.testing.assert_array_equal(z_q, codebook[[0, 1, 2]])


def test_vq_vae_loss_torch_forward_matches_numpy_and_gradients_come_from_the_right_terms():
    g = rng(15)
    z_e, codebook, beta = g.normal(size=(5, 3)), g.normal(size=(7, 3)), 0.25
    e_np, idx = ref.vq_quantize(z_e, codebook)
    n = z_e.size
    # forward values
    z_q_np, loss_np = ref.vq_vae_loss(z_e, codebook, beta)
    ze, cb = t(z_e).requires_grad_(True), t(codebook).requires_grad_(True)
    z_q, loss = ref.vq_vae_loss_torch(ze, cb, beta)
    np.testing.assert_allclose(z_q.detach().numpy(), z_q_np)
    assert loss.item() == pytest.approx(loss_np, rel=1e-12)
    # straight-through: d(z_q . up)/dz_e = up, nothing to the codebook
    up = g.normal(size=(5, 3))
    (z_q * t(up)).sum().backward(retain_graph=True)
    np.testing.assert_allclose(ze.grad.numpy(), up)
    assert cb.grad is None
    # the loss: codebook term to the codebook, beta * commitment term to the encoder
    loss.backward()
    np.testing.assert_allclose(ze.grad.numpy() - up, beta * 2 * (z_e - e_np) / n, rtol=1e-10)
    expected_cb = np.zeros_like(codebook)
    np.add.at(expected_cb, idx, 2 * (e_np - z_e) / n)
    np.testing.assert_allclose(cb.grad.numpy(), expected_cb, rtol=1e-10, atol=1e-15)


def test_cosine_similarity_matches_torch():
    g = rng(16)
    a, b = g.normal(size=(4, 5)), g.normal(size=(4, 5))
    np.testing.assert_allclose(
        ref.cosine_similarity(a, b), F.cosine_similarity(t(a), t(b), dim=-1).numpy(), rtol=1e-10
    )
    assert isinstance(ref.cosine_similarity(a[0], b[0]), float)


def test_negative_sampling_loss_matches_torch_logsigmoid():
    g = rng(17)
    h, W_out = g.normal(size=5) * 30, g.normal(size=(9, 5))
    negatives = np.array([0, 7, 7, 4])
    expected = -F.logsigmoid(t(W_out[2]) @ t(h)) - F.logsigmoid(-(t(W_out[negatives]) @ t(h))).sum()
    assert ref.negative_sampling_loss(h, W_out, 2, negatives) == pytest.approx(
        expected.item(), rel=1e-10
    )


def test_augmentations():
    g = rng(18)
    img = g.uniform(size=(4, 6, 3))
    np.testing.assert_array_equal(ref.horizontal_flip(img), torch.flip(t(img), dims=[1]).numpy())
    erased = ref.random_erasing(img, 1, 2, 2, 3, 0.0)
    assert erased[1:3, 2:5].sum() == 0 and erased.sum() < img.sum() and img.all()
    x, y = ref.mixup(img, np.eye(3)[0], img * 0, np.eye(3)[1], 0.7)
    np.testing.assert_allclose(y, [0.7, 0.3, 0.0])
    out = ref.adjust_contrast(img, 2.0)
    for c in range(3):  # tf.image.adjust_contrast, per channel by hand
        m = img[:, :, c].mean()
        np.testing.assert_allclose(out[:, :, c], (img[:, :, c] - m) * 2.0 + m)
    k = ref.gaussian_kernel(4, 1.0)
    assert k.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(k, k[::-1, ::-1])
    np.testing.assert_allclose(k, k.T)
