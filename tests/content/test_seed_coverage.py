"""The curriculum files cover every question of the seed and are complete in both languages.

Pure Python + PyYAML: no Django, no database.
"""

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTENT_DIR = REPO_ROOT / "content"
SEED_PATH = REPO_ROOT.parent / "shared" / "seeds" / "000_b6571114b311c2d5.txt"

ITEM_KINDS = ("確認テスト", "演習チャレンジ", "コード演習問題", "例題")
SEED_ITEM_COUNT = 17
KINDS = {"single_choice", "multiple_choice", "numeric", "text", "code"}
LANGUAGES = ("ja", "en")

ITEM_HEADING = re.compile(r"^## (" + "|".join(ITEM_KINDS) + r")\s*$")
SECTION_HEADING = re.compile(r"^# (Section\d+)\b")
BLANK_LABEL = re.compile(r"[（(]([\u3041-\u3096])[）)]にあてはまる")
# "Section2 確認テスト 1", "Section2 演習チャレンジ （け）", "Section5 確認テスト 2 （き）",
# "Section3 演習チャレンジ （こ）（コード版）"
SEED_SOURCE = re.compile(
    r"^Section\s*(?P<section>\d+)\s*(?P<kind>" + "|".join(ITEM_KINDS) + r")"
    r"\s*(?P<ordinal>\d+)?\s*(?:[（(](?P<label>[\u3041-\u3096])[）)])?"
    r"\s*(?:[（(][^）)]{2,}[）)])?\s*$"  # an optional note such as （コード版）
)


@dataclass(frozen=True)
class SeedItem:
    section: str  # "Section2"
    kind: str  # "確認テスト"
    ordinal: int  # 1-based, per section and kind
    label: str | None  # the blank to fill, e.g. "け"

    def __str__(self) -> str:
        label = f" （{self.label}）" if self.label else ""
        return f"{self.section} {self.kind} {self.ordinal}{label}"


def seed_items(text: str) -> list[SeedItem]:
    """Every confirmation test, challenge, code exercise and example heading of the seed."""
    lines = text.splitlines()
    items: list[SeedItem] = []
    section = None
    counts: dict[tuple[str, str], int] = {}
    for index, line in enumerate(lines):
        if line.startswith("# "):
            match = SECTION_HEADING.match(line)
            section = match.group(1) if match else line[2:].strip()
            continue
        match = ITEM_HEADING.match(line)
        if not match or section is None:
            continue
        kind = match.group(1)
        counts[(section, kind)] = counts.get((section, kind), 0) + 1
        body = []
        for following in lines[index + 1 :]:
            if following.startswith("#"):
                break
            body.append(following)
        blank = BLANK_LABEL.search("\n".join(body))
        items.append(SeedItem(section, kind, counts[(section, kind)], blank and blank.group(1)))
    return items


def source_matches(source: str, item: SeedItem) -> bool:
    match = SEED_SOURCE.match(unicodedata.normalize("NFC", source.strip()))
    if not match or f"Section{match['section']}" != item.section or match["kind"] != item.kind:
        return False
    if match["ordinal"] and int(match["ordinal"]) == item.ordinal:
        return True
    return bool(match["label"]) and match["label"] == item.label


def load_yaml(path: Path):
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _load_or_error(path: Path):
    try:
        return load_yaml(path)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        return error


PROBLEM_PATHS = sorted(
    path for path in CONTENT_DIR.glob("*/*.yaml") if path.name != "_section.yaml"
)
SECTION_PATHS = sorted(CONTENT_DIR.glob("*/_section.yaml"))
DOCUMENTS = {path: _load_or_error(path) for path in PROBLEM_PATHS}
PROBLEMS = {path: doc for path, doc in DOCUMENTS.items() if isinstance(doc, dict)}


def problem_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def paths_of_kind(*kinds: str) -> list[Path]:
    return [path for path, problem in PROBLEMS.items() if problem.get("kind") in kinds]


@pytest.fixture(scope="module")
def problems() -> dict[Path, dict]:
    return PROBLEMS


@pytest.fixture(scope="module")
def seed() -> list[SeedItem]:
    if not SEED_PATH.exists():
        pytest.skip(f"the seed file {SEED_PATH} is absent, so its items cannot be counted")
    return seed_items(SEED_PATH.read_text(encoding="utf-8"))


def test_every_problem_file_is_a_yaml_mapping():
    broken = {problem_id(path): str(doc) for path, doc in DOCUMENTS.items() if path not in PROBLEMS}
    assert not broken, broken


def test_it_finds_every_item_of_the_seed(seed):
    assert len(seed) == SEED_ITEM_COUNT, [str(item) for item in seed]


def test_every_seed_item_has_a_problem(seed, problems):
    sources = [p.get("source") for p in problems.values() if p.get("source")]
    missing = [str(item) for item in seed if not any(source_matches(s, item) for s in sources)]
    assert not missing, f"no problem names these seed items in its source: {missing}"


def test_every_seed_source_names_an_item_that_exists(seed, problems):
    unknown = [
        f"{problem_id(path)}: {problem['source']}"
        for path, problem in problems.items()
        if problem.get("source")
        and SEED_SOURCE.match(problem["source"].strip())
        and not any(source_matches(problem["source"], item) for item in seed)
    ]
    assert not unknown, f"these sources name no seed item: {unknown}"


