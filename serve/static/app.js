// app.js: everything the page does, in three parts that share a few
// helpers:
//
//   live     the event stream of /api/events (server-sent events: the
//            server pushes each recording as it happens, the browser
//            reconnects by itself and then receives the whole state):
//            curves, progress, the table of runs, the pictures;
//   results  the finished runs of the results folder (/api/results), their
//            curves drawn from curves.csv, their plots and pictures;
//   try      a saved model on a dropped, pasted or chosen image, or on a
//            test image (/api/predict).
//
// The plots are SVG drawn here from the numbers (the same numbers as the
// SVG files the program writes), so nothing is loaded from elsewhere.
// Text from the server is always set as text, never as HTML.
"use strict";

// ---------------------------------------------------------------- helpers

const $ = (id) => document.getElementById(id);

// el makes an element: el("td", {class: "text"}, "λ", child, ...).
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

const SVGNS = "http://www.w3.org/2000/svg";
function svgEl(tag, attrs, text) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// getJSON fetches a JSON answer; a failed request throws the server's
// one-line message.
async function getJSON(url, options) {
  const r = await fetch(url, options);
  const text = await r.text();
  let body = null;
  try { body = JSON.parse(text); } catch (_) { /* not JSON: an error line */ }
  if (!r.ok) throw new Error((body && body.error) || text.trim() || `${r.status} ${r.statusText}`);
  return body;
}

const isNum = (v) => typeof v === "number" && isFinite(v);
const pct = (a) => (isNum(a) ? (100 * a).toFixed(2) + "%" : "—");
const fixed = (v, d) => (isNum(v) ? v.toFixed(d) : "—");
function short(v) { // a number in few characters: 0.01, 2.4e-05, 1000
  if (!isNum(v)) return "—";
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(2);
  return String(+v.toPrecision(4));
}
function duration(s) {
  if (!isNum(s) || s < 0) return "—";
  s = Math.round(s);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

// The report's plots' colours: training blue, validation red (dashed);
// runs of a search take the palette in turn.
const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

// ----------------------------------------------------------------- charts

// niceScale covers [lo, hi] with about n steps of 1, 2 or 5 times a power
// of ten.
function niceScale(lo, hi, n) {
  if (!(hi > lo)) { const d = Math.abs(lo) * 0.1 || 0.5; lo -= d; hi += d; }
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
  const a = Math.floor(lo / step + 1e-9) * step, b = Math.ceil(hi / step - 1e-9) * step;
  const ticks = [];
  for (let v = a; v <= b + step / 2; v += step) ticks.push(+v.toPrecision(12));
  return { lo: a, hi: b, ticks, step };
}

function tickLabel(v, step) {
  if (v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(step) < 1e-3)) return v.toExponential(1);
  const d = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(d);
}

// chart draws lines against the update step: opts.series are
// {name, color, dashed, points: [[x, y], ...]}; opts.xMax, if given, is
// where the x axis ends (a run's last step, so that its curves grow into a
// known width). It returns a figure holding the SVG and its legend.
function chart(opts) {
  const W = 480, H = 270, L = 56, R = 14, T = 28, B = 38;
  const pts = opts.series.flatMap((s) => s.points).filter((p) => isNum(p[0]) && isNum(p[1]));
  const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
  const xScale = niceScale(0, Math.max(opts.xMax || 0, ...xs, 1), 5);
  const yScale = pts.length ? niceScale(Math.min(...ys), Math.max(...ys), 5) : niceScale(0, 1, 5);
  const sx = (x) => L + ((x - xScale.lo) / (xScale.hi - xScale.lo)) * (W - L - R);
  const sy = (y) => H - B - ((y - yScale.lo) / (yScale.hi - yScale.lo)) * (H - T - B);
  const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": opts.title });
  svg.append(svgEl("text", { x: L, y: 17, class: "title" }, opts.title));
  for (const t of yScale.ticks) {
    svg.append(svgEl("line", { x1: L, x2: W - R, y1: sy(t), y2: sy(t), class: "grid" }));
    svg.append(svgEl("text", { x: L - 6, y: sy(t) + 4, "text-anchor": "end", class: "axis" }, tickLabel(t, yScale.step)));
  }
  for (const t of xScale.ticks) {
    svg.append(svgEl("line", { x1: sx(t), x2: sx(t), y1: T, y2: H - B, class: "grid" }));
    svg.append(svgEl("text", { x: sx(t), y: H - B + 15, "text-anchor": "middle", class: "axis" }, tickLabel(t, xScale.step)));
  }
  svg.append(svgEl("rect", { x: L, y: T, width: W - L - R, height: H - T - B, class: "frame" }));
  svg.append(svgEl("text", { x: (L + W - R) / 2, y: H - 4, "text-anchor": "middle", class: "axis" }, opts.xLabel || "update step"));
  svg.append(svgEl("text", { x: 12, y: (T + H - B) / 2, "text-anchor": "middle", class: "axis", transform: `rotate(-90 12 ${(T + H - B) / 2})` }, opts.yLabel || ""));
  for (const s of opts.series) {
    const p = s.points.filter((q) => isNum(q[0]) && isNum(q[1]));
    if (p.length === 1) {
      svg.append(svgEl("circle", { cx: sx(p[0][0]), cy: sy(p[0][1]), r: 2.5, fill: s.color }));
    } else if (p.length > 1) {
      svg.append(svgEl("polyline", {
        points: p.map((q) => `${sx(q[0]).toFixed(1)},${sy(q[1]).toFixed(1)}`).join(" "),
        fill: "none", stroke: s.color, "stroke-width": s.width || 1.8, "stroke-dasharray": s.dashed ? "6 4" : "none",
      }));
    }
  }
  const legend = el("div", { class: "legend" });
  for (const s of opts.series) {
    if (!s.name) continue;
    const item = el("span", { class: s.dashed ? "dashed" : null, text: s.name });
    item.style.setProperty("--c", s.color);
    legend.append(item);
  }
  return el("div", { class: "chart" }, svg, legend);
}

