// Turns <textarea data-code-editor> into a CodeMirror 6 Python editor. The textarea stays in
// the form, hidden and kept in sync, so a plain form post sends the code too.
import { indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { indentUnit } from "@codemirror/language";
import { EditorState, Prec } from "@codemirror/state";
import { EditorView, keymap } from "@codemirror/view";
import { basicSetup } from "codemirror";
import { h, onReady } from "./dom.js";
import { t } from "./i18n.js";

const editors = new Map();

function starterCode(textarea) {
  const script = document.getElementById(textarea.dataset.starterId || "starter-code");
  if (!script) return null;
  // json_script output is a JSON string; a text/plain script holds the code as it is.
  if (script.type === "application/json") {
    try {
      return JSON.parse(script.textContent);
    } catch {
      return null;
    }
  }
  return script.textContent.replace(/^\n/, "");
}

const drafts = {
  load(key) {
    try {
      return key ? localStorage.getItem(key) : null;
    } catch {
      return null; // storage disabled (private mode, policies): the editor still works
    }
  },
  save(key, code) {
    try {
      if (key) localStorage.setItem(key, code);
    } catch {
      /* quota or disabled storage: losing a draft is better than breaking typing */
    }
  },
  clear(key) {
    try {
      if (key) localStorage.removeItem(key);
    } catch {
      /* see save */
    }
  },
};

function showNote(textarea, wrapper, key) {
  const slot = document.querySelector(`[data-editor-note="${textarea.id}"]`) || document.querySelector("[data-editor-note]");
  const text = h("p", { class: "note note--info editor-note", role: "status", "data-note": key }, t(key));
  if (slot) slot.replaceChildren(text);
  else wrapper.before(text);
}

function submitShortcut(textarea) {
  return () => {
    const form = textarea.form;
    if (!form) return false;
    const button = form.querySelector("[data-submit-shortcut]");
    form.requestSubmit(button && button.form === form ? button : null);
    return true;
  };
}

function mount(textarea) {
  const draftKey = textarea.dataset.draftKey || "";
  const starter = starterCode(textarea);
  const draft = drafts.load(draftKey);
  const restored = draft !== null && draft !== textarea.value;
  let saveTimer = null;

  const wrapper = h("div", { class: "code-editor", "data-code-editor-for": textarea.id || null });
  textarea.after(wrapper);
  textarea.hidden = true;
  // A hidden required textarea would block submission with an error the learner cannot see.
  textarea.required = false;

  const view = new EditorView({
    parent: wrapper,
    state: EditorState.create({
      doc: restored ? draft : textarea.value,
      extensions: [
        Prec.highest(keymap.of([{ key: "Mod-Enter", run: submitShortcut(textarea), preventDefault: true }])),
        basicSetup,
        keymap.of([indentWithTab]),
        python(),
        indentUnit.of("    "),
        EditorState.tabSize.of(4),
        EditorView.contentAttributes.of({ "aria-label": textarea.getAttribute("aria-label") || t("editor.label") }),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged) return;
          const code = update.state.doc.toString();
          textarea.value = code;
          clearTimeout(saveTimer);
          saveTimer = setTimeout(() => {
            if (code === starter) drafts.clear(draftKey);
            else drafts.save(draftKey, code);
          }, 300);
        }),
      ],
    }),
  });
  textarea.value = view.state.doc.toString();
  if (restored) showNote(textarea, wrapper, "editor.draft_restored");

  const resetToStarter = () => {
    if (starter === null) return;
    // One transaction, so Ctrl+Z brings the learner's code back.
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: starter } });
    drafts.clear(draftKey);
    showNote(textarea, wrapper, "editor.reset_done");
    view.focus();
  };
  const editor = { view, textarea, resetToStarter };
  wrapper.quizEditor = editor;
  editors.set(textarea, editor);
  return editor;
}

function initResetButtons() {
  for (const button of document.querySelectorAll("[data-reset-starter]")) {
    const target = button.dataset.resetStarter ? document.getElementById(button.dataset.resetStarter) : null;
    const textarea = target || button.form?.querySelector("textarea[data-code-editor]") || editors.keys().next().value;
    const editor = editors.get(textarea);
    if (!editor) continue;
    button.type = "button";
    button.addEventListener("click", editor.resetToStarter);
  }
}

function initEditors() {
  for (const textarea of document.querySelectorAll("textarea[data-code-editor]")) {
    if (!editors.has(textarea)) mount(textarea);
  }
  initResetButtons();
  document.documentElement.setAttribute("data-editor-ready", "");
}

onReady(initEditors);

window.QuizSiteEditor = { get: (textarea) => editors.get(textarea) };
