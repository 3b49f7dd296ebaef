// Small helpers shared by the modules. Every module initialises on a root element so that
// content swapped in later (htmx) can be initialised the same way as the first page load.

/** Runs fn once the DOM is parsed (immediately if it already is). */
export function onReady(fn) {
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fn, { once: true });
  } else {
    fn();
  }
}

/** Elements matching selector inside root, root itself included. */
export function findAll(root, selector) {
  const found = root.matches?.(selector) ? [root] : [];
  return found.concat(Array.from(root.querySelectorAll(selector)));
}

/** Parses the JSON of <script type="application/json" id="...">, or returns fallback. */
export function readJSONScript(id, fallback = null) {
  const script = document.getElementById(id);
  if (!script) return fallback;
  try {
    return JSON.parse(script.textContent);
  } catch (error) {
    console.error(`#${id} does not hold valid JSON`, error);
    return fallback;
  }
}

/** Creates an element with attributes and children (strings become text, never HTML). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") element.className = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** The CSRF token Django expects in X-CSRFToken: the csrftoken cookie, else a form's hidden input. */
export function csrfToken(form = document) {
  const cookie = document.cookie
    .split(";")
    .map((part) => part.trim())
    .find((part) => part.startsWith("csrftoken="));
  if (cookie) return decodeURIComponent(cookie.slice("csrftoken=".length));
  const input = form.querySelector?.('input[name="csrfmiddlewaretoken"]');
  return input ? input.value : "";
}