// curveCharts draws cost, loss, accuracy and η from recordings
// ({step, eta, train: {cost, loss, accuracy}, val: {...}}): one run's
// training and validation, as the report's plots.
function curveCharts(records, etas, xMax, title) {
  const series = (f) => [
    { name: "training", color: PALETTE[0], points: records.map((r) => [r.step, f(r.train)]) },
    { name: "validation", color: PALETTE[1], dashed: true, points: records.map((r) => [r.step, f(r.val)]) },
  ];
  const t = title ? title + ": " : "";
  return [
    chart({ title: t + "cost", yLabel: "cost", series: series((m) => m.cost), xMax }),
    chart({ title: t + "loss", yLabel: "loss", series: series((m) => m.loss), xMax }),
    chart({ title: t + "accuracy", yLabel: "accuracy", series: series((m) => m.accuracy), xMax }),
    chart({ title: t + "learning rate", yLabel: "η", series: [{ name: "η (cyclical)", color: PALETTE[0], points: etas }], xMax }),
  ];
}

// confusionTable draws a confusion matrix (counts[true][predicted]) as a
// table, each cell shaded by its share of its row (white to dark blue, as
// the program's confusion.png), with each class's accuracy at the end.
function confusionTable(counts, classes) {
  const k = counts.length;
  const name = (i) => classes[i] || String(i);
  const head = el("tr", {}, el("th", { class: "row", text: "true \\ predicted" }));
  for (let j = 0; j < k; j++) head.append(el("th", { class: "up", text: name(j) }));
  head.append(el("th", { class: "up", text: "accuracy" }));
  const table = el("table", { class: "confusion" }, head);
  for (let i = 0; i < k; i++) {
    const total = counts[i].reduce((a, b) => a + b, 0);
    const tr = el("tr", {}, el("th", { class: "row", text: name(i) }));
    for (let j = 0; j < k; j++) {
      const f = total ? counts[i][j] / total : 0;
      const td = el("td", { text: counts[i][j] });
      const mix = (a, b) => Math.round(a + f * (b - a));
      td.style.background = `rgb(${mix(255, 8)},${mix(255, 48)},${mix(255, 107)})`;
      if (f > 0.5) td.style.color = "#fff";
      tr.append(td);
    }
    tr.append(el("td", { text: total ? pct(counts[i][i] / total) : "—" }));
    table.append(tr);
  }
  return table;
}

// ------------------------------------------------------------------- tabs

// The address's fragment names the tab, and may say more: #results/DIR
// opens the run of results/DIR, #try/test/N classifies test image N with
// the newest model (so that a link, or a script taking screenshots, can
// show them).
const TABS = ["live", "results", "try"];
function showTab() {
  const first = location.hash.slice(1).split("/")[0];
  const name = TABS.includes(first) ? first : "live";
  for (const t of TABS) {
    $(t).hidden = t !== name;
    $("tab-" + t).classList.toggle("active", t === name);
  }
  if (name === "live") render(true);
  if (name === "results") results.load().then(() => results.follow());
  if (name === "try") tryIt.load().then(() => tryIt.follow());
}
window.addEventListener("hashchange", showTab);

// ------------------------------------------------------------------- live

