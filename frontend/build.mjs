// Bundles the learner's web app into dist/ with stable file names, offline.
//
//   dist/app.js      math, quiz keys and timer, progress chart, live grading status,
//                    and the loader that fetches dist/mermaid.js only when a page has a diagram
//   dist/app.css     the site's styles with KaTeX's CSS; fonts in dist/katex/fonts/
//   dist/editor.js   CodeMirror 6 for <textarea data-code-editor> (code problem pages only)
//   dist/mermaid.js  Mermaid as an ES module, imported on demand by app.js, with the parts
//                    that only some diagram types need in dist/mermaid-chunks/
//   dist/htmx.js     htmx with the CSRF header set from the csrftoken cookie (opt-in)
//
// The others are classic scripts (IIFE) so that they work from any static URL, hashed or not.
import { rm } from "node:fs/promises";
import * as esbuild from "esbuild";

const outdir = "dist";

const shared = {
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020", "chrome100", "firefox100", "safari15"],
  legalComments: "eof",
  logLevel: "warning",
  outdir,
  metafile: true,
};

const builds = [
  {
    entryPoints: {
      app: "src/app.js",
      editor: "src/editor.js",
      htmx: "src/htmx.js",
    },
    ...shared,
  },
  {
    // An ES module split by diagram type, so a flowchart fetches the flowchart code and not
    // the rest of Mermaid (ELK alone is 1.5 MiB). Chunk names carry their content hash.
    entryPoints: { mermaid: "src/mermaid.js" },
    ...shared,
    format: "esm",
    splitting: true,
    chunkNames: "mermaid-chunks/[name]-[hash]",
  },
  {
    entryPoints: { app: "src/app.css" },
    ...shared,
    format: undefined,
    // KaTeX's stylesheet refers to its fonts; copy them under stable names next to app.css.
    loader: { ".woff2": "file", ".woff": "file", ".ttf": "file" },
    assetNames: "katex/fonts/[name]",
  },
];

await rm(outdir, { recursive: true, force: true });
const results = await Promise.all(builds.map((options) => esbuild.build(options)));

const outputs = results.flatMap((result) => Object.entries(result.metafile.outputs));
const chunks = outputs.filter(([path]) => path.includes("/mermaid-chunks/"));
const listed = outputs.filter(([path]) => !path.includes("/fonts/") && !path.includes("/mermaid-chunks/"));
for (const [path, { bytes }] of listed) {
  console.log(`${path.padEnd(24)} ${(bytes / 1024).toFixed(0).padStart(6)} KiB`);
}
const fonts = outputs.filter(([path]) => path.includes("/fonts/"));
console.log(`${"dist/katex/fonts/*".padEnd(24)} ${String(fonts.length).padStart(6)} files`);
const chunkKiB = chunks.reduce((sum, [, { bytes }]) => sum + bytes, 0) / 1024;
console.log(`${"dist/mermaid-chunks/*".padEnd(24)} ${String(chunks.length).padStart(6)} files, ${chunkKiB.toFixed(0)} KiB`);
