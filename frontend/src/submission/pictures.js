// Pictures of a visible test's values (the engine's `values`: engine/checks/pictures.py):
// expected, got and |difference| as canvas heatmaps with the first differing index marked
// and a colour scale; images for augmentation problems; uPlot line charts for training
// (the loss curve, a held-out window). Every picture has a text alternative, and the numbers
// that differ are listed in a table below them.
import uPlot from "uplot";
import { h } from "../dom.js";
import { t } from "../i18n.js";

const HEAT_WIDTH = 136; // CSS pixels a heatmap aims for
const IMAGE_WIDTH = 112;
const MAX_IMAGES = 6; // of a batch (N, H, W, C)

/** The engine's numbers: "NaN", "Infinity" and "-Infinity" arrive as strings. */
function num(value) {
  if (typeof value === "number") return value;
  if (value === "Infinity") return Infinity;
  if (value === "-Infinity") return -Infinity;
  return NaN;
}

function fmt(value) {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "∞" : "-∞";
  if (value !== 0 && (Math.abs(value) >= 1e4 || Math.abs(value) < 1e-3)) return value.toExponential(2);
  return String(Number(value.toPrecision(3)));
}

function shapeText(shape) {
  return `(${shape.join(", ")}${shape.length === 1 ? "," : ""})`;
}

/** A 1-D, 2-D or n-D shape as rows × columns: the last axis across, the others down. */
function grid(shape) {
  const cols = shape.length ? shape[shape.length - 1] : 1;
  const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  return { rows, cols };
}

function extent(values) {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : { min: 0, max: 0 };
}

// Diverging blue - white - red for values, white - dark orange for |difference|.
function diverging(v, bound) {
  const x = bound > 0 ? Math.max(-1, Math.min(1, v / bound)) : 0;
  const a = Math.abs(x);
  return x < 0 ? [255 - 196 * a, 255 - 150 * a, 255 - 40 * a] : [255 - 40 * a, 255 - 190 * a, 255 - 200 * a];
}

function sequential(v, max) {
  const x = max > 0 ? Math.max(0, Math.min(1, v / max)) : 0;
  return [255 - 88 * x, 255 - 185 * x, 255 - 235 * x];
}

function colourOf(v, scale) {
  if (Number.isNaN(v)) return [150, 150, 150];
  if (v === Infinity) return scale.kind === "abs" ? [120, 40, 0] : [140, 20, 20];
  if (v === -Infinity) return [20, 40, 140];
  return scale.kind === "abs" ? sequential(v, scale.max) : diverging(v, scale.bound);
}

function heatCanvas(values, shape, scale, mark) {
  const { rows, cols } = grid(shape);
  const cell = Math.max(3, Math.min(24, Math.floor(HEAT_WIDTH / Math.max(cols, 1))));
  const canvas = h("canvas", { class: "heatmap", width: cols * cell, height: rows * cell });
  const ctx = canvas.getContext("2d");
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) {
      const [R, G, B] = colourOf(values[r * cols + c], scale);
      ctx.fillStyle = `rgb(${R | 0}, ${G | 0}, ${B | 0})`;
      ctx.fillRect(c * cell, r * cell, cell, cell);
    }
  }
  if (mark !== null) {
    const r = Math.floor(mark / cols);
    const c = mark % cols;
    ctx.lineWidth = 2;
    ctx.strokeStyle = "#111";
    ctx.strokeRect(c * cell + 1, r * cell + 1, cell - 2, cell - 2);
    ctx.strokeStyle = "#ffd400";
    ctx.lineWidth = 1;
    ctx.strokeRect(c * cell - 1.5, r * cell - 1.5, cell + 3, cell + 3);
  }
  return canvas;
}

function scaleBar(scale) {
  const width = 72;
  const canvas = h("canvas", { class: "scale-bar__ramp", width, height: 8, "aria-hidden": "true" });
  const ctx = canvas.getContext("2d");
  const [lo, hi] = scale.kind === "abs" ? [0, scale.max] : [-scale.bound, scale.bound];
  for (let x = 0; x < width; x += 1) {
    const [R, G, B] = colourOf(lo + ((hi - lo) * x) / (width - 1), scale);
    ctx.fillStyle = `rgb(${R | 0}, ${G | 0}, ${B | 0})`;
    ctx.fillRect(x, 0, 1, 8);
  }
  return h(
    "span",
    { class: "scale-bar", title: t("pictures.scale", { min: fmt(lo), max: fmt(hi) }) },
    h("span", {}, fmt(lo)),
    canvas,
    h("span", {}, fmt(hi)),
  );
}