const live = {
  runs: new Map(), // id → run: the start's fields, records, tick, end, pictures, and etas, samples
  order: [],       // run ids in the order they started
  group: null,     // the group shown; null: follow the latest
  run: null,       // the run shown; null: follow the group's active one
  shown: { run: null, step: null }, // the pictures on the page
  timer: null,     // the redraw to come (see render)
  drawnAt: -Infinity, // when the tab was last drawn (performance.now)
};

function addRun(r) {
  const run = Object.assign({ records: [], tick: null, end: null, pictures: null }, r);
  run.etas = run.records.map((x) => [x.step, x.eta]);
  run.samples = run.records.map((x) => [x.time, x.step]);
  if (run.tick) run.samples.push([run.tick.time, run.tick.step]);
  run.samples.sort((a, b) => a[0] - b[0]);
  if (!live.runs.has(run.id)) live.order.push(run.id);
  live.runs.set(run.id, run);
}

// sample notes when a step was reached, for the speed: the samples of the
// last 20 seconds are kept.
function sample(run, time, step) {
  run.samples.push([time, step]);
  while (run.samples.length > 2 && time - run.samples[0][0] > 20000) run.samples.shift();
}

function stepOf(run) {
  const r = run.records.at(-1), t = run.tick;
  return Math.max(r ? r.step : 0, t ? t.step : 0);
}

function speedOf(run) { // update steps per second, or null
  const s = run.samples;
  if (s.length < 2) return null;
  const dt = (s.at(-1)[0] - s[0][0]) / 1000, ds = s.at(-1)[1] - s[0][1];
  return dt > 0 && ds > 0 ? ds / dt : null;
}

function groups() {
  const g = [];
  for (const id of live.order) {
    const name = live.runs.get(id).group;
    if (!g.includes(name)) g.push(name);
  }
  return g;
}

function currentGroup() {
  const g = groups();
  if (live.group !== null && g.includes(live.group)) return live.group;
  return g.length ? live.runs.get(live.order.at(-1)).group : null;
}

function groupRuns(group) {
  return live.order.map((id) => live.runs.get(id)).filter((r) => r.group === group);
}

function currentRun(runs) {
  const chosen = runs.find((r) => r.id === live.run);
  if (chosen) return chosen;
  const running = runs.filter((r) => !r.end);
  return running.at(-1) || runs.at(-1);
}

// render redraws the live tab soon, however many events arrive: at the
// first frame REDRAW_MS after the last redraw, or at the next one after a
// click (now). A redraw lays the page out and paints it again, which costs
// the browser far more than an event costs the server: a headless Chromium
// on the same two cores as training, redrawing at every event (about 15 a
// second), slowed training by a third (docs/performance.md, "serve"); twice
// a second is as often as the numbers can be read. Nothing is drawn while
// another tab is shown (showTab draws the live tab when it comes back).
const REDRAW_MS = 500;
function render(now) {
  if (live.timer !== null && !now) return;
  clearTimeout(live.timer);
  const wait = now ? 0 : Math.max(0, live.drawnAt + REDRAW_MS - performance.now());
  live.timer = setTimeout(() => requestAnimationFrame(() => {
    live.timer = null;
    if ($("live").hidden) return;
    live.drawnAt = performance.now();
    draw();
  }), wait);
}

// unchanged reports whether node already shows what key describes, and
// notes key as what it shows otherwise: a part of the live tab is built
// again only when what it shows changed, since every rebuilt part is laid
// out and painted again (see render).
function unchanged(node, key) {
  if (node.dataset.key === key) return true;
  node.dataset.key = key;
  return false;
}

function draw() {
  const group = currentGroup();
  $("live-empty").hidden = group !== null;
  drawGroups(group);
  if (group === null) { $("live-run").hidden = true; return; }
  const runs = groupRuns(group);
  const run = currentRun(runs);
  drawRun(run);
  drawCharts(runs, run);
  drawTable(runs, run);
  drawPictures(run);
}

// drawGroups shows a chip per group, the one shown marked, those training
// with a dot.
function drawGroups(group) {
  const chips = $("groups");
  const all = groups();
  const active = all.map((g) => groupRuns(g).some((r) => !r.end));
  if (unchanged(chips, JSON.stringify([all, active, group, live.group === null]))) return;
  chips.replaceChildren();
  if (all.length > 1) {
    chips.append(el("button", { type: "button", class: live.group === null ? "active" : null, text: "follow the latest", onclick: () => { live.group = null; live.run = null; render(true); } }));
  }
  all.forEach((g, i) => {
    chips.append(el("button", { type: "button", class: g === group ? (live.group !== null ? "active" : "shown") : null, onclick: () => { live.group = g; live.run = null; render(true); } },
      g || "(no group)", active[i] ? el("span", { class: "dot", title: "training" }) : null));
  });
}

