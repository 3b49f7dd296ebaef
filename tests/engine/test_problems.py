"""Every code problem of the curriculum: valid, its model solution gets full marks, every mutant is rejected."""

from __future__ import annotations

import pytest
import yaml

from engine.grading import Verdict, grade_submission, load_code_spec, prepare, validate_spec
from tests.engine.problem_files import code_problem_files


def _document(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))["code"]


def _marks(path) -> list:
    # Training exercises train real models (seconds each): slow, and out of `make test-fast`.
    return [pytest.mark.slow] if "training" in _document(path)["reference"] else []


FILES = code_problem_files()
IDS = [p.stem for p in FILES]
GRADED = [pytest.param(path, id=path.stem, marks=_marks(path)) for path in FILES]
MUTANTS = [
    pytest.param(path, m["name"], id=f"{path.stem}:{m['name']}", marks=_marks(path))
    for path in FILES
    for m in (_document(path).get("mutants") or [])
]

ALTERNATIVES = [
    pytest.param(path, a["name"], id=f"{path.stem}:{a['name']}", marks=_marks(path))
    for path in FILES
    for a in (_document(path).get("alternatives") or [])
]


def _spec(path):
    return load_code_spec(path)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_problem_spec_is_valid_and_complete(path):
    # given
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    spec = document["code"]
    # then
    assert validate_spec(spec) == []
    assert document["slug"] == path.stem
    for field in ("title", "statement", "explanation"):
        assert document[field]["ja"].strip() and document[field]["en"].strip(), field
    assert "solution" in spec, "a model solution in learner form proves the reference reachable"
    assert len(spec.get("mutants", [])) >= 2
    visible = [t for t in spec["tests"] if not t.get("hidden")]
    hidden = [t for t in spec["tests"] if t.get("hidden")]
    assert visible and hidden
    assert 6 <= len(spec["tests"]) <= 12
    for entry in spec["entry_points"]:
        for lang in ("ja", "en"):
            assert f"{entry}(" in document["statement"][lang], (
                f"{lang} statement lacks {entry}(...)"
            )


BLANKS = {
    "recursive-tree-net": ("（く）", "recursive-tree-net-blank"),
    "gradient-clipping": ("（き）", "gradient-clipping-blank"),
    "lstm-cell": ("（け）", "lstm-cell-blank"),
    "gru-cell": ("（こ）", "gru-cell-blank"),
    "bidirectional-rnn": ("（か）", "bidirectional-rnn-blank"),
    "seq2seq-encode": ("（き）", "seq2seq-encode-blank"),
}


@pytest.mark.parametrize(("slug", "blank", "choice_slug"), [(s, *v) for s, v in BLANKS.items()])
def test_code_versions_of_the_seed_blanks_name_their_choice_question(slug, blank, choice_slug):
    # Learners do not have the seed: the statement names the choice question by its title,
    # never the seed's blank; `source:` (for authors) keeps the blank.
    code_path = next(p for p in FILES if p.stem == slug)
    document = yaml.safe_load(code_path.read_text(encoding="utf-8"))
    choice_path = next(code_path.parents[1].glob(f"*/{choice_slug}.yaml"))
    choice = yaml.safe_load(choice_path.read_text(encoding="utf-8"))
    assert blank in document["source"]
    assert f"選択問題「{choice['title']['ja']}」のコード版です" in document["statement"]["ja"]
    assert (
        f'The code version of the choice question "{choice["title"]["en"]}"'
        in document["statement"]["en"]
    )
    assert blank not in document["statement"]["ja"] + document["title"]["ja"]


@pytest.mark.parametrize("path", GRADED)
def test_model_solution_gets_full_marks(path, runner):
    spec = _spec(path)
    result = grade_submission(spec, spec["solution"], runner=runner)
    assert result.verdict == Verdict.AC, result.message
    assert result.score == result.max_score == prepare(spec).max_score


@pytest.mark.parametrize("path", GRADED)
def test_starter_code_is_not_accepted(path, runner):
    spec = _spec(path)
    result = grade_submission(spec, spec["starter"], runner=runner)
    assert result.verdict != Verdict.AC


@pytest.mark.parametrize(("path", "mutant"), MUTANTS)
def test_every_mutant_is_rejected(path, mutant, runner):
    spec = _spec(path)
    code = next(m["code"] for m in spec["mutants"] if m["name"] == mutant)
    result = grade_submission(spec, code, runner=runner)
    assert result.verdict in (Verdict.WA, Verdict.RE), result.message
    assert result.score < result.max_score
    failed = [t for t in result.tests if not t.passed]
    assert failed and all(t.message for t in failed)


def test_lstm_cell_has_exactly_ten_tests():
    spec = next(_spec(p) for p in FILES if p.stem == "lstm-cell")
    assert len(spec["tests"]) == 10


@pytest.mark.parametrize(("path", "alternative"), ALTERNATIVES)
@pytest.mark.parametrize("seed", [None, 1, 2])
def test_every_correct_alternative_gets_full_marks(path, alternative, seed, runner):
    spec = _spec(path)
    code = next(a["code"] for a in spec["alternatives"] if a["name"] == alternative)
    result = grade_submission(spec, code, runner=runner, seed=seed)
    assert result.verdict == Verdict.AC, result.message
    assert result.score == result.max_score


@pytest.mark.parametrize(("path", "mutant"), MUTANTS)
def test_every_mutant_is_rejected_whatever_the_hidden_seed(path, mutant, runner):
    spec = _spec(path)
    code = next(m["code"] for m in spec["mutants"] if m["name"] == mutant)
    result = grade_submission(spec, code, runner=runner, seed=3)
    assert result.verdict in (Verdict.WA, Verdict.RE), result.message
