// Keyboard answering for [data-quiz-form]: 1-9 pick a choice, arrow keys move between choices,
// Enter submits. Keys typed into text fields (numeric and text answers, IME input) are left alone.
import { findAll } from "./dom.js";

const textEntry = 'input:not([type="radio"]):not([type="checkbox"]), textarea, select, [contenteditable]';
let listening = false;

function choicesOf(form) {
  return Array.from(form.querySelectorAll('input[type="radio"], input[type="checkbox"]')).filter(
    (input) => !input.disabled,
  );
}

/** The quiz form a key press belongs to: the one holding focus, else the page's only quiz. */
function activeQuizForm(target) {
  const own = target.closest?.("[data-quiz-form]");
  if (own) return own;
  const forms = document.querySelectorAll("[data-quiz-form]");
  return forms.length === 1 ? forms[0] : null;
}

function pick(choice) {
  choice.focus();
  if (choice.type === "checkbox") choice.checked = !choice.checked;
  else choice.checked = true;
  choice.dispatchEvent(new Event("input", { bubbles: true }));
  choice.dispatchEvent(new Event("change", { bubbles: true }));
}

function move(choices, step) {
  const current = choices.indexOf(document.activeElement);
  const checked = choices.findIndex((choice) => choice.checked);
  const from = current >= 0 ? current : checked;
  const next = from < 0 ? (step > 0 ? 0 : choices.length - 1) : (from + step + choices.length) % choices.length;
  const choice = choices[next];
  if (choice.type === "radio") pick(choice);
  else choice.focus();
}

function onKeyDown(event) {
  if (event.defaultPrevented || event.isComposing || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target.closest?.(textEntry)) return;
  const form = activeQuizForm(target);
  if (!form) return;
  const choices = choicesOf(form);

  if (/^[1-9]$/.test(event.key) && choices.length > 0) {
    const choice = choices[Number(event.key) - 1];
    if (!choice) return;
    event.preventDefault();
    pick(choice);
  } else if (["ArrowDown", "ArrowRight", "ArrowUp", "ArrowLeft"].includes(event.key)) {
    // A focused radio already moves with the arrow keys natively.
    if (choices.length === 0 || target.type === "radio") return;
    event.preventDefault();
    move(choices, event.key === "ArrowDown" || event.key === "ArrowRight" ? 1 : -1);
  } else if (event.key === "Enter") {
    if (target.closest("button, a, summary")) return;
    event.preventDefault();
    const submitter = form.querySelector("[data-submit-shortcut]");
    // After an answer is revealed the shortcut is a link to a fresh page ("Answer again").
    if (submitter && submitter.tagName === "A") return submitter.click();
    form.requestSubmit(submitter && submitter.form === form ? submitter : null);
  }
}

export function initQuiz(root = document) {
  for (const form of findAll(root, "[data-quiz-form]")) {
    // Number hints next to the choices ("1", "2", ...), drawn by CSS from data-key.
    choicesOf(form).forEach((choice, index) => {
      const label = choice.closest("label");
      if (label && index < 9) label.dataset.key = String(index + 1);
    });
    // One submission per answer: a double press of Enter must not answer twice.
    if (!form.hasAttribute("data-quiz-bound")) {
      form.setAttribute("data-quiz-bound", "");
      form.addEventListener("submit", (event) => {
        if (form.hasAttribute("data-submitting")) event.preventDefault();
        else if (!form.hasAttribute("hx-post")) form.setAttribute("data-submitting", "");
      });
    }
  }
  if (!listening) {
    listening = true;
    document.addEventListener("keydown", onKeyDown);
    // Coming back with the browser's back button restores the page as it was: allow answering.
    window.addEventListener("pageshow", () => {
      for (const form of document.querySelectorAll("[data-submitting]")) form.removeAttribute("data-submitting");
    });
  }
}
