// Live progress of a validation in the admin (problems/admin/progress.py): every element with
// `data-validation-progress` (its version's progress endpoint) that is live polls it about once
// a second, and draws the step, the grading running, the times and, at the end, the outcome.
// Texts come from the server in the page's language; they are set as text, never as markup
// (mutant names are an author's).
(function () {
  "use strict";
  const POLL_MS = 1000;
  const GIVE_UP_AFTER_FAILURES = 30; // the server is gone for half a minute: stop asking

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  function setText(box, selector, text) {
    const element = box.querySelector(selector);
    if (element) element.textContent = text || "";
  }

  function drawBar(box, data) {
    const bar = box.querySelector(".vp-bar");
    if (!bar) return;
    if (data.state === "queued" || data.total === 0) {
      bar.removeAttribute("value"); // indeterminate: nothing is counted yet
      return;
    }
    bar.max = data.total;
    bar.value = data.done;
  }

  function draw(box, data) {
    box.dataset.state = data.state;
    box.dataset.done = String(data.done);
    box.dataset.total = String(data.total);
    box.dataset.live = String(data.live);
    drawBar(box, data);
    if (box.classList.contains("validation-progress-compact")) {
      if (!data.live) box.querySelector(".vp-bar")?.remove();
      setText(box, ".vp-step", data.live ? data.text.step : data.text.outcome_short);
      return;
    }
    setText(box, ".vp-title", data.text.title);
    setText(box, ".vp-step", data.text.step);
    setText(box, ".vp-current", data.text.current);
    setText(box, ".vp-time", data.text.time);
    const outcome = box.querySelector(".vp-outcome");
    if (outcome) {
      outcome.hidden = !data.text.outcome;
      outcome.classList.toggle("success", data.state === "passed");
      outcome.classList.toggle("error", data.state === "failed" || data.state === "interrupted");
      setText(outcome, ".vp-outcome-text", data.text.outcome);
      const link = outcome.querySelector(".vp-report");
      if (link) link.href = data.report_url;
    }
  }

  async function poll(url) {
    const response = await fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
    });
    if (response.status === 403 || response.status === 404) return null; // not ours to follow
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  }

  // One poll per version, drawn into every element that shows it (the change page's box and
  // its row in the version list).
  async function follow(url, boxes) {
    let failures = 0;
    for (;;) {
      await sleep(POLL_MS);
      let data;
      try {
        data = await poll(url);
      } catch (error) {
        failures += 1;
        if (failures >= GIVE_UP_AFTER_FAILURES) return;
        continue;
      }
      if (data === null) return;
      failures = 0;
      boxes.forEach((box) => draw(box, data));
      if (!data.live) {
        // The Validate page shows the report the server now has.
        if (boxes.some((box) => "reloadOnFinish" in box.dataset)) window.location.reload();
        return;
      }
    }
  }

  const live = new Map();
  document.querySelectorAll("[data-validation-progress]").forEach((box) => {
    if (box.dataset.live !== "true") return;
    const url = box.dataset.validationProgress;
    if (!live.has(url)) live.set(url, []);
    live.get(url).push(box);
  });
  live.forEach((boxes, url) => follow(url, boxes));
})();