/** Pixels of an (H, W, C) image, or a row of the first images of (N, H, W, C). */
function imageCanvas(values, shape, dtype) {
  const batch = shape.length === 4;
  const [n, hgt, wid, ch] = batch ? [Math.min(shape[0], MAX_IMAGES), ...shape.slice(1)] : [1, ...shape];
  const gap = batch ? 1 : 0;
  const total = n * wid + (n - 1) * gap;
  const scale = Math.max(1, Math.floor(IMAGE_WIDTH / Math.max(wid, 1) / Math.sqrt(n)));
  const canvas = h("canvas", { class: "picture-image", width: total, height: hgt });
  canvas.style.width = `${total * scale}px`;
  canvas.style.height = `${hgt * scale}px`;
  const ctx = canvas.getContext("2d");
  const pixels = ctx.createImageData(total, hgt);
  const level = (v) => {
    const x = dtype === "uint8" ? v : v * 255;
    return Number.isFinite(x) ? Math.max(0, Math.min(255, Math.round(x))) : 0;
  };
  for (let k = 0; k < n; k += 1) {
    for (let y = 0; y < hgt; y += 1) {
      for (let x = 0; x < wid; x += 1) {
        const base = ((k * hgt + y) * wid + x) * ch;
        const out = (y * total + k * (wid + gap) + x) * 4;
        const r = level(values[base]);
        pixels.data[out] = r;
        pixels.data[out + 1] = ch >= 3 ? level(values[base + 1]) : r;
        pixels.data[out + 2] = ch >= 3 ? level(values[base + 2]) : r;
        pixels.data[out + 3] = ch === 4 ? level(values[base + 3]) : 255;
      }
    }
  }
  ctx.putImageData(pixels, 0, 0);
  return canvas;
}

function figure(what, name, shape, values, body, extra = null) {
  const { min, max } = extent(values);
  const alt = t("pictures.alt", { what, name, shape: shapeText(shape), min: fmt(min), max: fmt(max) });
  body.setAttribute("role", "img");
  body.setAttribute("aria-label", alt);
  return h("figure", { class: "picture", "data-picture": what }, body, h("figcaption", {}, what), extra);
}

function drawArray(what, name, shape, values, kind, dtype, scale, mark) {
  if (kind === "image") return figure(what, name, shape, values, imageCanvas(values, shape, dtype));
  return figure(what, name, shape, values, heatCanvas(values, shape, scale, mark), scaleBar(scale));
}

/** Index (C order) of a flat position, as the engine writes it: (i, j, ...). */
function indexOf(position, shape) {
  const index = [];
  for (let axis = shape.length - 1; axis >= 0; axis -= 1) {
    index.unshift(position % shape[axis]);
    position = Math.floor(position / shape[axis]);
  }
  return index;
}

function flatIndex(index, shape) {
  return index.reduce((flat, i, axis) => flat * shape[axis] + i, 0);
}

function numbersTable(expected, got, diff, shape) {
  const rows = [];
  for (let k = 0; k < diff.length && rows.length < 12; k += 1) {
    if (diff[k] === 0) continue;
    rows.push(
      h(
        "tr",
        {},
        h("td", {}, shapeText(indexOf(k, shape))),
        h("td", { class: "num" }, fmt(expected[k])),
        h("td", { class: "num" }, fmt(got[k])),
        h("td", { class: "num" }, fmt(diff[k])),
      ),
    );
  }
  if (rows.length === 0) return null;
  return h(
    "details",
    { class: "picture-numbers" },
    h("summary", {}, t("pictures.numbers")),
    h(
      "table",
      { class: "data-table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["pictures.index", "pictures.expected", "pictures.got", "pictures.diff"].map((key) => h("th", { scope: "col" }, t(key))),
        ),
      ),
      h("tbody", {}, rows),
    ),
  );
}

