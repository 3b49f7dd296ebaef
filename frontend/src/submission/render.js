// Draws a submission (the JSON of GET /api/submissions/<id>/) into the status panel.
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { initMath } from "../math.js";
import { testPictures } from "./pictures.js";
import { progressView } from "./progress.js";

/** The badge for a submission's state: its verdict once done, else queued/running/error. */
export function badge(submission) {
  if (submission.status === "done" && submission.verdict) {
    return h(
      "span",
      { class: "badge", "data-verdict": submission.verdict, title: t(`verdict.${submission.verdict}`) },
      h("strong", {}, submission.verdict),
      " ",
      t(`verdict.${submission.verdict}`),
    );
  }
  const status = submission.status || "queued";
  return h("span", { class: "badge", "data-status": status }, t(`status.${status}`));
}

function score(submission) {
  // No score before there is one: a queued or running submission shows its state alone.
  if (submission.status !== "done" || submission.score === null || submission.score === undefined) return null;
  return h(
    "span",
    { class: "submission__score" },
    t("score", { score: submission.score, max_score: submission.max_score ?? "?" }),
  );
}

function testRow(test, index) {
  const result = h(
    "span",
    { class: test.passed ? "test-result test-result--passed" : "test-result test-result--failed" },
    test.passed ? t("tests.passed") : t("tests.failed"),
  );
  // Hidden tests show only whether they passed: their name, points and message stay secret.
  if (test.hidden) {
    return h(
      "tr",
      { class: "test-row test-row--hidden", "data-passed": String(Boolean(test.passed)) },
      h("td", {}, t("tests.hidden", { n: index + 1 })),
      h("td", {}, result),
      h("td", {}, ""),
      h("td", {}, ""),
    );
  }
  return h(
    "tr",
    { class: "test-row", "data-passed": String(Boolean(test.passed)) },
    // The author's label in the page's language (the API's `title`); `name` identifies the test.
    h("td", { class: "test-name", "data-test-name": test.name ?? "" }, test.title ?? test.name ?? ""),
    h("td", {}, result),
    h("td", { class: "num" }, test.max_points == null ? "" : `${test.points ?? 0} / ${test.max_points}`),
    h(
      "td",
      { class: "test-message" },
      test.message ? h("pre", {}, test.message) : "",
      // The author's hint for this test, in the page's language (the API localises it).
      test.hint && !test.passed
        ? h("p", { class: "test-hint", "data-test-hint": "" }, h("strong", {}, t("tests.hint")), " ", test.hint)
        : null,
    ),
  );
}

/** The row under a visible test with pictures of its values: open for the first failing test
 * and for charts (a training run), closed for the others so the table stays short. */
function picturesRow(test, open) {
  if (test.hidden) return null;
  let parts = null;
  try {
    parts = testPictures(test.values);
  } catch (error) {
    console.error("pictures not drawn", error);
  }
  if (!parts) return null;
  return h(
    "tr",
    { class: "test-pictures", "data-pictures": "" },
    h(
      "td",
      { colspan: 4 },
      h("details", { class: "pictures", open: open || Boolean(test.values.charts) }, h("summary", {}, t("pictures.summary")), h("div", { class: "pictures__body" }, parts)),
    ),
  );
}

function testTable(tests) {
  if (!Array.isArray(tests) || tests.length === 0) return null;
  const firstFailing = tests.find((test) => !test.hidden && !test.passed && test.values);
  return h(
    "div",
    { class: "table-scroll" },
    h(
      "table",
      { class: "test-table" },
      h("caption", {}, t("tests.caption")),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, t("tests.name")),
          h("th", { scope: "col" }, t("tests.result")),
          h("th", { scope: "col" }, t("tests.points")),
          h("th", { scope: "col" }, t("tests.message")),
        ),
      ),
      h(
        "tbody",
        {},
        tests.flatMap((test, index) => [testRow(test, index), picturesRow(test, test === firstFailing)]),
      ),
    ),
  );
}

function output(key, text, open) {
  if (!text) return null;
  return h("details", { class: `submission__output submission__output--${key}`, open }, h("summary", {}, t(`output.${key}`)), h("pre", {}, text));
}

/** Text with `code` spans as <code> elements (the feedback's Markdown, as text nodes only). */
function withCode(text) {
  return String(text)
    .split("`")
    .map((part, i) => (i % 2 === 1 ? h("code", {}, part) : part));
}

/** The misconception the answer behaves like (the API's `diagnosis`), above the test table. */
function diagnosis(found) {
  if (!found || !found.message) return null;
  return h(
    "section",
    { class: "diagnosis note note--info", "data-diagnosis": found.mutant ?? "" },
    h("h3", { class: "diagnosis__title" }, t("diagnosis.title")),
    h("div", { class: "diagnosis__message", "data-math": "" }, h("p", {}, withCode(found.message))),
  );
}

/** Replaces the panel's content with the submission; `notes` are extra elements (slow, trouble);
 * `live` is the latest progress of a running submission ({progress, receivedAt}). */
export function renderSubmission(panel, submission, notes = [], live = null) {
  const finished = submission.status === "done" || submission.status === "error";
  panel.setAttribute("aria-busy", String(!finished));
  panel.dataset.status = submission.status ?? "";
  panel.dataset.verdict = submission.verdict ?? "";
  panel.replaceChildren(
    h(
      "div",
      { class: "submission" },
      h("p", { class: "submission__head", role: "status" }, badge(submission), " ", score(submission)),
      notes,
      !finished && live?.progress ? progressView(live.progress, live.receivedAt) : null,
      submission.message ? h("p", { class: "submission__message" }, submission.message) : null,
      diagnosis(submission.diagnosis),
      testTable(submission.tests),
      output("stdout", submission.stdout, true),
      output("stderr", submission.stderr, submission.status === "done" && submission.verdict !== "AC"),
    ),
  );
  if (submission.diagnosis) initMath(panel);
}

/** A notice in the panel (throttled, rejected, network error...), with the server's detail. */
export function renderNotice(panel, text, { kind = "error", detail = "" } = {}) {
  panel.setAttribute("aria-busy", "false");
  panel.dataset.status = "";
  panel.dataset.verdict = "";
  panel.replaceChildren(
    h("div", { class: `note note--${kind}`, role: "alert" }, h("p", {}, text), detail ? h("p", { class: "note__detail" }, detail) : null),
  );
}

export function note(key, kind = "warn", params = {}) {
  return h("p", { class: `note note--${kind}`, "data-note": key }, t(key, params));
}
