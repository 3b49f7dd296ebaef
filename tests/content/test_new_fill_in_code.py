"""The code of every new PyTorch and NumPy fill-in problem (content/**/x-*.yaml), completed with
each choice and run: the correct choice shows the behaviour the explanation claims and no
distractor does. The code is taken from the English statement, so a test follows the file."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

torch = pytest.importorskip("torch")

CONTENT = Path(__file__).resolve().parents[2] / "content"
BLANK = re.compile(r"【\(([a-z])\)】")


def _problem(slug: str) -> dict:
    (path,) = CONTENT.glob(f"*/{slug}.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _fills(choice_text: str) -> dict[str, str]:
    """'(a) `x` (b) `y`' -> {'a': 'x', 'b': 'y'}; a choice that is one fragment fills (a)."""
    pairs = re.findall(r"\(([a-z])\)\s*`([^`]*)`", choice_text)
    if pairs:
        return dict(pairs)
    return {"a": choice_text.strip().strip("`")}


def completed_code(slug: str, key: str) -> tuple[str, dict[str, str]]:
    document = _problem(slug)
    (code,) = re.findall(r"```python\n(.*?)```", document["statement"]["en"], re.S)
    choice = next(c for c in document["choices"] if str(c["key"]) == key)
    fills = _fills(choice["en"])
    for lang in ("ja", "en"):
        assert set(BLANK.findall(document["statement"][lang])) == set(fills), (slug, lang)
    return BLANK.sub(lambda m: fills[m.group(1)], code), fills


def run(code: str) -> dict:
    namespace: dict = {"__name__": "fill_in"}
    exec(compile(code, "<fill-in>", "exec"), namespace)  # noqa: S102 - our own content
    return namespace


def _shape_is(name: str):
    def check(code: str, fills: dict[str, str]) -> bool:
        namespace = run(code)
        return list(namespace[name].shape) == list(ast.literal_eval(fills["a"]))

    return check


def _flat(params) -> torch.Tensor:
    return torch.cat([p.detach().reshape(-1) for p in params])


def _clipped_updates(code: str, fills: dict[str, str]) -> bool:
    # Three SGD steps of lr 0.1 on gradients clipped to norm 0.5 move the parameters at most 0.15;
    # the targets (100 x randn) make unclipped gradients far larger than that.
    before = _flat(run(code.split("for epoch")[0])["params"])
    after = _flat(run(code)["params"])
    moved = float(torch.linalg.vector_norm(after - before))
    return 0 < moved <= 3 * 0.1 * 0.5 + 1e-6


def _last_layer_both_directions(code: str, fills: dict[str, str]) -> bool:
    namespace = run(code)
    out, feature = namespace["out"], namespace["feature"]
    expected = torch.cat([out[:, -1, :64], out[:, 0, 64:]], dim=1)
    return torch.allclose(feature, expected)


def _gru_final_state(code: str, fills: dict[str, str]) -> bool:
    namespace = run(code)
    h_n = namespace["h_n"]
    return h_n.shape == (1, 4, 16) and torch.allclose(h_n[-1], namespace["last"])


CHECKS = {
    "x-pt-bilstm-last-states": _last_layer_both_directions,
    "x-pt-gru-return-values": _gru_final_state,
    "x-pt-training-loop-clip-order": _clipped_updates,
    "x-pt-bilstm-output-shape": _shape_is("out"),
    "x-pt-bilstm-hn-shape": _shape_is("h_n"),
}


def _keys(slug: str) -> tuple[str, list[str]]:
    choices = _problem(slug)["choices"]
    right = next(str(c["key"]) for c in choices if c["correct"])
    return right, [str(c["key"]) for c in choices if not c["correct"]]


def _passes(slug: str, key: str) -> bool:
    code, fills = completed_code(slug, key)
    try:
        return bool(CHECKS[slug](code, fills))
    except Exception:  # noqa: BLE001 - a distractor may well not run at all
        return False


@pytest.mark.parametrize("slug", sorted(CHECKS))
def test_the_correct_choice_completes_the_code_as_the_explanation_says(slug):
    right, _ = _keys(slug)
    code, fills = completed_code(slug, right)
    assert CHECKS[slug](code, fills)


@pytest.mark.parametrize("slug", sorted(CHECKS))
def test_no_distractor_completes_the_code_correctly(slug):
    _, wrong = _keys(slug)
    assert [key for key in wrong if _passes(slug, key)] == []


def test_every_new_fill_in_problem_with_code_is_checked_here():
    fill_ins = {
        path.stem
        for path in CONTENT.glob("*/x-*.yaml")
        if "fill-in" in (doc := yaml.safe_load(path.read_text(encoding="utf-8")))["tags"]
        and doc["kind"] in ("single_choice",)
        and "```python" in doc["statement"]["en"]
        and not 600 <= doc["order"] <= 699  # batch 2: test_fill_in_code_batch2.py
    }
    assert fill_ins <= set(CHECKS) | set(NUMPY_CHECKS), sorted(fill_ins - set(CHECKS))


NUMPY_CHECKS: dict = {}
_ = np
