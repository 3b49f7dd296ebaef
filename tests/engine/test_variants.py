"""engine.variants: generators, templates, answer functions, choices and validation."""

from __future__ import annotations

import random

import pytest

from engine.variants import (
    ChoiceTemplate,
    IllPosed,
    ParamError,
    TemplateError,
    VariantSpec,
    answer_function,
    draw_params,
    param_spec_errors,
    render,
    render_variant,
    validate_variant_spec,
)

CONV = {
    "params": {
        "H": {"range": [7, 64]},
        "K": {"choice": [1, 3, 5, 7]},
        "P": {"range": [2, 4]},
        "S": {"range": [2, 3]},
    },
    "answer_function": "conv-output-size",
}
TEXTS = {"statement_ja": "高さ {{H}}、フィルタ {{K}}", "statement_en": "height {{H}}, filter {{K}}"}


def _choice(key, misconception="", correct=False, text="{{value}}"):
    return ChoiceTemplate(
        key=key,
        texts={"text_ja": text, "text_en": text, "feedback_ja": "", "feedback_en": ""},
        correct=correct,
        misconception=misconception,
    )


CONV_CHOICES = [
    _choice("1", correct=True),
    _choice("2", "padding-forgotten"),
    _choice("3", "padding-once"),
    _choice("4", "ceil-not-floor"),
    _choice("5", "stride-ignored"),
    _choice("6", "plus-one-forgotten"),
]


# -- generators ------------------------------------------------------------------------------


def test_an_integer_range_with_a_step_draws_only_its_grid():
    values = {
        draw_params({"n": {"range": [4, 20], "step": 4}}, random.Random(seed))["n"]
        for seed in range(300)
    }
    assert values == {4, 8, 12, 16, 20}


def test_a_float_range_draws_numbers_rounded_to_its_step_and_never_minus_zero():
    values = {
        draw_params({"x": {"range": [-1.0, 1.0], "step": 0.1}}, random.Random(seed))["x"]
        for seed in range(2000)
    }
    assert len(values) == 21 and 0.3 in values and -0.7 in values
    assert all(repr(v) == repr(round(v, 1)) for v in values)
    assert all(str(v) != "-0.0" for v in values)


def test_a_list_generator_excludes_values_and_can_be_distinct():
    spec = {"v": {"range": [-2, 2], "size": 3, "exclude": [0], "distinct": True}}
    for seed in range(200):
        v = draw_params(spec, random.Random(seed))["v"]
        assert len(v) == 3 == len(set(v)) and 0 not in v


def test_the_same_seed_draws_the_same_numbers():
    assert draw_params(CONV["params"], random.Random(7)) == draw_params(
        CONV["params"], random.Random(7)
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"n": {"range": [5, 1]}}, "params.n.range: hi (1) is below lo (5); swap them."),
        ({"n": {"range": [1, 5], "step": 0}}, "params.n.step: must be a positive number, not 0."),
        ({"n": {"choice": []}}, "params.n.choice: a non-empty list."),
        ({"n": {"range": [1, 3], "choice": [1]}}, "params.n: give exactly one of range or choice."),
        (
            {"n": {"range": [0, 0], "exclude": [0]}},
            "params.n: nothing is left to draw after exclude.",
        ),
        (
            {"n": {"range": [1, 2], "size": 3, "distinct": True}},
            "params.n: 3 distinct values from only 2; widen it.",
        ),
        (
            {"_n": {"range": [1, 2]}},
            "params: '_n' is not a name (letters, digits, _; not first _).",
        ),
    ],
)
def test_a_generator_that_cannot_be_drawn_from_is_named_with_the_fix(spec, message):
    assert param_spec_errors(spec) == [message]


def test_drawing_from_a_broken_generator_raises_its_sentence():
    with pytest.raises(ParamError, match=r"hi \(1\) is below lo \(5\)"):
        draw_params({"n": {"range": [5, 1]}}, random.Random(0))


# -- templates -------------------------------------------------------------------------------


def test_a_template_keeps_latex_braces_and_formats_values():
    text = r"$\frac{ {{a}} }{2} = {{b:.3f}}$, $x_{t}$, ({{v}}), {{v[1]}}, {{n:,}}"
    assert render(text, {"a": 3, "b": 1 / 3, "v": [1, -2.5], "n": 3000000}) == (
        r"$\frac{ 3 }{2} = 0.333$, $x_{t}$, (1, -2.5), -2.5, 3,000,000"
    )


def test_a_template_naming_an_unknown_value_says_which():
    with pytest.raises(TemplateError, match=r"\{\{H2\}\}: no value named 'H2' \(known: H, K\)"):
        render("{{H2}}", {"H": 1, "K": 2})


def test_a_template_never_evaluates_what_it_holds():
    with pytest.raises(TemplateError, match="is not a placeholder"):
        render("{{ __import__('os').system('true') }}", {})
    with pytest.raises(TemplateError, match="is not a placeholder"):
        render("{{H.__class__}}", {"H": 1})


# -- answer functions ------------------------------------------------------------------------


def test_an_unknown_answer_function_names_the_known_ones():
    with pytest.raises(KeyError, match="no answer function 'conv-size' is registered"):
        answer_function("conv-size")


def test_an_integer_answer_function_rejects_parameters_that_give_no_size():
    with pytest.raises(
        IllPosed, match="the kernel \\(9\\) is longer than the padded input \\(5\\)"
    ):
        answer_function("conv-output-size").solve({"H": 5, "K": 9, "P": 0, "S": 1})