function drawRun(run) {
  $("live-run").hidden = false;
  $("run-title").textContent = run.title ? `${run.group}: ${run.title}` : run.group;
  if (!unchanged($("run-params"), run.id)) {
    $("run-params").replaceChildren(...run.params.map(([k, v]) => el("span", { text: `${k} = ${v}` })));
  }
  const step = stepOf(run), total = run.total || 0;
  $("run-bar").style.width = total ? `${(100 * Math.min(step, total)) / total}%` : "0";
  // the tab's title tells the progress when the page is in the background
  document.title = run.end || !total ? "twolayer" : `${Math.floor((100 * step) / total)}% ${run.group} · twolayer`;
  const speed = run.end ? null : speedOf(run);
  const last = run.records.at(-1);
  const eta = run.tick && (!last || run.tick.step >= last.step) ? run.tick.eta : last && last.eta;
  const items = [
    ["step", total ? `${step} / ${total}` : String(step)],
    ["epoch", run.perEpoch ? `${(step / run.perEpoch).toFixed(1)} / ${(total / run.perEpoch).toFixed(1)}` : "—"],
    ["η", isNum(eta) ? short(eta) : "—"],
    ["speed", speed ? `${speed.toFixed(speed < 10 ? 1 : 0)} steps/s` : "—"],
    run.end ? ["took", duration(run.end.seconds)] : ["time left", speed ? duration((total - step) / speed) : "—"],
    ["validation accuracy", last ? pct(last.val.accuracy) : "—"],
  ];
  if (!unchanged($("run-status"), JSON.stringify(items))) {
    $("run-status").replaceChildren(...items.map(([k, v]) => el("div", {}, el("dt", { text: k }), el("dd", { text: v }))));
  }
  $("run-error").hidden = !(run.end && run.end.error);
  $("run-error").textContent = run.end && run.end.error ? run.end.error : "";
}

// drawCharts draws the curves of the group's runs, against the step: they
// change only at a recording (η too: it is plotted at the recordings, which
// a cyclical schedule's corners fall on), so they are drawn again only
// when a run has a new one, or another run is chosen.
function drawCharts(runs, run) {
  const box = $("live-charts");
  const xMax = Math.max(...runs.map((r) => r.total || 0));
  if (unchanged(box, JSON.stringify([run.id, xMax, runs.map((r) => [r.id, r.records.length])]))) return;
  if (runs.length === 1) {
    box.replaceChildren(...curveCharts(run.records, run.etas, xMax));
    return;
  }
  // a search: one line per run (validation), and the chosen run's
  // training line dashed in its colour
  const colour = (r) => PALETTE[runs.indexOf(r) % PALETTE.length];
  const lines = (f) => {
    const s = runs.map((r) => ({ name: r.title || r.id, color: colour(r), width: r === run ? 2.6 : 1.5, points: r.records.map((x) => [x.step, f(x.val)]) }));
    s.push({ name: `training (${run.title || run.id})`, color: colour(run), dashed: true, points: run.records.map((x) => [x.step, f(x.train)]) });
    return s;
  };
  box.replaceChildren(
    chart({ title: "validation cost", yLabel: "cost", series: lines((m) => m.cost), xMax }),
    chart({ title: "validation loss", yLabel: "loss", series: lines((m) => m.loss), xMax }),
    chart({ title: "validation accuracy", yLabel: "accuracy", series: lines((m) => m.accuracy), xMax }),
    chart({ title: "learning rate", yLabel: "η", series: [{ name: run.title || run.id, color: colour(run), points: run.etas }], xMax }),
  );
}

