// The reports page's charts, drawn as SVG by hand (no chart library, no build step): stacked areas over days, a stacked bar of shares, horizontal bars and a weekday × hour heatmap. Every mark carries a <title> (its number in words on hover), and colours come from the page's CSS variables.
const NS = "http://www.w3.org/2000/svg";

function el(tag, attrs = {}, ...kids) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k.startsWith("on")) n.addEventListener(k.slice(2), v);
    else n.setAttribute(k, String(v));
  }
  for (const k of kids.flat()) if (k != null) n.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return n;
}

const title = (text) => el("title", {}, text);

/** Axis ticks from 0 past `max`: a step of 1, 2 or 5 times a power of ten, at most 5 steps. */
export function ticks(max) {
  const want = Math.max(max, 1) / 4;
  const p = 10 ** Math.floor(Math.log10(want));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * p).find((s) => s >= want));
  const top = Math.max(step, Math.ceil(max / step) * step);
  const out = [];
  for (let v = 0; v <= top + 1e-9; v += step) out.push(v);
  return out;
}

/**
 * Stacked areas: `days` is [{label, values: {series: n}}], `series` [{key, label, colour}] bottom
 * first. `fmtDay` labels the x axis (a few ticks), `onPick(key)` runs when a series is clicked.
 */
export function stackedAreas({ days, series, fmtDay, onPick, width = 720, height = 220 }) {
  // Drawn at the container's own width, so one unit is one pixel and the labels keep their size.
  const W = Math.max(280, Math.round(width)), H = height, L = 40, R = 12, T = 10, B = 26;
  const n = days.length;
  const totals = days.map((d) => series.reduce((s, x) => s + (d.values[x.key] || 0), 0));
  const marks = ticks(Math.max(0, ...totals));
  const top = marks[marks.length - 1];
  const x = (i) => L + (n <= 1 ? (W - L - R) / 2 : (i * (W - L - R)) / (n - 1));
  const y = (v) => T + (H - T - B) * (1 - v / top);
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img" });
  for (const v of marks) {
    svg.append(el("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), class: "chart-grid" }),
      el("text", { x: L - 6, y: y(v) + 4, class: "chart-axis", "text-anchor": "end" }, Math.round(v)));
  }
  const base = new Array(n).fill(0);
  for (const s of series) {
    const lower = base.slice();
    const upper = days.map((d, i) => (base[i] += d.values[s.key] || 0));
    const pts = upper.map((v, i) => `${x(i)},${y(v)}`).concat(lower.map((v, i) => `${x(i)},${y(v)}`).reverse());
    const total = days.reduce((a, d) => a + (d.values[s.key] || 0), 0);
    svg.append(el("polygon", {
      points: pts.join(" "), fill: s.colour, class: "chart-area", "data-series": s.key,
      onclick: onPick ? () => onPick(s.key) : null
    }, title(`${s.label}: ${total}`)));
  }
  const every = Math.max(1, Math.ceil(n / Math.max(2, Math.floor((W - L) / 90))));
  days.forEach((d, i) => {
    // Every few days, and the last one when it is not crowded by the one before.
    if ((i % every === 0 && n - 1 - i >= every / 2) || i === n - 1) {
      const anchor = n > 1 && i === 0 ? "start" : n > 1 && i === n - 1 ? "end" : "middle";
      svg.append(el("text", { x: x(i), y: H - 8, class: "chart-axis", "text-anchor": anchor }, fmtDay(d.label)));
    }
  });
  days.forEach((d, i) => svg.append(el("rect", {
    x: x(i) - 3, y: T, width: 6, height: H - T - B, class: "chart-hover"
  }, title(`${fmtDay(d.label)}: ${totals[i]}`))));
  return svg;
}

/** One bar split into shares: parts [{key, label, value, colour}]. */
export function shareBar(parts, onPick) {
  const total = parts.reduce((s, p) => s + p.value, 0);
  const svg = el("svg", { viewBox: "0 0 100 10", preserveAspectRatio: "none", class: "chart-share", role: "img" });
  let at = 0;
  for (const p of parts) {
    if (!p.value) continue;
    const w = (100 * p.value) / total;
    svg.append(el("rect", { x: at, y: 0, width: w, height: 10, fill: p.colour, "data-series": p.key, onclick: onPick ? () => onPick(p.key) : null },
      title(`${p.label}: ${p.value} (${Math.round(w)}%)`)));
    at += w;
  }
  return svg;
}

/** Horizontal bars: rows [{label, value}], the longest full width. */
export function bars(rows, { colour = "var(--accent)", format = String } = {}) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  const wrap = document.createElement("div");
  wrap.className = "chart-bars";
  for (const r of rows) {
    const row = document.createElement("div");
    row.className = "chart-bar-row";
    const label = document.createElement("span");
    label.className = "chart-bar-label";
    label.textContent = r.label;
    const track = document.createElement("span");
    track.className = "chart-bar-track";
    const fill = document.createElement("span");
    fill.className = "chart-bar-fill";
    fill.style.width = `${(100 * r.value) / max}%`;
    fill.style.background = r.colour || colour;
    track.append(fill);
    const value = document.createElement("span");
    value.className = "chart-bar-value";
    value.textContent = format(r.value);
    row.append(label, track, value);
    wrap.append(row);
  }
  return wrap;
}

/** Conversations by weekday (rows, Monday first) and hour (columns). */
export function heatmap(grid, { days, hourLabel, cellTitle, width = 680 }) {
  const L = 44, T = 18, C = Math.max(11, Math.min(30, Math.floor((width - L) / 24)));
  const max = Math.max(1, ...grid.flat());
  const svg = el("svg", { viewBox: `0 0 ${L + 24 * C} ${T + 7 * C}`, width: L + 24 * C, class: "chart-heat", role: "img" });
  for (let hr = 0; hr < 24; hr += C < 18 ? 6 : 3) {
    svg.append(el("text", { x: L + hr * C + C / 2, y: 12, class: "chart-axis", "text-anchor": "middle" }, hourLabel(hr)));
  }
  grid.forEach((row, d) => {
    svg.append(el("text", { x: L - 6, y: T + d * C + C / 2 + 4, class: "chart-axis", "text-anchor": "end" }, days[d]));
    row.forEach((n, hr) => {
      const a = n ? 0.12 + 0.88 * (n / max) : 0;
      svg.append(el("rect", {
        x: L + hr * C + 1, y: T + d * C + 1, width: C - 2, height: C - 2, rx: 4,
        class: n ? "chart-cell" : "chart-cell chart-cell-empty", "fill-opacity": n ? a.toFixed(3) : null
      }, title(cellTitle(d, hr, n))));
    });
  });
  return svg;
}
