// Talks to the grading API: creates a submission, then follows it to its verdict by
// Server-Sent Events, falling back to polling with ETags when events are not available.
import { csrfToken } from "../dom.js";

export const finalStatuses = new Set(["done", "error"]);

/** Seconds to wait from a Retry-After header (seconds or an HTTP date); null when absent. */
export function retryAfterSeconds(header) {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/**
 * POSTs {code, visible_only}. Resolves to {ok: true, submission} on 202, otherwise to
 * {ok: false, status, detail, retryAfter}; status 0 means the network failed.
 */
export async function createSubmission(url, { code, visibleOnly, form }) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(form),
      },
      body: JSON.stringify({ code, visible_only: visibleOnly }),
    });
  } catch {
    return { ok: false, status: 0, detail: "", retryAfter: null };
  }
  const body = await response.json().catch(() => ({}));
  if (response.ok) return { ok: true, submission: body };
  return {
    ok: false,
    status: response.status,
    detail: typeof body.detail === "string" ? body.detail : "",
    retryAfter: retryAfterSeconds(response.headers.get("Retry-After")),
  };
}

/**
 * Follows submission `id` until its status is final, calling onUpdate(submission) on each change,
 * onProgress(progress) on each progress event of a long grading (polling gets the progress in
 * the submission itself) and onTrouble(isTrouble) when the connection is failing or recovers.
 * Returns stop().
 */
export function watchSubmission(id, { eventsUrl, detailUrl, onUpdate, onProgress = () => {}, onTrouble = () => {}, firstEventMs = 4000 }) {
  let stopped = false;
  let source = null;
  let timer = null;
  let lastSeen = "";

  const stop = () => {
    stopped = true;
    source?.close();
    clearTimeout(timer);
  };
  const deliver = (submission) => {
    const fingerprint = JSON.stringify(submission);
    const changed = fingerprint !== lastSeen;
    lastSeen = fingerprint;
    if (changed) onUpdate(submission);
    if (finalStatuses.has(submission.status)) stop();
    return changed;
  };

  const poll = () => {
    let delay = 1000;
    let etag = null;
    let failures = 0;
    const again = () => {
      if (!stopped) timer = setTimeout(once, delay);
    };
    const once = async () => {
      try {
        const headers = { Accept: "application/json" };
        if (etag) headers["If-None-Match"] = etag;
        const response = await fetch(detailUrl, { credentials: "same-origin", headers, cache: "no-cache" });
        if (stopped) return;
        if (response.status === 304) {
          delay = Math.min(delay * 1.5, 5000);
        } else if (response.ok) {
          etag = response.headers.get("ETag") ?? etag;
          const changed = deliver(await response.json());
          delay = changed ? 1000 : Math.min(delay * 1.5, 5000);
        } else if (response.status === 404 || response.status === 403) {
          // Gone or not ours: asking again will not help.
          onTrouble(true);
          return stop();
        } else {
          throw new Error(`HTTP ${response.status}`);
        }
        if (failures > 0) onTrouble(false);
        failures = 0;
      } catch {
        failures += 1;
        if (failures === 3) onTrouble(true);
        delay = Math.min(delay * 2, 15000);
      }
      again();
    };
    once();
  };

  if (eventsUrl && typeof window.EventSource === "function") {
    source = new EventSource(eventsUrl);
    let heard = false;
    // A proxy that buffers the stream would leave us waiting forever: poll if nothing arrives.
    timer = setTimeout(() => {
      if (heard || stopped) return;
      source.close();
      poll();
    }, firstEventMs);
    source.addEventListener("status", (event) => {
      heard = true;
      try {
        deliver(JSON.parse(event.data));
      } catch (error) {
        console.error("status event is not JSON", error);
      }
    });
    source.addEventListener("progress", (event) => {
      heard = true;
      try {
        if (!stopped) onProgress(JSON.parse(event.data));
      } catch (error) {
        console.error("progress event is not JSON", error);
      }
    });
    source.onerror = () => {
      if (stopped) return;
      source.close();
      clearTimeout(timer);
      poll();
    };
  } else {
    poll();
  }
  return stop;
}
