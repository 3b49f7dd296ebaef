"""Claims that explanations of the new problems make about PyTorch, run: what a learner reads
in an explanation is what the library does."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")


def _gru_step_with_gates(*, update_bias: float, reset_bias: float):
    torch.manual_seed(0)
    cell = torch.nn.GRUCell(3, 4)
    with torch.no_grad():
        # PyTorch stacks the GRU's gates as (reset, update, new).
        cell.bias_ih[0:4] = reset_bias
        cell.bias_ih[4:8] = update_bias
    return cell


def test_a_saturated_update_gate_copies_the_previous_state():
    # given an update gate pushed to 1 by its bias (PyTorch: h = (1 - z) * n + z * h_prev)
    cell = _gru_step_with_gates(update_bias=50.0, reset_bias=0.0)
    x, h_prev = torch.randn(2, 3), torch.randn(2, 4)
    # then the new state is the old one
    assert torch.allclose(cell(x, h_prev), h_prev, atol=1e-6)


def test_a_closed_reset_gate_builds_the_candidate_from_the_input_only():
    # given a reset gate pushed to 0 and an update gate pushed to 0 (h = n)
    cell = _gru_step_with_gates(update_bias=-50.0, reset_bias=-50.0)
    x = torch.randn(2, 3)
    # then the state does not depend on h_prev, and equals tanh(W_in x + b_in)
    h_a, h_b = cell(x, torch.randn(2, 4)), cell(x, torch.randn(2, 4))
    assert torch.allclose(h_a, h_b, atol=1e-6)
    w_in, b_in = cell.weight_ih[8:12], cell.bias_ih[8:12]
    assert torch.allclose(h_a, torch.tanh(x @ w_in.T + b_in), atol=1e-6)


def test_h_n_of_a_bidirectional_lstm_holds_layers_then_directions():
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(13, 64, num_layers=2, bidirectional=True, batch_first=True)
    out, (h_n, c_n) = lstm(torch.randn(32, 100, 13))
    assert out.shape == (32, 100, 128) and h_n.shape == c_n.shape == (4, 32, 64)
    assert torch.allclose(h_n[-2], out[:, -1, :64]) and torch.allclose(h_n[-1], out[:, 0, 64:])
    assert not torch.allclose(out[:, -1, 64:], h_n[-1])
