"""Every numeric answer of the new problems (content/**/x-*.yaml) recomputed from its formula,
and with torch or NumPy where a library computes the same thing."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from tests.variantkit import variant_answer

torch = pytest.importorskip("torch")

CONTENT = Path(__file__).resolve().parents[2] / "content"


def answer(slug: str, params: dict | None = None) -> float:
    (path,) = CONTENT.glob(f"*/{slug}.yaml")
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert document["kind"] == "numeric"
    if "params" in document:  # parameterised: the variant with the numbers the test uses
        return variant_answer(slug, **params)
    return document["numeric"]["answer"]


def tolerance(slug: str) -> float:
    (path,) = CONTENT.glob(f"*/{slug}.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))["numeric"].get("tolerance", 0)


def assert_answer(slug: str, value: float, **params) -> None:
    # The stored answer must be within a tenth of its tolerance of the recomputed value, so the
    # rounding the statement asks for is accepted and the key itself is not off.
    assert abs(answer(slug, params) - value) <= max(tolerance(slug) / 10, 1e-12), (slug, value)


def _parameter_count(module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_bidirectional_lstm_parameter_count():
    d, h = 13, 64
    by_formula = 2 * 4 * (h * d + h * h + h + h)
    assert by_formula == _parameter_count(torch.nn.LSTM(d, h, bidirectional=True))
    assert_answer("x-bilstm-param-count", by_formula, D=d, H=h)


def test_gru_parameter_count():
    d, h = 10, 20
    by_formula = 3 * (h * d + h * h + h + h)
    assert by_formula == _parameter_count(torch.nn.GRU(d, h))
    assert by_formula == 3 * _parameter_count(torch.nn.LSTM(d, h)) // 4
    assert_answer("x-gru-param-count-pytorch", by_formula, D=d, H=h)


_ = math
