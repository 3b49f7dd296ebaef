// The script every page loads. Each feature starts from data attributes, on first load and again
// on content that htmx swaps in, so templates opt in by markup alone (see ../README.md).
import { initCharts } from "./chart.js";
import { initCountdowns } from "./countdown.js";
import { initDiagrams } from "./diagrams.js";
import { findAll, onReady } from "./dom.js";
import { initLiveState } from "./live-state.js";
import { initMath } from "./math.js";
import { initQuiz } from "./quiz.js";
import { initSubmissions } from "./submission/index.js";

/** <select data-autosubmit> (the language switch) submits its form when changed. */
function initAutosubmit(root) {
  for (const control of findAll(root, "[data-autosubmit]")) {
    if (control.hasAttribute("data-autosubmit-bound")) continue;
    control.setAttribute("data-autosubmit-bound", "");
    control.addEventListener("change", () => control.form?.requestSubmit());
    // The submit button is only for pages without JavaScript.
    for (const button of control.form?.querySelectorAll("[data-autosubmit-fallback]") ?? []) button.hidden = true;
  }
}

/** <form data-clear-drafts> (log out) removes the code drafts this browser kept, so the next
 * person at a shared computer does not find them. */
function initClearDrafts(root) {
  for (const form of findAll(root, "form[data-clear-drafts]")) {
    if (form.hasAttribute("data-clear-drafts-bound")) continue;
    form.setAttribute("data-clear-drafts-bound", "");
    form.addEventListener("submit", () => {
      try {
        for (const key of Object.keys(localStorage)) if (key.startsWith("draft:")) localStorage.removeItem(key);
      } catch {
        /* storage disabled: there are no drafts to remove */
      }
    });
  }
}

function initAll(root) {
  const steps = [initAutosubmit, initClearDrafts, initMath, initDiagrams, initQuiz, initCountdowns, initCharts, initSubmissions, initLiveState];
  for (const step of steps) {
    // One broken feature must not keep the others from starting.
    try {
      step(root);
    } catch (error) {
      console.error(`${step.name} failed`, error);
    }
  }
  document.documentElement.setAttribute("data-app-ready", "");
}

onReady(() => initAll(document.body));
document.addEventListener("htmx:load", (event) => initAll(event.detail.elt));

window.QuizSite = { init: initAll };