def test_every_fill_in_the_blank_item_has_a_multiple_choice_problem(seed, problems):
    choice_sources = [
        p["source"] for p in problems.values() if p.get("source") and p["kind"] != "code"
    ]
    blanks = [item for item in seed if item.label]
    assert len(blanks) == 6, [str(item) for item in blanks]
    missing = [
        str(item) for item in blanks if not any(source_matches(s, item) for s in choice_sources)
    ]
    assert not missing, missing


def _texts_missing_a_language(problem: dict) -> list[str]:
    missing = []
    for field in ("title", "statement", "explanation"):
        value = problem.get(field) or {}
        missing += [f"{field}.{lang}" for lang in LANGUAGES if not str(value.get(lang, "")).strip()]
    for choice in problem.get("choices") or []:
        missing += [
            f"choice {choice.get('key')}.{lang}"
            for lang in LANGUAGES
            if not str(choice.get(lang, "")).strip()
        ]
    return missing


@pytest.mark.parametrize("path", list(PROBLEMS), ids=problem_id)
def test_problem_is_written_in_both_languages(path, problems):
    missing = _texts_missing_a_language(problems[path])
    assert not missing, f"{problem_id(path)} lacks {missing}"


@pytest.mark.parametrize("path", list(PROBLEMS), ids=problem_id)
def test_problem_slug_is_its_file_name(path, problems):
    problem = problems[path]
    assert problem["slug"] == path.stem
    assert re.fullmatch(r"[a-z0-9-]+", problem["slug"])
    assert problem["kind"] in KINDS


def test_problem_slugs_are_unique(problems):
    slugs = [problem["slug"] for problem in problems.values()]
    duplicates = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    assert not duplicates


@pytest.mark.parametrize("path", paths_of_kind("single_choice", "multiple_choice"), ids=problem_id)
def test_choice_problem_has_a_correct_choice(path, problems):
    problem = problems[path]
    choices = problem["choices"]
    keys = [str(choice["key"]) for choice in choices]
    correct = [choice for choice in choices if choice.get("correct") is True]
    assert len(keys) == len(set(keys)) >= 2
    assert all(isinstance(choice.get("correct"), bool) for choice in choices)
    if problem["kind"] == "single_choice":
        assert len(correct) == 1
    else:
        assert 1 <= len(correct) < len(choices)


@pytest.mark.parametrize("path", paths_of_kind("numeric"), ids=problem_id)
def test_numeric_answer_is_a_number(path, problems):
    problem = problems[path]
    numeric = problem["numeric"]
    # a parameterised problem's answer is computed for each variant (test_parameterised_problems)
    keys = ("tolerance",) if "params" in problem else ("answer", "tolerance")
    assert ("answer" in numeric) != ("answer_function" in problem)
    for key in keys:
        value = numeric[key]
        assert isinstance(value, int | float) and not isinstance(value, bool), key
    assert numeric["tolerance"] >= 0


@pytest.mark.parametrize("path", paths_of_kind("text"), ids=problem_id)
def test_text_problem_accepts_its_answers_once_normalised(path, problems):
    problem = problems[path]
    answers = problem["accepted_answers"]
    assert answers and all(isinstance(answer, str) and answer.strip() for answer in answers)
    normalised = [unicodedata.normalize("NFKC", answer).casefold().strip() for answer in answers]
    assert len(normalised) == len(set(normalised)), "two accepted answers normalise alike"


@pytest.mark.parametrize("path", SECTION_PATHS, ids=lambda path: path.parent.name)
def test_section_slug_is_its_folder_name(path):
    section = load_yaml(path)
    assert section["slug"] == path.parent.name
    for field in ("title", "description"):
        assert all(str(section[field].get(lang, "")).strip() for lang in LANGUAGES), field


def test_course_quizzes_name_existing_sections_and_problems(problems):
    course = load_yaml(CONTENT_DIR / "course.yaml")
    sections = {path.parent.name for path in SECTION_PATHS}
    slugs = {problem["slug"] for problem in problems.values()}
    for quiz in course["quizzes"]:
        assert set(quiz.get("sections") or []) <= sections, quiz["slug"]
        assert set(quiz.get("problems") or []) <= slugs, quiz["slug"]
    assert {s for quiz in course["quizzes"] for s in quiz.get("sections") or []} == sections


def test_mock_exams_draw_from_every_section(problems):
    course = load_yaml(CONTENT_DIR / "course.yaml")
    mocks = {quiz["slug"]: quiz for quiz in course["quizzes"] if quiz["slug"].startswith("mock-")}
    every_section = {path.parent.name for path in SECTION_PATHS}
    # the full mode: 60 questions at about 72 seconds each, as in the real exam; a short mode
    assert (mocks["mock-exam"]["draw"], mocks["mock-exam"]["time_limit_minutes"]) == (60, 72)
    assert (mocks["mock-exam-short"]["draw"], mocks["mock-exam-short"]["time_limit_minutes"]) == (
        20,
        24,
    )
    for mock in mocks.values():
        assert set(mock["sections"]) == every_section and mock["shuffle"] is True
    pool = [p for path, p in problems.items() if p["kind"] != "code"]
    assert len(pool) >= 85, "the full mock exam needs a pool well over its 60 questions"
