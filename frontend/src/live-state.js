// Pages that show the learner's state (the problem list, the dashboard, the home page's
// progress, a problem's badge) follow verdicts without a reload. A verdict in one tab is
// announced on a BroadcastChannel; every open page re-reads its [data-live-state][id] regions
// from the server and swaps them in. A page restored from the back/forward cache does the
// same, since it was frozen while the verdict came, and so does a page that back or forward
// took from the HTTP cache.
import { findAll } from "./dom.js";

const CHANNEL = "quizsite:state";
const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL) : null;
let refreshing = null;

/** Tells the other open pages that the learner's state of `problem` changed. */
export function announceState(detail) {
  try {
    channel?.postMessage(detail);
  } catch (error) {
    console.warn("state not announced", error);
  }
}

async function refreshRegions() {
  const regions = findAll(document.body, "[data-live-state][id]");
  if (regions.length === 0) return;
  const response = await fetch(window.location.href, { credentials: "same-origin", cache: "no-store" });
  if (!response.ok) return;
  // The page's own server-rendered HTML (same origin, sanitised like the first load); the
  // parser runs no script, and the CSP allows none inline anyway.
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  for (const region of regions) {
    const replacement = fresh.getElementById(region.id);
    if (!replacement) continue;
    const node = document.importNode(replacement, true);
    region.replaceWith(node);
    window.QuizSite?.init(node);
  }
  document.documentElement.setAttribute("data-live-state-refreshed", String(Date.now()));
}

/** Re-reads this page's live regions from the server (after a verdict on this page). */
export function refresh() {
  // One refresh at a time; a verdict arriving during one is covered by the next.
  refreshing = (refreshing ?? Promise.resolve())
    .then(refreshRegions)
    .catch((error) => console.warn("live state not refreshed", error));
  return refreshing;
}

export function initLiveState(root = document) {
  if (!document.documentElement.hasAttribute("data-live-state-listener")) {
    document.documentElement.setAttribute("data-live-state-listener", "");
    if (channel) channel.onmessage = () => refresh();
    window.addEventListener("pageshow", (event) => {
      if (event.persisted) refresh();
    });
    // Back and forward may also take the page from the HTTP cache, without the bfcache.
    const navigation = performance.getEntriesByType?.("navigation")?.[0];
    if (navigation?.type === "back_forward") refresh();
  }
  // A page rendered after an answer (choice, numeric, text) announces it once.
  for (const element of findAll(root, "[data-announce-state]")) {
    if (element.hasAttribute("data-announced")) continue;
    element.setAttribute("data-announced", "");
    announceState({ problem: element.dataset.announceState, correct: element.dataset.correct === "true" });
  }
}
