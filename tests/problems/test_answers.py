import pytest
from django.utils import translation

from problems.answers import AnswerFormatError, check_answer, normalize_text
from tests.factories import make_choice_problem, make_problem, make_text_problem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are translated; these tests read the English sentences."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("３ｘ３", "3x3"),
        ("  3X3  ", "3x3"),
        ("ＲＮＮ", "rnn"),
        ("Ｌｅａｋｙ　ReLU", "leaky relu"),
        ("tanh", "tanh"),
    ],
)
def test_normalize_text_folds_width_case_and_spaces(given, expected):
    assert normalize_text(given) == expected


@pytest.mark.parametrize("given", ["3x3", "３ｘ３", " 3X3 ", "3×3", "３×３"])
def test_text_answers_accept_full_width_and_half_width(given):
    problem = make_text_problem(accepted=("3x3", "3×3"))
    outcome = check_answer(problem, given)
    assert outcome.correct and outcome.score == problem.points


@pytest.mark.parametrize("given", ["3x4", "33", "5x5"])
def test_text_answers_reject_wrong_text(given):
    assert not check_answer(make_text_problem(), given).correct


def test_single_choice_scores_only_the_correct_key():
    problem = make_choice_problem("single_choice", correct=("2",))
    assert check_answer(problem, "2").correct
    assert check_answer(problem, 2).correct
    wrong = check_answer(problem, "3")
    assert not wrong.correct and wrong.score == 0


def test_multiple_choice_needs_exactly_the_correct_set():
    problem = make_choice_problem("multiple_choice", correct=("1", "3"))
    assert check_answer(problem, ["3", "1"]).correct
    assert not check_answer(problem, ["1"]).correct
    assert not check_answer(problem, ["1", "2", "3"]).correct


@pytest.mark.parametrize("given", [0.25, "0.25", "０．２５", "1/4", "2.5e-1", "0.2505"])
def test_numeric_answers_within_tolerance_are_correct(given):
    problem = make_problem("numeric", numeric_answer=0.25, numeric_tolerance=0.001)
    assert check_answer(problem, given).correct


@pytest.mark.parametrize("given", [0.5, "0.252", "-0.25"])
def test_numeric_answers_outside_tolerance_are_wrong(given):
    problem = make_problem("numeric", numeric_answer=0.25, numeric_tolerance=0.001)
    assert not check_answer(problem, given).correct


@pytest.mark.parametrize(
    ("kind", "given", "fix"),
    [
        ("numeric", "abc", "is not a number"),
        ("numeric", "", "empty"),
        ("numeric", True, "not true or false"),
        ("numeric", "inf", "finite"),
        ("single_choice", "9", "not a choice"),
        ("single_choice", {"a": 1}, "key of one choice"),
        ("multiple_choice", [["1"]], "list of choice keys"),
        ("text", 12, "as a string"),
        ("text", "   ", "empty"),
    ],
)
def test_unusable_answers_raise_a_sentence_that_says_what_to_send(kind, given, fix):
    if kind in ("single_choice", "multiple_choice"):
        problem = make_choice_problem(kind)
    elif kind == "text":
        problem = make_text_problem()
    else:
        problem = make_problem(kind)
    with pytest.raises(AnswerFormatError, match=fix):
        check_answer(problem, given)


def test_the_sentences_are_in_the_learners_language():
    with translation.override("ja"), pytest.raises(AnswerFormatError, match="数値ではありません"):
        check_answer(make_problem("numeric"), "abc")


# The curriculum's own accepted lists, so the test breaks if a content edit drops a spelling.
VAE_BLANK = ("確率分布", "確率分布 p(z)", "正規分布", "ガウス分布", "probability distribution")
BATCH_SHAPE = ("(8, 1000, 1)", "8x1000x1")
CBOW = ("CBOW", "continuous bag of words", "連続単語袋モデル")
CNN_SIZE = ("3x3", "3×3", "(3, 3)")
THOUGHT = ("thought vector", "思考ベクトル", "context vector", "文脈ベクトル")


@pytest.mark.parametrize(
    ("accepted", "given"),
    [
        (VAE_BLANK, "ガウス分布"),
        (VAE_BLANK, "確率分布。"),
        (VAE_BLANK, "「確率分布」"),
        (BATCH_SHAPE, "(8, 1000,1)"),
        (BATCH_SHAPE, "(8、1000、1)"),
        (BATCH_SHAPE, "（８，１０００，１）"),
        (BATCH_SHAPE, "torch.Size([8, 1000, 1])"),
        (BATCH_SHAPE, "[8, 1000, 1,]"),
        (CBOW, "CBOWモデル"),
        (CBOW, "CBOW model"),
        (CBOW, "the CBOW."),
        (CBOW, "CBOW (continuous bag of words)"),
        (CNN_SIZE, "3×3ピクセル"),
        (CNN_SIZE, "3x3 px"),
        (CNN_SIZE, "3ピクセル×3ピクセル"),
        (THOUGHT, "thought vector（思考ベクトル）"),
        (THOUGHT, "思考ベクトル (thought vector)"),
        (THOUGHT, "thought-vector"),
    ],
)
def test_text_answers_accept_what_a_careful_learner_writes(accepted, given):
    assert check_answer(make_text_problem(accepted=accepted), given).correct


@pytest.mark.parametrize(
    ("accepted", "given"),
    [
        (BATCH_SHAPE, "(8, 1000)"),
        (BATCH_SHAPE, "(8, 1000, 1, 1)"),
        (BATCH_SHAPE, "(1, 1000, 8)"),
        (BATCH_SHAPE, "81000 1"),
        (CBOW, "skip-gram"),
        (CBOW, "skip-gram model"),
        (CBOW, "CBOW (skip-gram)"),
        (CBOW, "model"),
        (CBOW, "モデル"),
        (CNN_SIZE, "3"),
        (CNN_SIZE, "33"),
        (CNN_SIZE, "5x5ピクセル"),
        (CNN_SIZE, "3x3x1"),
        (VAE_BLANK, "一様分布"),
        (THOUGHT, "attention vector"),
        (THOUGHT, "attention (thought vector)"),
    ],
)
def test_text_answers_still_reject_wrong_answers_in_any_form(accepted, given):
    assert not check_answer(make_text_problem(accepted=accepted), given).correct
