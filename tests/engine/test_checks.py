"""The test specification: validation sentences that name the field, and input generation."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from engine.checks import SpecError, load_code_spec, prepare, validate_spec
from engine.checks.inputs import generate
from tests.engine.problem_files import CONTENT


@pytest.fixture
def spec():
    return copy.deepcopy(load_code_spec(CONTENT / "02-lstm" / "lstm-cell.yaml"))


def make_spec(**overrides):
    spec = {
        "framework": "numpy",
        "entry_points": ["double"],
        "starter": "def double(x):\n    ...\n",
        "reference": {"code": "def double(x):\n    return 2 * x\n"},
        "tests": [{"name": "a vector", "args": {"x": {"shape": [3]}}}],
    }
    spec.update(overrides)
    return spec


@pytest.mark.parametrize(
    ("edit", "sentence"),
    [
        (
            lambda s: s["tests"][2]["args"].update(x={"shape": [3, -1]}),
            "tests[2].args.x.shape: expected a list of positive integers",
        ),
        (
            lambda s: s["tests"][2]["args"].update(x={"shape": "3x5"}),
            "tests[2].args.x.shape: expected a list of positive integers",
        ),
        (
            lambda s: s["tests"][2]["args"].update(x={"shape": [3, 5], "dist": "gauss"}),
            "tests[2].args.x.dist: expected one of 'normal'",
        ),
        (
            lambda s: s["tests"][2]["args"].update(x={"shape": [3, 5], "distt": "normal"}),
            "tests[2].args.x: unknown field `distt`",
        ),
        (
            lambda s: s["tests"][2]["args"].update(y={"shape": [3]}),
            "tests[2].args.y: not a parameter of lstm(x, prev_h, prev_c, W, U, b)",
        ),
        (lambda s: s.pop("starter"), "missing required field `starter`"),
        (
            lambda s: s.update(pictures={"kind": "image", "inputs": ["img"]}),
            "pictures.inputs: `img` is not a parameter of an entry point",
        ),
        (
            lambda s: s.update(pictures={"kind": "photo"}),
            "pictures.kind: expected one of 'heatmap', 'image'",
        ),
        (lambda s: s.update(framework="jax"), "framework: expected one of 'numpy', 'torch'"),
        (
            lambda s: s["tests"][0].update(points=-1),
            "tests[0].points: expected a number > 0, got -1",
        ),
        (
            lambda s: s["tests"][0].update(tolerance={"rtol": "1e-6"}),
            "tests[0].tolerance.rtol: expected a number",
        ),
        (
            lambda s: s.update(reference={"engine": "lstm_celll"}),
            "reference.engine.lstm: unknown reference function 'lstm_celll'",
        ),
        (
            lambda s: s.update(entry_points=["lstm2"]),
            "starter: defines no top-level function `lstm2`",
        ),
        (
            lambda s: s["tests"][0].update(grad={"wrt": ["x"], "upstream": {"h": 1.0}}),
            "tests[0].grad: gradient checks need framework: torch",
        ),
        (
            lambda s: s["tests"][0]["args"].update(x={"tree": [0], "leaf": {"shape": [3]}}),
            "tests[0].args.x.tree: expected a nested list of pairs",
        ),
        (
            lambda s: s["tests"][1].update(name=s["tests"][0]["name"]),
            "tests[1].name: duplicate test name",
        ),
        (
            lambda s: s["tests"][3]["args"].update(x={"shape": [3, 4]}),
            "tests[3]: the reference fails on these inputs (ValueError",
        ),
        (
            lambda s: s["mutants"][0].update(code="def lstm(:\n"),
            "mutants[0].code: syntax error at line 1",
        ),
    ],
)
def test_validation_names_the_field_and_the_fix(spec, edit, sentence):
    edit(spec)
    errors = validate_spec(spec)
    assert any(sentence in e for e in errors), errors


def test_valid_spec_has_no_errors(spec):
    assert validate_spec(spec) == []


def test_missing_arguments_are_reported_per_test():
    spec = make_spec(
        entry_points=["add"],
        starter="def add(a, b):\n    ...\n",
        reference={"code": "def add(a, b):\n    return a + b\n"},
    )
    spec["tests"] = [{"name": "t", "args": {"a": 1.0}}]
    assert validate_spec(spec) == ["tests[0].args: missing required argument `b`"]


def test_several_entry_points_need_an_entry_per_test():
    spec = make_spec(
        entry_points=["double", "half"], starter="def double(x):\n    ...\ndef half(x):\n    ...\n"
    )
    spec["reference"] = {
        "code": "def double(x):\n    return 2 * x\ndef half(x):\n    return x / 2\n"
    }
    assert (
        "tests[0]: missing required field `entry` (there are several entry points)"
        in validate_spec(spec)
    )


def test_load_code_spec_names_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("slug: broken\nkind: code\ncode:\n  framework: numpy\n", encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_code_spec(path)
    assert str(path) in str(info.value)
    assert "code: missing required field" in str(info.value)
    assert any("missing required field" in e for e in info.value.errors)


def test_inputs_are_deterministic_and_independent_per_argument():
    a1 = generate({"shape": [3, 5]}, seed=7, position=0)
    a2 = generate({"shape": [3, 5]}, seed=7, position=0)
    b = generate({"shape": [3, 5]}, seed=7, position=1)
    np.testing.assert_array_equal(a1, a2)
    assert not np.allclose(a1, b)
    assert generate({"shape": [3, 5]}, seed=8, position=0)[0, 0] != a1[0, 0]
    pinned = generate({"shape": [3, 5], "seed": 42}, seed=7, position=0)
    np.testing.assert_array_equal(
        pinned, generate({"shape": [3, 5], "seed": 42}, seed=9, position=3)
    )


def test_generators_cover_literals_dtypes_scalars_edits_and_trees():
    assert generate(0.5, 0, 0) == 0.5
    assert generate([1, 2], 0, 0).dtype == np.float64
    assert generate({"value": [1, 2], "dtype": "int64"}, 0, 0).dtype == np.int64
    assert isinstance(generate({"shape": [], "dist": "randint", "low": 0, "high": 5}, 0, 0), int)
    onehot = generate({"shape": [4, 7], "dist": "onehot"}, 0, 0)
    np.testing.assert_array_equal(onehot.sum(axis=1), np.ones(4))
    edited = generate(
        {"shape": [3], "dist": "zeros", "set": [{"index": [1], "value": "inf"}]}, 0, 0
    )
    assert np.isinf(edited[1]) and edited[0] == 0
    distinct = generate(
        {"shape": [5], "dist": "randint", "low": 0, "high": 5, "distinct": True}, 0, 0
    )
    assert sorted(distinct.tolist()) == [0, 1, 2, 3, 4]
    tree = generate({"tree": [[0, 0], 0], "leaf": {"shape": [3]}}, 0, 0)
    assert set(tree) == {"left", "right"} and set(tree["left"]) == {"left", "right"}
    assert tree["right"].shape == (3,)


def test_prepared_tests_hold_expected_outputs_computed_by_the_reference(spec):
    problem = prepare(spec)
    assert len(problem.tests) == 10 and problem.max_score == 10
    first = problem.tests[0]
    assert first.outputs == ("h", "c")
    assert [a.shape for a in first.args] == [(3, 5), (3, 7), (3, 7), (28, 5), (28, 7), (28,)]
    h, c = first.expected
    assert h.shape == c.shape == (3, 7)


def test_every_problem_uses_distinct_dimensions_in_its_first_test():
    """A transposed matrix cannot pass by accident: the first test's 2-D arrays are not square."""
    from tests.engine.problem_files import code_problem_files

    square_ok = {
        "softmax-jacobian",
        "gru-cell",
        "rnn-step",
        "lstm-cell",
        "bidirectional-rnn",
        "seq2seq-encode",
    }
    for path in code_problem_files():
        spec = load_code_spec(path)
        first = prepare(spec).tests[0]
        for name, value in zip(
            first.arg_names, list(first.args) + list(first.kwargs.values()), strict=False
        ):
            if isinstance(value, np.ndarray) and value.ndim == 2 and path.stem not in square_ok:
                assert value.shape[0] != value.shape[1], (
                    f"{path.stem}: {name} is square {value.shape}"
                )


