// Score-over-time chart drawn as inline SVG into [data-progress-chart] from
// <script type="application/json" id="progress-data"> holding [{date, score, max_score}, ...].
import { findAll, readJSONScript } from "./dom.js";
import { t } from "./i18n.js";

const svgNS = "http://www.w3.org/2000/svg";
const height = 220;
const pad = { top: 16, right: 16, bottom: 36, left: 48 };

function svg(tag, attributes = {}, text = null) {
  const element = document.createElementNS(svgNS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== null) element.textContent = text;
  return element;
}

/** Valid entries as {time, percent, entry}, oldest first. */
function points(data) {
  return (Array.isArray(data) ? data : [])
    .map((entry) => ({ time: Date.parse(entry.date), entry }))
    .filter(({ time, entry }) => !Number.isNaN(time) && Number(entry.max_score) > 0)
    .map(({ time, entry }) => ({
      time,
      entry,
      percent: Math.min(100, Math.max(0, (100 * Number(entry.score)) / Number(entry.max_score))),
    }))
    .sort((a, b) => a.time - b.time);
}

function draw(container, series) {
  // Drawn at the container's own width so that the labels keep their size on any screen.
  const width = Math.max(240, Math.round(container.clientWidth || 640));
  const dateFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    month: "short",
    day: "numeric",
  });
  const first = series[0].time;
  const span = series[series.length - 1].time - first;
  const plotWidth = width - pad.left - pad.right;
  const plotHeight = height - pad.top - pad.bottom;
  const x = (time) => pad.left + (span === 0 ? plotWidth / 2 : ((time - first) / span) * plotWidth);
  const y = (percent) => pad.top + plotHeight * (1 - percent / 100);

  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "progress-chart",
    role: "img",
    "aria-label": container.dataset.label || t("chart.label"),
  });
  for (const percent of [0, 50, 100]) {
    chart.append(svg("line", { class: "progress-chart__grid", x1: pad.left, x2: width - pad.right, y1: y(percent), y2: y(percent) }));
    chart.append(svg("text", { class: "progress-chart__axis", x: pad.left - 8, y: y(percent) + 4, "text-anchor": "end" }, `${percent}%`));
  }
  const firstLabel = dateFormat.format(first);
  const lastLabel = dateFormat.format(series[series.length - 1].time);
  // A single day's point sits in the middle, its date under it.
  const firstAt = span === 0 ? { x: x(first), anchor: "middle" } : { x: pad.left, anchor: "start" };
  chart.append(svg("text", { class: "progress-chart__axis", x: firstAt.x, y: height - 10, "text-anchor": firstAt.anchor }, firstLabel));
  if (span > 0 && lastLabel !== firstLabel) {
    chart.append(svg("text", { class: "progress-chart__axis", x: width - pad.right, y: height - 10, "text-anchor": "end" }, lastLabel));
  }
  const path = series.map((point, index) => `${index === 0 ? "M" : "L"}${x(point.time).toFixed(1)},${y(point.percent).toFixed(1)}`);
  chart.append(svg("path", { class: "progress-chart__line", d: path.join(" "), fill: "none" }));
  for (const point of series) {
    const dot = svg("circle", { class: "progress-chart__point", cx: x(point.time), cy: y(point.percent), r: 4 });
    const when = new Date(point.time).toLocaleString(document.documentElement.lang || undefined);
    dot.append(svg("title", {}, t("chart.point", { date: when, score: point.entry.score, max_score: point.entry.max_score })));
    chart.append(dot);
  }
  container.replaceChildren(chart);
}

function render(container) {
  container.dataset.chartWidth = String(container.clientWidth);
  const series = points(readJSONScript(container.dataset.source || "progress-data", []));
  if (series.length > 0) {
    draw(container, series);
    return;
  }
  const empty = document.createElement("p");
  empty.className = "progress-chart__empty";
  empty.textContent = t("chart.empty");
  container.replaceChildren(empty);
}

const resized = new ResizeObserver((entries) => {
  for (const { target } of entries) {
    const drawnAt = Number(target.dataset.chartWidth);
    if (Math.abs(target.clientWidth - drawnAt) > 8) render(target);
  }
});

export function initCharts(root = document) {
  for (const container of findAll(root, "[data-progress-chart]")) {
    render(container);
    resized.observe(container);
  }
}