// drawTable lists the runs of the group: the parameters that differ
// between them, progress, and the final (or latest) accuracies, with the
// extra values their ends carry; a row chooses the run shown.
function drawTable(runs, run) {
  const table = $("run-table");
  $("runs-heading").hidden = runs.length < 2;
  if (runs.length < 2) { table.replaceChildren(); table.dataset.key = ""; return; }
  const percent = (r) => Math.floor((100 * stepOf(r)) / (r.total || 1));
  if (unchanged(table, JSON.stringify([run.id, runs.map((r) => [r.id, r.records.length, percent(r), r.end ? r.end.time : 0])]))) return;
  const keys = [];
  for (const r of runs) for (const [k] of r.params) if (!keys.includes(k)) keys.push(k);
  const value = (r, k) => (r.params.find((p) => p[0] === k) || [])[1];
  // the parameters that differ, but for one every run's title already
  // gives ("λ = 0.001" in a search): a narrow screen has no room for both
  const varying = keys.filter((k) => new Set(runs.map((r) => value(r, k))).size > 1 &&
    !runs.every((r) => r.title === `${k} = ${value(r, k)}`));
  const extras = [];
  for (const r of runs) for (const [k] of (r.end && r.end.extra) || []) if (!extras.includes(k)) extras.push(k);
  const head = el("tr", {}, el("th", { class: "text", text: "#" }), el("th", { class: "text", text: "run" }),
    ...varying.map((k) => el("th", { text: k })), el("th", { text: "status" }),
    el("th", { text: "train acc" }), el("th", { text: "val acc" }), el("th", { text: "test acc" }), el("th", { text: "seconds" }),
    ...extras.map((k) => el("th", { class: "text", text: k })));
  const rows = runs.map((r, i) => {
    const f = r.end && r.end.final, last = r.records.at(-1);
    const m = f || (last && { train: last.train, val: last.val });
    const status = r.end ? (r.end.error ? "stopped" : "done") : `${percent(r)}%`;
    const swatch = el("span", { class: "swatch" });
    swatch.style.background = PALETTE[i % PALETTE.length];
    return el("tr", { class: "clickable" + (r === run ? " selected" : ""), title: r.end && r.end.error ? r.end.error : null, onclick: () => { live.run = r.id; live.group = r.group; render(true); } },
      el("td", { class: "text" }, swatch, String(i + 1)), el("td", { class: "text", text: r.title || r.id }),
      ...varying.map((k) => el("td", { text: value(r, k) ?? "" })), el("td", { text: status }),
      el("td", { text: m ? pct(m.train.accuracy) : "—" }), el("td", { text: m ? pct(m.val.accuracy) : "—" }),
      el("td", { text: f && f.test ? pct(f.test.accuracy) : "—" }), el("td", { text: r.end ? fixed(r.end.seconds, 1) : "—" }),
      ...extras.map((k) => el("td", { class: "text", text: ((r.end && r.end.extra) || []).find((p) => p[0] === k)?.[1] ?? "" })));
  });
  table.replaceChildren(head, ...rows);
}

// drawPictures shows the pictures of the run's latest snapshot, asking for
// them only when they are newer than those on the page.
async function drawPictures(run) {
  if (run.pictures === null || run.pictures === undefined) {
    $("live-pictures").hidden = true;
    return;
  }
  if (live.shown.run === run.id && live.shown.step === run.pictures) return;
  live.shown = { run: run.id, step: run.pictures };
  const base = `/api/live/${encodeURIComponent(run.id)}`;
  try {
    const p = await getJSON(`${base}/pictures`);
    if (live.shown.run !== run.id) return; // another run was chosen meanwhile
    if (p.wait) {
      // older pictures: the server draws a run's at most once a second;
      // ask again for the latest when it may
      setTimeout(() => { if (live.shown.run === run.id) { live.shown.step = null; render(); } }, p.wait);
    }
    $("live-pictures").hidden = false;
    $("pictures-error").hidden = !p.error;
    $("pictures-error").textContent = p.error || "";
    const q = `?step=${p.step}`;
    $("units").hidden = $("templates").hidden = !!p.error && !p.shown;
    if (p.shown) {
      $("units").src = `${base}/units.png${q}`;
      $("templates").src = `${base}/templates.png${q}`;
    }
    $("units-note").textContent = p.shown < p.hidden ? `(the first ${p.shown} of ${p.hidden}, step ${p.step})` : `(step ${p.step})`;
    $("confusion-note").textContent = `(step ${p.step})`;
    $("confusion").replaceChildren(p.confusion ? confusionTable(p.confusion, p.classes || run.classes || []) : el("p", { class: "note", text: "no validation labels" }));
  } catch (e) {
    $("pictures-error").hidden = false;
    $("pictures-error").textContent = e.message;
  }
}

// applyState replaces what the page knows by the server's state.
function applyState(st) {
  live.runs.clear();
  live.order = [];
  for (const r of st.runs) addRun(r);
}

// connect follows the training: through the event stream, or, when the
// address has ?poll, by asking for the whole state every second (for a
// proxy that holds events back, and for headless browsers that wait for
// the network to be idle, which an event stream never is).
function connect() {
  const conn = $("conn");
  if (new URLSearchParams(location.search).has("poll")) {
    const poll = async () => {
      try {
        applyState(await getJSON("/api/state"));
        render();
        conn.textContent = "polling";
        conn.className = "conn live";
      } catch (e) {
        conn.textContent = "server unreachable";
        conn.className = "conn down";
      }
      setTimeout(poll, 1000);
    };
    poll();
    return;
  }
  const es = new EventSource("/api/events");
  const on = (kind, f) => es.addEventListener(kind, (e) => { f(JSON.parse(e.data)); render(); });
  on("state", applyState);
  on("start", (r) => addRun(r));
  on("record", (x) => {
    const run = live.runs.get(x.run);
    if (!run) return;
    run.records.push(x);
    run.etas.push([x.step, x.eta]);
    sample(run, x.time, x.step);
    if (x.snapshot) run.pictures = x.step;
  });
  on("tick", (t) => {
    const run = live.runs.get(t.run);
    if (!run) return;
    run.tick = t;
    sample(run, t.time, t.step);
  });
  on("end", (x) => {
    const run = live.runs.get(x.run);
    if (run) run.end = x;
    results.stale = true; // the finished run is in the results folder now
    if (!$("results").hidden) results.load();
  });
  es.onopen = () => { conn.textContent = "live"; conn.className = "conn live"; };
  es.onerror = () => { conn.textContent = "reconnecting…"; conn.className = "conn down"; };
}

