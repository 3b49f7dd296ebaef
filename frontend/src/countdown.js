// Countdown for [data-deadline="<ISO time>"]: shows the time left and, at zero, submits the
// quiz form even if some answers are empty (the server grades what was answered).
import { findAll } from "./dom.js";

function format(milliseconds) {
  const total = Math.max(0, Math.ceil(milliseconds / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

function formFor(timer) {
  if (timer.dataset.deadlineForm) return document.getElementById(timer.dataset.deadlineForm);
  return timer.closest("form") ?? document.querySelector("[data-quiz-form]");
}

function expire(timer, form) {
  timer.classList.add("is-expired");
  timer.dispatchEvent(new CustomEvent("quiz:timeout", { bubbles: true }));
  if (!form || form.hasAttribute("data-submitting")) return;
  for (const input of form.querySelectorAll("[data-timeout-input]")) input.value = "1";
  form.setAttribute("data-submitting", "");
  // The prototype's submit skips validation (required answers left empty) and cannot be
  // shadowed by a control named "submit".
  HTMLFormElement.prototype.submit.call(form);
}

function start(timer) {
  const deadline = Date.parse(timer.dataset.deadline);
  if (Number.isNaN(deadline)) {
    console.error(`data-deadline="${timer.dataset.deadline}" is not an ISO time`);
    return;
  }
  // The server's clock decides the deadline; correct for a learner's clock that is off.
  const serverNow = Date.parse(timer.dataset.serverNow ?? "");
  const skew = Number.isNaN(serverNow) ? 0 : serverNow - Date.now();
  const urgentMs = Number(timer.dataset.urgentSeconds ?? 60) * 1000;
  const display = timer.querySelector("[data-countdown-display]") ?? timer;
  const form = formFor(timer);

  const tick = () => {
    const left = deadline - (Date.now() + skew);
    display.textContent = format(left);
    timer.classList.toggle("is-urgent", left <= urgentMs);
    if (left > 0) return;
    clearInterval(interval);
    expire(timer, form);
  };
  const interval = setInterval(tick, 250);
  tick();
}

export function initCountdowns(root = document) {
  for (const timer of findAll(root, "[data-deadline]")) {
    if (timer.hasAttribute("data-countdown-started")) continue;
    timer.setAttribute("data-countdown-started", "");
    start(timer);
  }
}