# -- hints apply only where their premise holds ---------------------------------


def test_an_integer_output_returned_as_float_gets_advice_true_for_any_integer_output():
    from engine.checks.compare import Tolerance, compare

    image = np.arange(12, dtype=np.uint8).reshape(3, 4)
    failure = compare(image[:, ::-1].astype(np.float64), image[:, ::-1], "the image", Tolerance())
    assert failure is not None
    assert "argmin" not in failure.detail and "indices" not in failure.detail
    assert ".astype(np.uint8)" in failure.detail


def test_a_float_output_returned_as_int_is_told_to_start_from_floats():
    from engine.checks.compare import Tolerance, compare

    failure = compare(np.arange(3), np.arange(3) / 2, "`y`", Tolerance())
    assert failure is not None and "float" in failure.detail


def test_mutant_feedback_needs_both_languages(spec):
    spec["mutants"][0]["feedback"] = {"ja": "入力ゲートと忘却ゲートの役割を確かめましょう。"}
    assert "mutants[0].feedback: missing required field `en`" in validate_spec(spec)
    spec["mutants"][0]["feedback"]["en"] = "Check which gate scales the old cell state."
    assert validate_spec(spec) == []


def test_alternatives_take_no_feedback(spec):
    spec["alternatives"][0]["feedback"] = {"ja": "正しい", "en": "right"}
    assert any("alternatives[0]" in e for e in validate_spec(spec))
