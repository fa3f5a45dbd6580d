/**
 * Sparklines: a small SVG line of recent values (no axes), optionally with
 * the alarm limits as dashed lines, for the live tag table and the
 * faceplate. Built with DOM calls and SVG attributes only (the
 * Content-Security-Policy forbids inline styles); colours come from CSS.
 */

const SVG = "http://www.w3.org/2000/svg";

function el(name, attrs) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/**
 * The polyline points of `[[t, v], …]` scaled into width × height (y up),
 * with `limits` widening the value range so that they stay in view.
 */
export function sparkPoints(points, width, height, limits = []) {
  if (points.length === 0) return { points: "", yOf: () => height / 2 };
  const t0 = points[0][0], t1 = points[points.length - 1][0];
  let lo = Infinity, hi = -Infinity;
  for (const [, v] of points) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  for (const l of limits) {
    if (l < lo) lo = l;
    if (l > hi) hi = l;
  }
  if (hi === lo) {
    hi += 1;
    lo -= 1;
  }
  const pad = 2;
  const xOf = (t) => t1 === t0 ? width : pad + ((t - t0) / (t1 - t0)) * (width - 2 * pad);
  const yOf = (v) => pad + (1 - (v - lo) / (hi - lo)) * (height - 2 * pad);
  return {
    points: points.map(([t, v]) => `${xOf(t).toFixed(1)},${yOf(v).toFixed(1)}`).join(" "),
    yOf,
  };
}

/** An `<svg class="spark">` of `[[t, v], …]`; `limits`: `[{ value, kind }]` drawn dashed. */
export function sparkline(points, { width = 80, height = 18, limits = [], label = "" } = {}) {
  const svg = el("svg", {
    class: "spark",
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": label,
  });
  const { points: p, yOf } = sparkPoints(points, width, height, limits.map((l) => l.value));
  for (const l of limits) {
    const y = yOf(l.value).toFixed(1);
    svg.append(
      el("line", { class: `spark-limit spark-${l.kind}`, x1: 0, x2: width, y1: y, y2: y }),
    );
  }
  svg.append(el("polyline", { class: "spark-line", points: p, fill: "none" }));
  return svg;
}
