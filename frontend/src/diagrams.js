// Mermaid is large, so dist/mermaid.js is imported only when the page shows a diagram.
import { findAll } from "./dom.js";

const selector = "pre.mermaid, [data-mermaid]";

// Captured while app.js runs: document.currentScript is gone once the script has finished,
// and is null when app.js is loaded with type="module".
const appScript =
  document.querySelector("script[data-mermaid-src]") ??
  document.currentScript ??
  Array.from(document.scripts).find((script) => /\/app(\.[0-9a-f]{8,})?\.js(\?|$)/.test(script.src));
let mermaidLoading = null;

/** dist/mermaid.js: data-mermaid-src on a script tag if the template sets it, else next to app.js. */
function mermaidSource() {
  const explicit = appScript?.dataset.mermaidSrc;
  if (explicit) return explicit;
  if (appScript?.src) return new URL("mermaid.js", appScript.src).href;
  return new URL("mermaid.js", document.baseURI).href;
}

function loadMermaid() {
  // An ES module, so its chunks load relative to its own URL when a diagram type needs them.
  mermaidLoading ??= import(mermaidSource());
  return mermaidLoading;
}

export function initDiagrams(root = document) {
  // Marked at once: a second init (htmx:load) before Mermaid has arrived must not draw twice.
  const nodes = findAll(root, selector).filter((node) => !node.hasAttribute("data-diagram-queued"));
  if (nodes.length === 0) return Promise.resolve();
  for (const node of nodes) node.setAttribute("data-diagram-queued", "");
  return loadMermaid()
    .then((mermaid) => mermaid.render(nodes))
    .catch((error) => console.error("Mermaid diagrams were left as text:", error));
}