function outputPictures(picture, leading = []) {
  const name = picture.name ?? "result";
  const label = name === "result" ? "" : name;
  const head = h("p", { class: "picture-group__title" }, label ? h("code", {}, label) : null, " ", shapeText(picture.shape));
  if (picture.omitted) {
    const note = h("p", { class: "muted" }, t("pictures.omitted", { shape: shapeText(picture.shape) }));
    return h("div", { class: "picture-group" }, head, leading.length ? h("div", { class: "picture-row" }, leading) : null, note);
  }
  const expected = picture.expected.map(num);
  const got = Array.isArray(picture.got) ? picture.got.map(num) : null;
  const gotShape = picture.got_shape ?? picture.shape;
  const sameShape = got !== null && shapeText(gotShape) === shapeText(picture.shape);
  const figures = [...leading];
  const notes = [];
  const both = extent(got && sameShape ? expected.concat(got) : expected);
  const scale = { kind: "value", bound: Math.max(Math.abs(both.min), Math.abs(both.max)) };
  const mark = picture.first_diff ? flatIndex(picture.first_diff, picture.shape) : null;
  figures.push(drawArray(t("pictures.expected"), label, picture.shape, expected, picture.kind, picture.dtype, scale, mark));
  if (got === null) {
    notes.push(t("pictures.not_array"));
  } else if (!sameShape) {
    const gotKind = picture.kind === "image" && [3, 4].includes(gotShape.length) && [1, 3, 4].includes(gotShape[gotShape.length - 1]) ? "image" : "heatmap";
    const own = extent(got);
    const gotScale = { kind: "value", bound: Math.max(Math.abs(own.min), Math.abs(own.max)) };
    figures.push(drawArray(t("pictures.got"), label, gotShape, got, gotKind, picture.dtype, gotScale, null));
    notes.push(t("pictures.shape_differs", { got: shapeText(gotShape), expected: shapeText(picture.shape) }));
  } else {
    figures.push(drawArray(t("pictures.got"), label, picture.shape, got, picture.kind, picture.dtype, scale, mark));
    const diff = got.map((g, k) => (Number.isNaN(g) && Number.isNaN(expected[k]) ? 0 : Math.abs(g - expected[k])));
    const cleaned = diff.map((d) => (Number.isNaN(d) ? Infinity : d));
    // |difference| of an image: the largest over its channels, drawn as a heatmap of (H, W).
    let diffShape = picture.shape;
    let diffValues = cleaned;
    if (picture.kind === "image") {
      const channels = picture.shape[picture.shape.length - 1];
      diffShape = picture.shape.slice(0, -1);
      diffValues = [];
      for (let k = 0; k < cleaned.length; k += channels) diffValues.push(Math.max(...cleaned.slice(k, k + channels)));
    }
    const diffMark = mark === null ? null : picture.kind === "image" ? Math.floor(mark / picture.shape[picture.shape.length - 1]) : mark;
    const diffScale = { kind: "abs", max: extent(diffValues).max };
    figures.push(drawArray(t("pictures.diff"), label, diffShape, diffValues, "heatmap", "float64", diffScale, diffMark));
    notes.push(
      picture.first_diff ? t("pictures.first_diff", { index: shapeText(picture.first_diff) }) : t("pictures.no_diff"),
    );
    // The message names the largest error: say where it is too, when it is elsewhere.
    const largest = cleaned.reduce((best, d, k) => (d > cleaned[best] ? k : best), 0);
    if (picture.first_diff && largest !== mark && cleaned[largest] > 0) {
      notes.push(t("pictures.largest_diff", { index: shapeText(indexOf(largest, picture.shape)) }));
    }
    return h(
      "div",
      { class: "picture-group", "data-output": name },
      head,
      h("div", { class: "picture-row" }, figures),
      notes.map((text) => h("p", { class: "picture-note" }, text)),
      numbersTable(expected, got, cleaned, picture.shape),
    );
  }
  return h(
    "div",
    { class: "picture-group", "data-output": name },
    head,
    h("div", { class: "picture-row" }, figures),
    notes.map((text) => h("p", { class: "picture-note" }, text)),
  );
}

function inputFigures(inputs) {
  const figures = [];
  for (const picture of Array.isArray(inputs) ? inputs : []) {
    if (picture.omitted || !Array.isArray(picture.values)) continue;
    const name = picture.name ?? "";
    const values = picture.values.map(num);
    const range = extent(values);
    const scale = { kind: "value", bound: Math.max(Math.abs(range.min), Math.abs(range.max)) };
    figures.push(drawArray(t("pictures.input", { name }), name, picture.shape, values, picture.kind, picture.dtype, scale, null));
  }
  return figures;
}

// ---- charts (uPlot) ----

const SERIES_COLOURS = ["#1f5fbf", "#c0392b", "#8e44ad", "#b9770e", "#117a65"];
const NAMED_COLOURS = { input: "#999999", true: "#1e8449", predicted: "#1f5fbf" };

