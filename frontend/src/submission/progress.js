// A long grading's live progress in the status panel: a training exercise's step k of N, its
// loss so far as a live chart, and the time left. The state comes from the API (`progress` of
// a running submission, or the event stream's `progress` events: problems/progress.py).
import uPlot from "uplot";
import { h } from "../dom.js";
import { t } from "../i18n.js";

const charts = new WeakMap(); // [data-live-loss-chart] slot -> its uPlot
const progressStates = new WeakMap(); // [data-training-progress] box -> the progress it shows

function lossText(value) {
  if (typeof value !== "number" || !Number.isFinite(value)) return "–";
  return Math.abs(value) >= 0.01 && Math.abs(value) < 1000 ? value.toFixed(4) : value.toExponential(2);
}

/** The seconds left now: the estimate when it came, less the time since (never below zero). */
function secondsLeft(progress, receivedAt) {
  if (typeof progress.eta_seconds !== "number") return null;
  return Math.max(0, progress.eta_seconds - (Date.now() - receivedAt) / 1000);
}

function etaText(progress, receivedAt) {
  const left = secondsLeft(progress, receivedAt);
  if (left === null) return t("progress.eta_unknown");
  if (left < 1) return t("progress.eta_soon");
  return t("progress.eta", { seconds: Math.ceil(left) });
}

function stepText(progress) {
  if (progress.phase !== "train") return t("progress.hidden");
  const text = t("progress.train", { step: progress.step, total: progress.total });
  if (progress.parts > 1 && progress.part > 0) {
    return `${text} · ${t("progress.retry", { part: progress.part + 1, parts: progress.parts })}`;
  }
  return text;
}

function lossSeries(progress) {
  const points = Array.isArray(progress.losses) ? progress.losses : [];
  const xs = [];
  const ys = [];
  for (const point of points) {
    if (!Array.isArray(point) || !Number.isFinite(point[0]) || !Number.isFinite(point[1])) continue;
    xs.push(point[0]);
    ys.push(point[1]);
  }
  return [xs, ys];
}

function drawChart(slot, data) {
  const positive = data[1].every((v) => v > 0);
  const width = Math.max(240, Math.min(560, (slot.clientWidth || 560) - 8));
  const chart = new uPlot(
    {
      width,
      height: 160,
      scales: { x: { time: false }, y: positive ? { distr: 3 } : {} },
      axes: [{ label: t("chart.step") }, { size: 56 }],
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      series: [{ label: t("chart.step") }, { label: t("chart.series.loss"), stroke: "#1f5fbf", width: 2 }],
    },
    data,
    slot,
  );
  charts.set(slot, chart);
}

function updateChart(slot, progress) {
  const data = lossSeries(progress);
  const figure = slot.closest("figure") ?? slot;
  figure.hidden = data[0].length < 2;
  if (figure.hidden) return;
  slot.setAttribute("aria-label", t("progress.chart_alt", { first: lossText(data[1][0]), last: lossText(data[1].at(-1)), steps: data[0].at(-1) }));
  const chart = charts.get(slot);
  if (chart) chart.setData(data);
  else if (slot.isConnected) drawChart(slot, data);
  else requestAnimationFrame(() => slot.isConnected && !charts.get(slot) && drawChart(slot, lossSeries(progress)));
}

/** Writes `progress` into an existing [data-training-progress] box. */
function fill(box, progress, receivedAt) {
  box.dataset.phase = progress.phase;
  box.dataset.receivedAt = String(receivedAt);
  const bar = box.querySelector("progress");
  if (progress.phase === "train" && progress.total > 0) {
    bar.max = progress.total;
    bar.value = progress.step;
  } else {
    bar.removeAttribute("value"); // indeterminate: the hidden tests report no steps
    bar.removeAttribute("max");
  }
  box.querySelector("[data-progress-step]").textContent = stepText(progress);
  const loss = box.querySelector("[data-progress-loss]");
  loss.hidden = progress.phase !== "train" || typeof progress.loss !== "number";
  loss.textContent = t("progress.loss", { loss: lossText(progress.loss) });
  box.querySelector("[data-progress-eta]").textContent = etaText(progress, receivedAt);
  updateChart(box.querySelector("[data-live-loss-chart]"), progress);
  progressStates.set(box, progress);
}

/** The progress box for a running submission, or null when there is none to show. */
export function progressView(progress, receivedAt = Date.now()) {
  if (!progress || (progress.phase !== "train" && progress.phase !== "hidden")) return null;
  const box = h(
    "section",
    { class: "training-progress", "data-training-progress": "", "aria-label": t("progress.title") },
    h("h3", { class: "training-progress__title" }, t("progress.title")),
    h("progress", { class: "training-progress__bar" }),
    h(
      "p",
      { class: "training-progress__line" },
      h("span", { "data-progress-step": "" }),
      " ",
      h("span", { class: "training-progress__loss", "data-progress-loss": "" }),
      " ",
      h("span", { class: "training-progress__eta", "data-progress-eta": "" }),
    ),
    h(
      "figure",
      { class: "picture picture--chart training-progress__chart" },
      h("figcaption", {}, t("progress.chart")),
      h("div", { class: "line-chart", role: "img", "data-live-loss-chart": "" }),
    ),
  );
  fill(box, progress, receivedAt);
  return box;
}

/** Updates the panel's progress box in place; false when it has none (the caller redraws). */
export function updateProgress(panel, progress, receivedAt = Date.now()) {
  const box = panel.querySelector("[data-training-progress]");
  if (!box || !progress) return false;
  fill(box, progress, receivedAt);
  return true;
}

/** Counts the time left down between two reports (called every second while grading). */
export function tickProgress(panel) {
  const box = panel.querySelector("[data-training-progress]");
  const progress = box && progressStates.get(box);
  if (!progress) return;
  box.querySelector("[data-progress-eta]").textContent = etaText(progress, Number(box.dataset.receivedAt));
}
