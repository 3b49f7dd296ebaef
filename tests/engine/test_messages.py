"""The grader's message table: every code renders in ja and en, and every code the engine can
emit is in the table (engine/messages.py, engine/message_table.py)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import numpy as np
import pytest

from engine.checks.compare import Subject, Tolerance, compare, subject_data
from engine.grading import hidden_message
from engine.message_table import MESSAGES
from engine.messages import is_bilingual, msg, render, render_stored, template_fields

ENGINE = Path(__file__).resolve().parents[2] / "engine"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Templates that only pass a value through (a name, a type, None) have no words to translate.
PASS_THROUGH = {
    "subject.text",
    "value.none",
    "kind.other",
    "value.unsupported",
    "training.trainer_learner",
}


def _sample(spec: str):
    return {
        "num": 1.25,
        "idx": [2, 5],
        "code": "h",
        "codes": ["h", "c"],
        "msg": msg("subject.result"),
    }.get(spec, "x")


def _sample_params(code: str) -> dict:
    entry = MESSAGES[code]
    params = {}
    for template in entry.values():
        for _, field, spec, _ in string.Formatter().parse(template):
            if field:
                params[field] = _sample(spec or "")
    return params


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_code_renders_in_both_languages(code):
    # given a message with sample parameters for every field its templates use
    entry = MESSAGES[code]
    data = msg(code, **_sample_params(code))
    # then both languages have the same forms, use the same parameters, and render
    assert {"ja", "en"} <= set(entry)
    assert ("summary_ja" in entry) == ("summary_en" in entry)
    assert template_fields(entry["ja"]) == template_fields(entry["en"]), code
    for lang in ("ja", "en"):
        for summary in (False, True):
            text = render(data, lang, summary=summary)
            assert text.strip(), (code, lang)
            assert "`" not in text, (code, lang, text)
            if lang == "en":
                assert not JAPANESE.search(text), (code, text)
            elif code not in PASS_THROUGH:
                assert JAPANESE.search(text), f"{code} has no Japanese rendering: {text!r}"


def _codes_in_engine_source() -> set[str]:
    """Every literal message code in engine/: msg("..."), code = "...", and report(...)'s."""
    codes: set[str] = set()
    for path in ENGINE.rglob("*.py"):
        if path.name in ("message_table.py", "messages.py"):
            continue
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r'(?:msg|_said)\(\s*"([\w.]+)"', text))
        for pair in re.findall(r'(?:msg\(\s*|code = )"([\w.]+)" if [^\n]* else "([\w.]+)"', text):
            codes |= set(pair)
        codes |= set(re.findall(r'code = "([\w.]+)"', text))
        codes |= set(re.findall(r'^\s+"(forbidden\.\w+)",$', text, re.M))
    return codes


def test_every_code_the_engine_emits_is_in_the_table():
    codes = _codes_in_engine_source()
    # The codes built from a name: the subjects and the dtype kinds.
    codes |= {f"subject.{kind}" for kind in ("result", "output", "gradient")}
    codes |= {f"kind.{kind}" for kind in ("float", "int", "bool", "complex")}
    codes |= {f"limit.{stream}" for stream in ("stdout", "stderr", "result")}  # sandbox/verdict
    assert len(codes) > 60  # the grep found the engine's messages
    missing = sorted(codes - set(MESSAGES))
    assert not missing, f"codes without ja/en templates: {missing}"


def test_the_grep_sees_a_code_that_is_not_in_the_table(tmp_path):
    # The grep above is what stands between a new message and a missing translation.
    source = 'failure = Failure("s", "d", msg("brand_new_code", x=1))\n'
    assert "brand_new_code" in set(re.findall(r'msg\(\s*"([\w.]+)"', source))
    assert "brand_new_code" not in MESSAGES


def test_a_value_mismatch_reads_as_learners_of_the_course_know_it():
    # given h off at one index
    expected = np.array([[0.5, -0.799], [0.1, 0.2]])
    got = expected.copy()
    got[0, 1] = -1.979
    failure = compare(got, expected, Subject("output", "h"), Tolerance())
    # then
    ja = render(failure.data, "ja")
    en = render(failure.data, "en")
    assert "出力「h」" in ja and "最大絶対誤差" in ja and "許容誤差" in ja and "(0, 1)" in ja
    assert en == "'h': max abs error 1.18 at index (0, 1): expected -0.799, got -1.979"
    assert failure.detail.startswith("`h`: max abs error 1.18")  # the English log keeps its form


def test_a_hidden_tests_message_keeps_no_values():
    # given a value mismatch on a hidden test
    failure = compare(np.ones(3), np.zeros(3), Subject("result"), Tolerance())
    data = hidden_message(failure.data)
    # then only the summary's parameters survive: no expected or returned values
    inner = data["params"]["failure"]["params"]
    assert set(inner) == {"subject"}
    assert render(data, "ja") == "戻り値の値が違います（非公開テストのため入力は表示されません）"
    assert (
        render(data, "en") == "the result has wrong values (hidden test: its inputs are not shown)"
    )


def test_a_stored_result_without_codes_shows_its_english_message():
    assert render_stored(None, "1 of 2 tests failed", "ja") == "1 of 2 tests failed"
    assert render_stored({"code": "no_such_code", "params": {}}, "old text", "ja") == "old text"


def test_a_gradient_subject_names_the_argument():
    data = subject_data(Subject("gradient", "W"))
    assert render(data, "ja") == "「W」に関する勾配"
    assert render(data, "en") == "the gradient w.r.t. 'W'"


def test_a_bilingual_parameter_renders_in_the_rendering_language():
    # given a summary whose test parameter is an author's label in both languages, nested in
    # the summary as stored data would have it
    label = {"ja": "バッチ 3、入力次元 5", "en": "batch 3, input 5"}
    data = msg(
        "summary.failed",
        failed=1,
        total=4,
        test=msg("test.named", name=label),
        first=msg("subject.text", text={"ja": "値が違います", "en": "wrong values"}),
    )
    # then each language shows its own text, never the other's nor the dict
    ja = render(data, "ja")
    en = render(data, "en")
    assert "テスト「バッチ 3、入力次元 5」" in ja and "値が違います" in ja
    assert "'batch 3, input 5'" in en and "wrong values" in en
    assert "{" not in ja + en and "batch 3" not in ja and not JAPANESE.search(en)


def test_a_bilingual_parameter_with_one_language_shows_it_in_both():
    data = msg("test.named", name={"ja": "", "en": "batch 3"})
    assert render(data, "ja") == "テスト「batch 3」"
    assert render(data, "en") == "'batch 3'"


def test_a_nested_message_is_not_taken_for_bilingual_text():
    assert is_bilingual({"ja": "勾配", "en": "gradient"})
    assert not is_bilingual(msg("subject.output", name="h"))
    assert not is_bilingual({"code": "subject.text", "params": {"text": "x"}, "ja": "x"})
    assert not is_bilingual("plain text")