// ---------------------------------------------------------------- results

const results = {
  loading: null, // the promise of the list's loading, once started
  stale: false,  // a run finished since: load the list again

  load() {
    if (!this.loading || this.stale) {
      this.stale = false;
      this.loading = this.fetch();
    }
    return this.loading;
  },

  async fetch() {
    const list = $("results-list");
    let data;
    try {
      data = await getJSON("/api/results");
    } catch (e) {
      list.replaceChildren(el("p", { class: "error", text: e.message }));
      return;
    }
    $("report-link").replaceChildren(data.report
      ? el("a", { href: "/results/report.html", target: "_blank", rel: "noopener", text: "Open the report (report.html)" })
      : el("span", { class: "note", text: "No report yet (all and report write results/report.html)." }));
    if (!data.results.length) {
      list.replaceChildren(el("p", { class: "empty", text: "The results folder holds no finished run yet." }));
      return;
    }
    this.entries = data.results;
    this.cards = data.results.map((e) => this.card(e));
    list.replaceChildren(...this.cards);
  },

  entries: [],
  cards: [],

  // follow opens the run the address names (#results/DIR), if any.
  follow() {
    if (!location.hash.startsWith("#results/")) return;
    const want = decodeURIComponent(location.hash.slice("#results/".length));
    const i = this.entries.findIndex((e) => e.dir === want);
    if (i >= 0) this.cards[i].click();
  },

  card(e) {
    const s = e.summary || {};
    const f = s.final || {};
    const acc = f.test ? `test ${pct(f.test.accuracy)}` : f.validation ? `validation ${pct(f.validation.accuracy)}` : "";
    const when = s.finished ? new Date(s.finished).toLocaleString() : "";
    const card = el("button", { type: "button", class: "card", onclick: () => {
      for (const c of document.querySelectorAll(".card.selected")) c.classList.remove("selected");
      card.classList.add("selected");
      this.detail(e);
    } },
    el("h4", { text: s.title || e.dir }),
    el("p", { text: [s.section, s.experiment].filter(Boolean).join(" · ") + (e.runs && e.runs.length ? ` · ${e.runs.length} runs` : "") }),
    el("p", { text: [acc, isNum(s.seconds) ? duration(s.seconds) : "", when].filter(Boolean).join(" · ") }),
    e.error ? el("p", { class: "error", text: e.error }) : null);
    return card;
  },

  // detail shows one finished run: its numbers, its curves from
  // curves.csv, its search runs, its pictures and files.
  async detail(e, parentTitle) {
    const box = $("result-detail");
    const s = e.summary || {};
    const dir = `/results/${e.dir.split("/").map(encodeURIComponent).join("/")}/`;
    const parts = [el("h2", { text: (parentTitle ? parentTitle + " › " : "") + (s.title || e.dir) }), el("p", { class: "note", text: `results/${e.dir}/` })];
    if (e.error) parts.push(el("p", { class: "error", text: e.error }));
    if (s.params) parts.push(el("h3", { text: "Hyperparameters" }), this.keyValues(s.params));
    if (s.final) parts.push(el("h3", { text: "Final metrics" }), this.finalTable(s.final));
    const charts = el("div", { class: "charts" });
    parts.push(charts);
    if (s.runs && s.runs.length) parts.push(el("h3", { text: "The λ runs" }), this.searchTable(e, s));
    const images = e.files.filter((f) => /\.(png|svg)$/.test(f));
    if (images.length) {
      parts.push(el("h3", { text: "Plots and pictures" }),
        el("div", { class: "files" }, ...images.map((f) => el("figure", {}, el("figcaption", { text: f }), el("img", { src: dir + encodeURIComponent(f), alt: f, loading: "lazy" })))));
    }
    const others = e.files.filter((f) => !/\.(png|svg)$/.test(f));
    if (others.length) {
      parts.push(el("h3", { text: "Files" }), el("p", {}, ...others.flatMap((f, i) => [i ? " · " : "", el("a", { href: dir + encodeURIComponent(f), target: "_blank", rel: "noopener", text: f })])));
    }
    box.replaceChildren(...parts);
    box.scrollIntoView({ behavior: "smooth", block: "start" });
    if (e.files.includes("curves.csv")) {
      try {
        const r = await fetch(dir + "curves.csv");
        if (!r.ok) throw new Error(await r.text());
        const recs = parseCurves(await r.text());
        charts.replaceChildren(...curveCharts(recs, recs.map((x) => [x.step, x.eta]), 0));
      } catch (err) {
        charts.replaceChildren(el("p", { class: "error", text: "curves.csv: " + err.message }));
      }
    }
  },

  keyValues(obj) {
    const rows = Object.entries(obj).map(([k, v]) => el("tr", {}, el("th", { class: "text", text: k }),
      el("td", { class: "text", text: Array.isArray(v) ? v.map(short).join(", ") : typeof v === "number" ? short(v) : String(v) })));
    return el("div", { class: "table-wrap" }, el("table", { class: "table" }, ...rows));
  },

  finalTable(f) {
    const head = el("tr", {}, el("th", { class: "text", text: "set" }), el("th", { text: "cost" }), el("th", { text: "loss" }), el("th", { text: "accuracy" }));
    const rows = ["train", "validation", "test"].filter((k) => f[k]).map((k) =>
      el("tr", {}, el("td", { class: "text", text: k }), el("td", { text: fixed(f[k].cost, 4) }), el("td", { text: fixed(f[k].loss, 4) }), el("td", { text: pct(f[k].accuracy) })));
    return el("div", { class: "table-wrap" }, el("table", { class: "table" }, head, ...rows));
  },

  searchTable(e, s) {
    const best = s.best && s.best[0] ? s.best[0].lambda : null;
    const head = el("tr", {}, el("th", { class: "text", text: "#" }), el("th", { text: "λ" }), el("th", { text: "train acc" }),
      el("th", { text: "val acc" }), el("th", { text: "test acc" }), el("th", { text: "val cost" }), el("th", { text: "seconds" }));
    const rows = s.runs.map((r, i) => {
      const sub = (e.runs || []).find((x) => x.summary && x.summary.params && x.summary.params.lambda === r.lambda);
      return el("tr", { class: sub ? "clickable" + (r.lambda === best ? " selected" : "") : null, title: sub ? "show this run" : null, onclick: sub ? () => this.detail(sub, s.title || e.dir) : null },
        el("td", { class: "text", text: String(i + 1) + (r.lambda === best ? " ★" : "") }), el("td", { text: short(r.lambda) }),
        el("td", { text: pct(r.train_accuracy) }), el("td", { text: pct(r.validation_accuracy) }), el("td", { text: pct(r.test_accuracy) }),
        el("td", { text: fixed(r.validation_cost, 4) }), el("td", { text: fixed(r.seconds, 1) }));
    });
    return el("div", { class: "table-wrap" }, el("table", { class: "table" }, head, ...rows));
  },
};

