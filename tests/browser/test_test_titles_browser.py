"""Issue #16's walk found every test name in English on Japanese pages: the test table and the
summary sentence now name each visible test by its label in the page's language, live (the
bundle's renderer) and after a reload (the server's template). Screenshots:
tests/browser/artifacts/test-titles-{ja,en}-{1366x768,390x844}.png."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

from tests.browser.conftest import screenshots
from tests.browser.test_learner_journey import LSTM_WRONG, log_in, replace_editor_code
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]

GRADING_TIMEOUT_MS = 90_000
LSTM = Path(__file__).resolve().parents[2] / "content/02-lstm/lstm-cell.yaml"


def _visible_labels() -> list[dict]:
    spec = yaml.safe_load(LSTM.read_text(encoding="utf-8"))["code"]
    return [t["label"] for t in spec["tests"] if not t.get("hidden")]


def test_a_japanese_page_names_the_tests_in_japanese(page, site):
    # given a learner on the Japanese site (the default) with a wrong LSTM cell
    labels = _visible_labels()
    make_user("titles")
    log_in(page, "titles")
    page.goto("/problems/lstm-cell/")
    page.wait_for_selector("html[data-editor-ready]", state="attached")
    replace_editor_code(page, LSTM_WRONG)
    # when it is graded
    page.locator("button[data-action=submit]").click()
    panel = page.locator("#submission-panel")
    expect(panel).to_have_attribute("data-verdict", "WA", timeout=GRADING_TIMEOUT_MS)
    # then the table and the summary name the tests in Japanese, as the bundle draws them
    names = panel.locator(".test-row:not(.test-row--hidden) .test-name")
    expect(names).to_have_text([label["ja"] for label in labels])
    first_failing = panel.locator(".test-row[data-passed=false]:not(.test-row--hidden) .test-name")
    title = first_failing.first.inner_text()
    expect(panel.locator(".submission__message")).to_contain_text(f"テスト「{title}」")
    expect(panel.locator(".test-table")).not_to_contain_text(labels[0]["en"])
    # and after a reload (the server's page), in both languages
    screenshots(page, site, "/problems/lstm-cell/", "test-titles", show="#submission-panel")
    page.goto("/problems/lstm-cell/")
    expect(names).to_have_text([label["en"] for label in labels])  # the last shots were in en
    title = first_failing.first.inner_text()
    expect(panel.locator(".submission__message")).to_contain_text(f"first, '{title}'")
