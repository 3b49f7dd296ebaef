// Mermaid is large, so dist/mermaid.js is fetched only when the page shows a diagram.
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
  return "mermaid.js";
}

function loadMermaid() {
  mermaidLoading ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = mermaidSource();
    script.async = true;
    script.onload = () => resolve(window.QuizSiteMermaid);
    script.onerror = () => reject(new Error(`could not load ${script.src}`));
    document.head.append(script);
  });
  return mermaidLoading;
}

export function initDiagrams(root = document) {
  const nodes = findAll(root, selector).filter((node) => !node.hasAttribute("data-processed"));
  if (nodes.length === 0) return Promise.resolve();
  return loadMermaid()
    .then((mermaid) => mermaid.render(nodes))
    .catch((error) => console.error("Mermaid diagrams were left as text:", error));
}
