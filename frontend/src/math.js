// Renders $...$, $$...$$, \(...\) and \[...\] inside every [data-math] element with KaTeX.
import renderMathInElement from "katex/contrib/auto-render";
import { findAll } from "./dom.js";

// $$ must come before $ so that display math is not read as two empty inline formulas.
const delimiters = [
  { left: "$$", right: "$$", display: true },
  { left: "\\[", right: "\\]", display: true },
  { left: "\\(", right: "\\)", display: false },
  { left: "$", right: "$", display: false },
];

export function initMath(root = document) {
  for (const element of findAll(root, "[data-math]")) {
    // A nested [data-math] was already rendered with its ancestor.
    if (element.closest("[data-math-rendered]")) continue;
    renderMathInElement(element, {
      delimiters,
      throwOnError: false,
      // The curriculum writes Japanese inside formulas; KaTeX renders it, so don't warn.
      strict: "ignore",
    });
    element.setAttribute("data-math-rendered", "");
  }
}
