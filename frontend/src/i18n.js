// Every string the scripts show comes from the page: <script type="application/json" id="i18n">,
// which the template fills in the learner's language. The scripts carry no English of their own.
import { readJSONScript } from "./dom.js";

let strings = null;
const warned = new Set();

/** Forgets the loaded strings (tests and htmx swaps that replace #i18n). */
export function resetStrings() {
  strings = null;
}

/** The string for key with {placeholders} filled from params; the key itself if the page lacks it. */
export function t(key, params = {}) {
  strings ??= readJSONScript("i18n", {});
  let text = strings[key];
  if (typeof text !== "string") {
    if (!warned.has(key)) {
      warned.add(key);
      console.warn(`#i18n has no string for "${key}"`);
    }
    text = key;
  }
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
}