function seriesLabel(key) {
  const lr = /^lr=(.+)$/.exec(key);
  if (lr) return t("chart.series.lr", { lr: lr[1] });
  return t(`chart.series.${key}`);
}

function chartAlt(chart) {
  const series = chart.series.map((line) => [line.name, line.y.map(num)]);
  if (chart.kind === "loss") {
    const [, ys] = series[series.length - 1];
    return t("chart.loss_alt", { first: fmt(ys[0]), last: fmt(ys[ys.length - 1]), steps: chart.x[chart.x.length - 1] });
  }
  const byKey = Object.fromEntries(series);
  const gap = byKey.true && byKey.predicted ? Math.max(...byKey.true.map((y, k) => Math.abs(y - byKey.predicted[k]))) : NaN;
  return t("chart.heldout_alt", { gap: fmt(gap) });
}

/** A tick label that keeps small losses readable (uPlot's default rounds 0.001 to "0"). */
function axisNumber(v) {
  if (v === 0) return "0";
  const size = Math.abs(v);
  if (size >= 0.01 && size < 10000) return String(Number(v.toPrecision(3)));
  return v.toExponential(0);
}

const powerOfTen = (v) => v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;
const onlyPowersOfTen = (u, splits) => splits.map((v) => (v != null && powerOfTen(v) ? v : null));

/** The y axis of a loss chart: readable small numbers, and on a log scale ticks, labels and
 * grid lines at powers of ten only (the minor lines would band the plot grey). */
export function valueAxis(logScale) {
  const axis = { size: 56, values: (u, splits) => splits.map((v) => (v == null ? null : axisNumber(v))) };
  if (!logScale) return axis;
  return { ...axis, filter: onlyPowersOfTen, ticks: { filter: onlyPowersOfTen }, grid: { filter: onlyPowersOfTen } };
}

function lineChart(slot, chart) {
  const x = chart.x.map(num);
  const keys = chart.series.map((line) => line.name);
  const ys = chart.series.map((line) => line.y.map(num));
  const positive = ys.flat().filter((v) => Number.isFinite(v));
  const logScale = chart.kind === "loss" && positive.every((v) => v > 0) && Math.max(...positive) / Math.min(...positive) > 10;
  const width = Math.max(240, Math.min(560, (slot.clientWidth || 560) - 8));
  const options = {
    width,
    height: 200,
    scales: { x: { time: false }, y: logScale ? { distr: 3 } : {} },
    axes: [{ label: t(chart.kind === "loss" ? "chart.step" : "chart.time") }, valueAxis(logScale)],
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false } },
    series: [
      { label: t(chart.kind === "loss" ? "chart.step" : "chart.time") },
      ...keys.map((key, k) => ({
        label: seriesLabel(key),
        stroke: NAMED_COLOURS[key] ?? SERIES_COLOURS[k % SERIES_COLOURS.length],
        dash: key === "input" ? [4, 4] : undefined,
        width: 2,
        points: { show: x.length <= 30 },
      })),
    ],
  };
  return new uPlot(options, [x, ...ys], slot);
}

function chartFigure(chart) {
  const title = t(chart.kind === "loss" ? "chart.loss" : "chart.heldout");
  const slot = h("div", { class: "line-chart", role: "img", "aria-label": chartAlt(chart) });
  const box = h("figure", { class: "picture picture--chart", "data-chart": chart.kind }, h("figcaption", {}, title), slot);
  // Drawn once the figure is in the page, so that uPlot knows the width it may take.
  requestAnimationFrame(() => {
    try {
      lineChart(slot, chart);
      box.setAttribute("data-chart-drawn", "");
    } catch (error) {
      console.error("chart not drawn", error);
    }
  });
  return box;
}

/** The pictures of one test's values, or null when it has none. */
export function testPictures(values) {
  if (!values || typeof values !== "object") return null;
  const parts = [];
  // The inputs (an augmentation's image) lead the first output's row: input, expected, got.
  let leading = inputFigures(values.inputs);
  for (const picture of Array.isArray(values.outputs) ? values.outputs : []) {
    parts.push(outputPictures(picture, leading));
    leading = [];
  }
  for (const chart of Array.isArray(values.charts) ? values.charts : []) {
    if (chart.omitted || !Array.isArray(chart.x) || !Array.isArray(chart.series)) continue;
    parts.push(chartFigure(chart));
  }
  return parts.length ? parts : null;
}