# -- a variant -------------------------------------------------------------------------------


def test_a_variant_renders_texts_and_the_answer_of_its_own_numbers():
    rendered = render_variant(
        VariantSpec.from_dict(CONV), texts=TEXTS, params={"H": 10, "K": 3, "P": 2, "S": 3}
    )
    assert rendered.answer == (10 + 4 - 3) // 3 + 1 == 4
    assert rendered.texts == {
        "statement_ja": "高さ 10、フィルタ 3",
        "statement_en": "height 10, filter 3",
    }


def test_distractors_that_read_like_the_answer_or_each_other_are_dropped():
    spec = VariantSpec.from_dict({**CONV, "choice_count": 3})
    # H=10, K=3, P=2, S=3: answer 4; padding forgotten 3, padding once 4 (= the answer),
    # ceil 5, stride ignored 12, plus-one forgotten 3 (= padding forgotten)
    rendered = render_variant(
        spec, texts=TEXTS, choices=CONV_CHOICES, params={"H": 10, "K": 3, "P": 2, "S": 3}
    )
    assert [(c.key, c.value) for c in rendered.choices] == [("1", 4), ("2", 3), ("4", 5)]
    assert [c.texts["text_en"] for c in rendered.choices] == ["4", "3", "5"]


def test_too_few_distinct_choices_is_an_ill_posed_variant():
    spec = VariantSpec.from_dict({**CONV, "choice_count": 6})
    with pytest.raises(IllPosed, match="only 4 distinct choices of the 6 to show"):
        render_variant(
            spec, texts=TEXTS, choices=CONV_CHOICES, params={"H": 10, "K": 3, "P": 2, "S": 3}
        )


# -- validation ------------------------------------------------------------------------------


def test_a_well_posed_problem_validates():
    assert (
        validate_variant_spec(
            {**CONV, "choice_count": 4}, kind="single_choice", texts=TEXTS, choices=CONV_CHOICES
        )
        == []
    )


def test_a_generator_that_can_draw_a_kernel_longer_than_the_input_is_rejected():
    spec = {**CONV, "params": {**CONV["params"], "H": {"range": [2, 64]}, "P": {"range": [0, 1]}}}
    (error,) = validate_variant_spec(spec, kind="numeric", texts=TEXTS)
    assert error.startswith(
        "params: the generators can draw ill-posed variants; narrow the ranges."
    )
    assert "is longer than the padded input" in error and "seed " in error


def test_choices_that_collide_for_some_seeds_are_rejected():
    spec = {**CONV, "params": {**CONV["params"], "P": {"range": [0, 1]}}, "choice_count": 4}
    (error,) = validate_variant_spec(spec, kind="single_choice", texts=TEXTS, choices=CONV_CHOICES)
    assert "distinct choices of the 4 to show" in error


def test_a_template_name_missing_in_one_language_is_rejected():
    texts = {**TEXTS, "statement_en": "height {{Height}}"}
    (error,) = validate_variant_spec(CONV, kind="numeric", texts=texts)
    assert "{{Height}}: no value named 'Height'" in error


def test_too_few_values_for_two_learners_to_differ_is_rejected():
    spec = {"params": {"H": {"choice": [32, 64]}}, "answer_function": "birnn-feature-size"}
    (error,) = validate_variant_spec(spec, kind="numeric", texts={"s": "{{H}}"})
    assert error.startswith("params: two learners would see the same numbers in")
    assert error.endswith("(at most 10%); widen the ranges or add values.")


def test_the_spec_itself_is_checked_before_any_draw():
    spec = {"params": {"H": {"range": [1, 9]}}, "answer_function": "conv-output-size"}
    assert validate_variant_spec(spec, kind="text", texts={}, choices=[_choice("1", "nope")]) == [
        "params: only numeric and single_choice problems can be parameterised.",
        "params: conv-output-size takes H, K, P, S; add K, P, S.",
        "choices.1.misconception: conv-output-size has no 'nope' (registered: ceil-not-floor, "
        "padding-forgotten, padding-once, plus-one-forgotten, stride-ignored).",
    ]


def test_hints_with_placeholders_are_rejected():
    errors = validate_variant_spec(
        CONV, kind="numeric", texts=TEXTS, fixed_texts={"hints[0].en": "With H = {{H}}"}
    )
    assert errors == [
        "hints[0].en: hints are shown without the variant's numbers; write them without "
        "{{...}} placeholders."
    ]


def test_floating_point_noise_is_shown_as_zero_not_in_scientific_notation():
    # the reviewer's rnn-hidden-state seed 497: -0.2 × (-1) + 1 × 0.1 + (-0.3) = 5.551e-17
    u = -0.2 * -1 + 1.0 * 0.1 + -0.3
    assert u != 0 and abs(u) < 1e-12
    assert render("u = {{u:.4g}}, tanh(u) = {{t}}", {"u": u, "t": u}) == "u = 0, tanh(u) = 0"
    assert render("{{v:.4g}}", {"v": 1.5e-4}) == "0.00015"  # a real small value stays


def test_a_template_that_prints_a_number_in_scientific_notation_is_rejected():
    spec = {"params": {"H": {"range": [8, 64]}}, "answer_function": "birnn-feature-size"}
    texts = {"statement_ja": "H = {{H}}", "explanation_en": "a tiny step: {{answer:.2e}}"}
    (error,) = validate_variant_spec(spec, kind="numeric", texts=texts)
    assert "explanation_en shows a number in scientific notation" in error
