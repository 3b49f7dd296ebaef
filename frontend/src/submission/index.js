// Live grading on the code problem page. A [data-submission-form] posts its code to the JSON
// API instead of reloading the page, and the [data-submission-status] panel follows the
// submission through queued -> running -> verdict.
import { findAll, h } from "../dom.js";
import { t } from "../i18n.js";
import { initMath } from "../math.js";
import { announceState, refresh as refreshLiveState } from "../live-state.js";
import { createSubmission, finalStatuses, watchSubmission } from "./api.js";
import { tickProgress, updateProgress } from "./progress.js";
import { note, renderNotice, renderSubmission } from "./render.js";

const watchers = new WeakMap();

function panelFor(form) {
  const id = form.dataset.statusTarget;
  return (id && document.getElementById(id)) || document.querySelector("[data-submission-status]");
}

function urlsFor(panel, id) {
  const fill = (template) => template.replaceAll("{id}", encodeURIComponent(id));
  return {
    eventsUrl: fill(panel.dataset.eventsUrl || "/api/submissions/{id}/events/"),
    detailUrl: fill(panel.dataset.detailUrl || "/api/submissions/{id}/"),
  };
}

/** Shows `submission` in `panel` and keeps it current until the verdict. */
export function followSubmission(panel, submission) {
  watchers.get(panel)?.();
  const state = { submission, slow: false, trouble: false, live: null };
  const slowAfterMs = Number(panel.dataset.slowAfterMs ?? 10000);

  const redraw = () => {
    const notes = [];
    // A grading that reports its progress is not stuck: the bar says more than "slow".
    if (state.slow && !state.live) notes.push(note("slow_note", "warn"));
    if (state.trouble) notes.push(note("connection_lost", "warn"));
    renderSubmission(panel, state.submission, notes, state.live);
  };
  const slowTimer = setTimeout(() => {
    state.slow = true;
    redraw();
  }, slowAfterMs);
  const clock = setInterval(() => tickProgress(panel), 1000);

  const onProgress = (progress) => {
    if (!progress || state.submission.status !== "running") return;
    const hadLive = Boolean(state.live);
    state.live = { progress, receivedAt: Date.now() };
    if (!updateProgress(panel, progress, state.live.receivedAt) || !hadLive) redraw();
    panel.dispatchEvent(new CustomEvent("submission:progress", { bubbles: true, detail: progress }));
  };

  const onUpdate = (latest) => {
    state.submission = latest;
    const final = finalStatuses.has(latest.status);
    if (final) {
      clearTimeout(slowTimer);
      clearInterval(clock);
      state.slow = false;
      state.trouble = false;
      state.live = null;
    } else if (latest.progress && latest.progress.seq !== state.live?.progress.seq) {
      // Polling (no event stream): the progress rides on the submission itself.
      state.live = { progress: latest.progress, receivedAt: Date.now() };
    }
    redraw();
    panel.dispatchEvent(new CustomEvent(final ? "submission:done" : "submission:update", { bubbles: true, detail: latest }));
  };

  redraw();
  if (finalStatuses.has(submission.status)) {
    clearTimeout(slowTimer);
    clearInterval(clock);
    return;
  }
  const stopWatching = watchSubmission(submission.id, {
    ...urlsFor(panel, submission.id),
    onUpdate,
    onProgress,
    onTrouble: (trouble) => {
      state.trouble = trouble;
      redraw();
    },
  });
  watchers.set(panel, () => {
    clearTimeout(slowTimer);
    clearInterval(clock);
    stopWatching();
  });
}

function setBusy(form, busy) {
  form.toggleAttribute("data-submitting", busy);
  for (const button of form.querySelectorAll('button[type="submit"], button:not([type]), input[type="submit"]')) {
    button.disabled = busy;
  }
}

function holdButtons(form, seconds) {
  setBusy(form, true);
  setTimeout(() => setBusy(form, false), Math.min(seconds, 600) * 1000);
}

