"""What learners read in the content files: no authoring notes, one spelling per term, and
Japanese written in です・ます調 without stray spaces.

Learners never see the study note the curriculum was written from, so a text that mentions
"the seed" (which in Japanese reads as a random seed) or a blank such as （け） of that note
cannot be decoded. Authors keep those notes in content/README.md.

Pure Python + PyYAML: no Django, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
FILES = sorted(CONTENT_DIR.rglob("*.yaml"))

# Code is written for Python, math for LaTeX: neither is prose. Each is replaced by one
# object-replacement character, which is neither Japanese nor a space, so that text on
# either side of a code span never looks adjacent.
FENCED_CODE = re.compile(r"```.*?```", re.S)
CODE_SPAN = re.compile(r"`[^`\n]+`")
MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)
PLACEHOLDER = "\ufffc"

# Japanese characters: hiragana (U+3041-309F), katakana with ー and ・ (U+30A0-30FF), CJK
# unified ideographs (U+4E00-9FFF) with 々 (U+3005), and the Japanese punctuation a sentence
# is written with: 、。「」『』 (U+3001-3002, U+300C-300F) and full-width （） and ：.
JAPANESE = (
    r"[\u3041-\u309f\u30a0-\u30ff\u4e00-\u9fff\u3005\u3001\u3002\u300c-\u300f\uff08\uff09\uff1a]"
)
SPACE_BETWEEN_JAPANESE = re.compile(f"{JAPANESE} +{JAPANESE}")

# "seed" is fine as a random seed; anything else is the study note.
ALLOWED_SEEDS = re.compile(r"乱数のシード|乱数シード|random seeds?", re.I)
SEED = re.compile(r"シード|\bseed", re.I)
# What an author changed, said to a learner who never saw the original.
AUTHORING_NOTE = re.compile(
    r"教材の(?:訂正|コード|解答|選択肢|式|例題|ループ)|元の(?:コード|出題)|学習ノート|course notes"
    r"|the course's (?:code|answer|choices|formula|loop)|original code|original exam|study note",
    re.I,
)

# A blank of the study note in a title: （け）, (ke), blank (ki).
KANA_BLANK = re.compile(r"[（(][\u3041-\u3096]{1,2}[）)]")
ROMAJI_BLANK = re.compile(
    r"\((?:[kgsztdnhbpmyrwj]?[aiueo]|[kgsztdnhbpmr]y[aou]|shi|chi|tsu|fu|n)\)"
)

# Wrong spelling -> the one learners read everywhere (code spans and math are not checked).
NON_CANONICAL = {
    "en": [
        (re.compile(r"re-?parametri[sz]ation|re-?parameteris", re.I), "reparameterization"),
        (re.compile(r"(?<![\w-])(?:seq2seq|Seq2seq)(?![\w-])"), "Seq2Seq"),
        (re.compile(r"Word2vec|Word2Vec"), "word2vec"),
    ],
    "ja": [
        (re.compile(r"品詞付け"), "品詞タグ付け"),
        # The English names only as a gloss right after the Japanese ones.
        (
            re.compile(r"(?<!再パラメータ化トリック（)re-?paramet(?:e?ri[sz]ation)", re.I),
            "再パラメータ化トリック",
        ),
        (re.compile(r"(?<!事後崩壊（)posterior collapse", re.I), "事後崩壊"),
        (re.compile(r"勾配クリッピング|勾配クリップ"), "勾配のクリッピング"),
        (re.compile(r"セル状態"), "セルの状態"),
        (re.compile(r"フィルター"), "フィルタ"),
        (re.compile(r"閾値"), "しきい値"),
        (re.compile(r"語彙"), "ボキャブラリ"),
        (re.compile(r"双方向(?:RNN|LSTM)"), "双方向 RNN / 双方向 LSTM"),
        (re.compile(r"(?<![\w-])(?:seq2seq|Seq2seq)(?![\w-])"), "Seq2Seq"),
        (re.compile(r"Word2vec|Word2Vec"), "word2vec"),
        # "Encoder-Decoder モデル" is a name; a lone encoder or decoder is written in katakana.
        (re.compile(r"(?<![\w-])(?<!Auto )Encoder(?![\w-])"), "エンコーダ"),
        (re.compile(r"(?<![\w-])Decoder(?![\w-])"), "デコーダ"),
    ],
}

# である調 at the end of a Japanese sentence (possibly before closing brackets) or of a
# clause joined by が、.
PLAIN_ENDING = re.compile(r"(?:である|だ)(?:[）)」』]*。|が、)")


def learner_texts(node: object, path: str = "") -> Iterator[tuple[str, str, str]]:
    """(field path, language, text) of every text a learner reads in a content document.

    That is every {ja, en} pair: title, statement, explanation, description, choices, and
    inside `code:` the tests' labels and hints and the mutants' feedback. Code itself is a plain string
    (starter, solution, reference, mutants' code) and never such a pair.
    """
    if isinstance(node, dict):
        for lang in ("ja", "en"):
            if isinstance(node.get(lang), str):
                yield (f"{path}.{lang}" if path else lang), lang, node[lang]
        for key, value in node.items():
            if key not in ("ja", "en", "source", "tags", "slug", "accepted_answers", "diagram"):
                yield from learner_texts(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from learner_texts(value, f"{path}[{i}]")


def prose(text: str) -> str:
    for pattern in (FENCED_CODE, CODE_SPAN, MATH):
        text = pattern.sub(PLACEHOLDER, text)
    return text


def _excerpt(text: str, start: int, end: int) -> str:
    return text[max(0, start - 15) : end + 15].replace("\n", " ")


DOCUMENTS = {path: yaml.safe_load(path.read_text(encoding="utf-8")) for path in FILES}


def file_id(path: Path) -> str:
    return str(path.relative_to(CONTENT_DIR))


def _texts(path: Path, lang: str | None = None) -> Iterator[tuple[str, str, str]]:
    for field, text_lang, text in learner_texts(DOCUMENTS[path]):
        if lang is None or text_lang == lang:
            yield field, text_lang, prose(text)


def _findings(path: Path, pattern: re.Pattern, lang: str | None = None) -> list[str]:
    """Each match of pattern in the file's learner texts, as 'field: …excerpt…'."""
    return [
        f"{field}: …{_excerpt(text, m.start(), m.end())}…"
        for field, _lang, text in _texts(path, lang)
        for m in pattern.finditer(text)
    ]


@pytest.mark.parametrize("path", FILES, ids=file_id)
def test_no_text_mentions_the_study_note_as_the_seed(path):
    found = []
    for field, _lang, text in _texts(path):
        text = ALLOWED_SEEDS.sub("", text)
        found += [f"{field}: …{_excerpt(text, m.start(), m.end())}…" for m in SEED.finditer(text)]
    assert not found, f"{file_id(path)} mentions the seed, which learners do not have: {found}"


@pytest.mark.parametrize("path", FILES, ids=file_id)
def test_no_text_tells_learners_what_an_author_corrected(path):
    found = _findings(path, AUTHORING_NOTE)
    assert not found, (
        f"{file_id(path)} has an authoring note; keep it in content/README.md: {found}"
    )


@pytest.mark.parametrize("path", FILES, ids=file_id)
def test_no_title_names_a_blank_of_the_study_note(path):
    found = [
        f"{field}: {text}"
        for field, lang, text in _texts(path)
        if field.startswith("title.")
        and (KANA_BLANK if lang == "ja" else ROMAJI_BLANK).search(text)
    ]
    assert not found, f"{file_id(path)} has a title naming a blank: {found}"


@pytest.mark.parametrize("path", FILES, ids=file_id)
def test_each_term_has_one_spelling(path):
    found = []
    for field, lang, text in _texts(path):
        for pattern, canonical in NON_CANONICAL[lang]:
            found += [
                f"{field}: {m.group(0)!r} should be {canonical!r}" for m in pattern.finditer(text)
            ]
    assert not found, f"{file_id(path)}: {found}"


@pytest.mark.parametrize("path", FILES, ids=file_id)
def test_japanese_has_no_space_between_two_japanese_characters(path):
    found = _findings(path, SPACE_BETWEEN_JAPANESE, "ja")
    assert not found, f"{file_id(path)} has stray spaces: {found}"


@pytest.mark.parametrize("path", FILES, ids=file_id)
def test_japanese_sentences_do_not_end_in_de_aru_style(path):
    found = _findings(path, PLAIN_ENDING, "ja")
    assert not found, f"{file_id(path)} mixes である調 into です・ます調: {found}"


@pytest.mark.parametrize(
    ("text", "stray"),
    [
        ("勾配が 消失します。", True),
        ("ゲート、 出力", True),
        ("LSTM の順伝播", False),
        ("$h_t$ を求めます", False),
        ("`grad` は 0 です", False),
    ],
)
def test_the_space_check_tells_stray_spaces_from_spaces_around_latin_words(text, stray):
    assert bool(SPACE_BETWEEN_JAPANESE.search(prose(text))) is stray


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("これは誤りである。", True),
        ("正解は 1 だ。", True),
        ("（勾配が消えるためである。）", True),
        ("有効だが、上下反転は使えません。", True),
        ("これは誤りです。", False),
        ("`x = 1  # だ。`", False),
    ],
)
def test_the_style_check_finds_de_aru_endings_outside_code(text, plain):
    assert bool(PLAIN_ENDING.search(prose(text))) is plain


def test_learner_texts_read_hints_and_feedback_but_not_code():
    document = {
        "title": {"ja": "題", "en": "Title"},
        "choices": [{"key": "1", "ja": "選択肢", "en": "choice", "correct": True}],
        "code": {
            "entry_points": ["f"],
            "starter": "seed = 0",
            "tests": [{"name": "t", "hint": {"ja": "ヒント", "en": "hint"}}],
            "mutants": [
                {"name": "m", "code": "seed = 1", "feedback": {"ja": "誤解", "en": "misread"}},
            ],
        },
    }

    fields = [field for field, _lang, _text in learner_texts(document)]

    assert fields == [
        "title.ja",
        "title.en",
        "choices[0].ja",
        "choices[0].en",
        "code.tests[0].hint.ja",
        "code.tests[0].hint.en",
        "code.mutants[0].feedback.ja",
        "code.mutants[0].feedback.en",
    ]
