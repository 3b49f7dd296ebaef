// The lazily loaded Mermaid module: app.js imports it and calls render(nodes).
import mermaid from "mermaid";

mermaid.initialize({
  startOnLoad: false,
  securityLevel: "strict",
  theme: "neutral",
  fontFamily: "inherit",
  // Mermaid 12 lays out with ELK by default (1.5 MiB more to fetch); the seed's diagrams were
  // drawn with dagre, the default before, and look as their author saw them with it.
  layout: "dagre",
});

export async function render(nodes) {
  for (const node of nodes) node.classList.add("mermaid");
  await mermaid.run({ nodes, suppressErrors: true });
  // Mermaid marks a node data-processed when it starts; this says the drawing is finished.
  for (const node of nodes) if (node.querySelector("svg")) node.setAttribute("data-diagram-rendered", "");
}