function explainFailure(panel, form, failure) {
  const detail = failure.detail;
  if (failure.status === 429) {
    const seconds = failure.retryAfter ?? 10;
    renderNotice(panel, t("submit.throttled", { seconds }), { kind: "warn", detail });
    holdButtons(form, seconds);
  } else if (failure.status === 400 || failure.status === 413) {
    renderNotice(panel, t("submit.rejected"), { detail });
  } else if (failure.status === 401 || failure.status === 403) {
    renderNotice(panel, t("submit.login_required"), { detail });
  } else if (failure.status === 0) {
    renderNotice(panel, t("submit.network_error"));
  } else {
    renderNotice(panel, t("submit.failed", { status: failure.status }), { detail });
  }
}

async function onSubmit(event) {
  const form = event.currentTarget;
  event.preventDefault();
  if (form.hasAttribute("data-submitting")) return;
  const panel = panelFor(form);
  const data = new FormData(form);
  const submitter = event.submitter;
  if (submitter?.name) data.set(submitter.name, submitter.value);
  const code = String(data.get(form.dataset.codeField || "code") ?? "");

  watchers.get(panel)?.();
  setBusy(form, true);
  renderSubmission(panel, { status: "submitting" });
  const result = await createSubmission(form.dataset.apiUrl, {
    code,
    visibleOnly: String(data.get("visible_only")) === "true",
    form,
  });
  setBusy(form, false);
  if (result.ok) followSubmission(panel, result.submission);
  else explainFailure(panel, form, result);
}

/** A verdict updates the page's badge at once (no reload): an accepted full submission marks
 * the problem solved and brings the explanation, which the page could not hold before (it
 * gives the answer away); any other verdict marks it attempted unless it is solved already.
 * Other open pages (the problem list, the dashboard) hear of it and refresh their state. */
async function showVerdict(event) {
  const submission = event.detail;
  if (!submission?.verdict) return;
  const solved = submission.verdict === "AC" && !submission.visible_only;
  for (const slot of findAll(document, "[data-state-badge]")) {
    if (solved) {
      slot.replaceChildren(
        h("span", { class: "badge", "data-verdict": "AC", "data-state": "solved" }, `✓ ${t("state.solved")}`),
      );
    } else if (!slot.querySelector("[data-state=solved]")) {
      slot.replaceChildren(h("span", { class: "badge", "data-verdict": "WA", "data-state": "attempted" }, t("state.attempted")));
    }
  }
  announceState({ problem: submission.problem, verdict: submission.verdict });
  // This page's own regions too: after a third verdict that is not accepted, the offer to
  // read the model solution.
  if (!submission.visible_only) refreshLiveState();
  if (!solved) return;
  for (const slot of findAll(document, "[data-explanation-slot]")) {
    const response = await fetch(slot.dataset.url, { credentials: "same-origin" });
    if (!response.ok) continue;
    // Server-rendered and sanitised like every explanation; the page's CSP allows no script in it.
    slot.innerHTML = await response.text();
    slot.removeAttribute("data-explanation-slot");
    initMath(slot);
  }
}

/** A finished submission rendered by the server is drawn again from its JSON, with pictures. */
async function redrawFinished(panel) {
  const { detailUrl } = urlsFor(panel, panel.dataset.submissionId);
  try {
    const response = await fetch(detailUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const submission = await response.json();
    if (submission.tests?.some((test) => test.values)) renderSubmission(panel, submission);
  } catch (error) {
    console.warn("the finished submission was left as the server drew it", error);
  }
}

export function initSubmissions(root = document) {
  if (!document.documentElement.hasAttribute("data-solved-listener")) {
    document.documentElement.setAttribute("data-solved-listener", "");
    document.addEventListener("submission:done", showVerdict);
  }
  for (const form of findAll(root, "[data-submission-form]")) {
    if (form.hasAttribute("data-submission-bound")) continue;
    form.setAttribute("data-submission-bound", "");
    if (!form.dataset.apiUrl) {
      console.error("[data-submission-form] needs data-api-url; the form will post normally");
      continue;
    }
    form.addEventListener("submit", onSubmit);
  }
  // A panel rendered for a submission still being graded (e.g. after a reload) follows it too.
  for (const panel of findAll(root, "[data-submission-status][data-submission-id]")) {
    if (panel.hasAttribute("data-submission-followed")) continue;
    panel.setAttribute("data-submission-followed", "");
    const status = panel.dataset.initialStatus || "queued";
    if (!finalStatuses.has(status)) followSubmission(panel, { id: panel.dataset.submissionId, status });
    else redrawFinished(panel);
  }
}