// parseCurves reads curves.csv (step, eta, train_cost, train_loss,
// train_accuracy, val_cost, val_loss, val_accuracy, by the header's names)
// into recordings as the event stream sends them.
function parseCurves(text) {
  const lines = text.trim().split(/\r?\n/);
  const cols = lines[0].split(",");
  const at = (row, name) => { const i = cols.indexOf(name); return i < 0 ? NaN : parseFloat(row[i]); };
  return lines.slice(1).map((line) => {
    const row = line.split(",");
    return {
      step: at(row, "step"), eta: at(row, "eta"),
      train: { cost: at(row, "train_cost"), loss: at(row, "train_loss"), accuracy: at(row, "train_accuracy") },
      val: { cost: at(row, "val_cost"), loss: at(row, "val_loss"), accuracy: at(row, "val_accuracy") },
    };
  });
}

// ----------------------------------------------------------------- try it

const tryIt = {
  loading: null, // the promise of the models' and test set's loading, once started
  last: null, // what was classified last: {blob} or {test: i}, to classify again with another model
  count: 0,

  load() {
    if (!this.loading) this.loading = this.fetch();
    return this.loading;
  },

  async fetch() {
    const select = $("model");
    try {
      const models = await getJSON("/api/models");
      select.replaceChildren(...models.map((m) => el("option", { value: m.path, text: `${m.path}${m.kind === "ensemble" ? " (ensemble)" : ""}` })));
      $("no-models").hidden = models.length > 0;
    } catch (e) {
      this.error(e.message);
    }
    try {
      this.count = (await getJSON("/api/test")).count;
    } catch (_) { this.count = 0; }
    $("test-pick").hidden = this.count === 0;
    $("test-index").max = Math.max(this.count - 1, 0);
  },

  // follow classifies the test image the address names (#try/test/N), if any.
  follow() {
    const m = location.hash.match(/^#try\/test\/(\d+)$/);
    if (m) this.pick(parseInt(m[1], 10));
  },

  // pick classifies test image i (taken modulo their number).
  pick(i) {
    if (!this.count) return;
    i = ((i % this.count) + this.count) % this.count;
    $("test-index").value = i;
    this.classify({ test: i });
  },

  error(msg) {
    $("try-error").hidden = !msg;
    $("try-error").textContent = msg || "";
  },

  async classify(what) {
    const model = $("model").value;
    if (!model) { this.error("Choose a model first: there is none in the results folder yet."); return; }
    this.last = what;
    this.error("");
    const q = `/api/predict?model=${encodeURIComponent(model)}`;
    try {
      let p;
      if (what.blob) {
        if (what.blob.size > 20 * 1024 * 1024) throw new Error("the image file is larger than 20 MB; make it smaller first");
        p = await getJSON(q, { method: "POST", body: what.blob, headers: { "Content-Type": what.blob.type || "application/octet-stream" } });
      } else {
        $("test-thumb").src = `/api/test/${what.test}`;
        p = await getJSON(`${q}&test=${what.test}`);
      }
      this.show(p, what);
    } catch (e) {
      $("try-result").hidden = true;
      this.error(e.message);
    }
  },

  original: null, // the object URL of the image given, released when replaced

  show(p, what) {
    $("try-result").hidden = false;
    $("try-input").src = p.input;
    if (this.original) URL.revokeObjectURL(this.original);
    this.original = what.blob ? URL.createObjectURL(what.blob) : null;
    $("try-original-box").hidden = !this.original;
    if (this.original) {
      $("try-original").src = this.original;
      $("try-original-note").textContent = `The image given: ${p.source}`;
    }
    const name = (k) => p.classes[k] ?? String(k);
    const verdict = [el("strong", { text: name(p.label) }), ` with probability ${pct(p.probabilities[p.label])}`];
    if (p.truth !== null && p.truth !== undefined) {
      const right = p.truth === p.label;
      verdict.push(el("span", { class: right ? "" : "error", text: right ? " — right" : ` — wrong: it is a ${name(p.truth)}` }));
    }
    verdict.push(el("br"), el("span", { class: "note", text: `${p.source}${p.members > 1 ? `, ${p.members} networks averaged` : ""}` }));
    $("try-verdict").replaceChildren(...verdict);
    const bars = [];
    p.probabilities.forEach((v, k) => {
      const fill = el("div", { class: "fill" + (k === p.label ? " top" : "") + (k === p.truth ? " truth" : "") });
      fill.style.width = `${Math.max(0, Math.min(100, 100 * (v || 0)))}%`;
      bars.push(el("span", { text: name(k) }), el("div", { class: "track" }, fill), el("span", { class: "pct", text: pct(v) }));
    });
    $("try-probs").replaceChildren(...bars);
    $("try-units-note").textContent = `h = max(0, W1·x + b1) for the normalised image x; the weights of each unit drawn as a 32×32 picture${p.members > 1 ? " (of the first network)" : ""}; ${p.units.length} of ${p.hidden} units are shown.`;
    $("try-units").replaceChildren(...p.units.map((u) => el("figure", {}, el("img", { src: u.weights, alt: `unit ${u.unit}` }), el("figcaption", { text: `unit ${u.unit} · h = ${short(u.activation)}` }))));
  },

  setup() {
    const drop = $("drop");
    drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (e) => {
      e.preventDefault();
      drop.classList.remove("over");
      const f = e.dataTransfer.files[0];
      if (f) this.classify({ blob: f });
    });
    $("file").addEventListener("change", (e) => { const f = e.target.files[0]; if (f) this.classify({ blob: f }); e.target.value = ""; });
    document.addEventListener("paste", (e) => {
      if ($("try").hidden) return;
      const item = [...(e.clipboardData ? e.clipboardData.items : [])].find((i) => i.type.startsWith("image/"));
      if (item) { e.preventDefault(); this.classify({ blob: item.getAsFile() }); }
    });
    const pick = (i) => this.pick(i);
    $("test-index").addEventListener("change", () => pick(parseInt($("test-index").value, 10) || 0));
    $("test-prev").addEventListener("click", () => pick((parseInt($("test-index").value, 10) || 0) - 1));
    $("test-next").addEventListener("click", () => pick((parseInt($("test-index").value, 10) || 0) + 1));
    $("test-random").addEventListener("click", () => pick(Math.floor(Math.random() * this.count)));
    $("model").addEventListener("change", () => { if (this.last) this.classify(this.last); });
  },
};

// ------------------------------------------------------------------ start

tryIt.setup();
connect();
showTab();
