// The lazily loaded Mermaid bundle. app.js calls window.QuizSiteMermaid.render(nodes).
import mermaid from "mermaid";

mermaid.initialize({
  startOnLoad: false,
  securityLevel: "strict",
  theme: "neutral",
  fontFamily: "inherit",
});

window.QuizSiteMermaid = {
  async render(nodes) {
    for (const node of nodes) node.classList.add("mermaid");
    await mermaid.run({ nodes, suppressErrors: true });
    for (const node of nodes) node.classList.add("mermaid--rendered");
  },
};
