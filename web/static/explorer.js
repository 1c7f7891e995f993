// The page: the config editor, the controls and the live views around the
// wasm module's Explorer (web/src/explorer.rs). `window.mflda` exposes the
// same functions the buttons call, for scripts and for the tests.

import init, { Explorer, check_config, default_config, presets } from "./mflda_web.js";
import { getKey, setKey } from "./toml.js";
import { drawPlot, series } from "./plot.js";

const $ = (id) => document.getElementById(id);
const CURVE_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

const state = {
  explorer: null,
  info: null, // the reply of the last load
  running: false,
  busy: false,
  loading: null, // the load in flight
  steps: 0,
  t: 0,
  history: [],
  lines: [],
  perFrame: 1,
  rate: 0,
};

// --- messages and status --------------------------------------------------

function message(text) {
  $("message").textContent = text || "";
}

function status(text) {
  $("status").textContent = text;
}

function describe() {
  if (!state.info) return;
  const eq = state.info.equilibrium;
  const grid = state.info.n2 > 1 ? `${state.info.n2}x${state.info.n1}` : `${state.info.n1}`;
  status(
    `grid ${grid} · dt ${state.info.dt.toPrecision(3)} · step ${state.steps} · ` +
      `t = ${state.t.toFixed(3)}` +
      (state.running ? ` · ${state.rate.toFixed(0)} steps/s` : "") +
      ` · equilibrium: residual ${eq.residual.toExponential(2)} after ${eq.iterations} iterations (${eq.stop})`,
  );
}

function buttons() {
  const loaded = !!state.info;
  $("start").disabled = state.running || state.busy || !loaded;
  $("pause").disabled = !state.running;
  $("step").disabled = state.running || state.busy || !loaded;
  $("export-png").disabled = !loaded || (state.busy && !state.running);
}

// --- the config and its controls -------------------------------------------

const isGame = (text) => /^\s*\[game\]/m.test(text);

// A slider spans [lo, hi] on a log scale.
const SLIDERS = {
  tau: { lo: 0.01, hi: 2, key: (text) => (isGame(text) ? ["game", "tau"] : ["species", "tau"]) },
  eta: { lo: 0.1, hi: 10, key: (text) => (isGame(text) ? ["game", "eta"] : null) },
  dt: { lo: 1e-4, hi: 0.1, key: () => ["time", "dt"] },
};

const toSlider = (s, v) => Math.round((1000 * Math.log(v / s.lo)) / Math.log(s.hi / s.lo));
const fromSlider = (s, x) => Number((s.lo * (s.hi / s.lo) ** (x / 1000)).toPrecision(3));

function syncControls() {
  const text = $("editor").value;
  for (const [name, s] of Object.entries(SLIDERS)) {
    const key = s.key(text);
    const input = $(name);
    input.disabled = !key;
    input.title = key ? `${key[0]}.${key[1]}` : "a species system gives each species its own rate";
    let v = key ? getKey(text, ...key) : undefined;
    if (name === "dt" && typeof v !== "number" && state.info) v = state.info.dt;
    if (name === "eta" && key && v === undefined) v = 1;
    $(`${name}-value`).textContent = typeof v === "number" ? String(v) : key ? "auto" : "-";
    if (typeof v === "number") input.value = toSlider(s, Math.min(Math.max(v, s.lo), s.hi));
  }
  const n = getKey(text, "grid", "n");
  if (typeof n === "number") $("grid").value = String(n);
}

function fillGrids() {
  const text = $("editor").value;
  const dim = getKey(text, "grid", "dim") === 1 ? 1 : 2;
  const species = isGame(text) ? 2 : Math.max(1, (text.match(/^\s*\[\[species\]\]/gm) || []).length);
  const largest = state.explorer ? state.explorer.largest_grid(dim, species) : 1024;
  const select = $("grid");
  select.innerHTML = "";
  // 64 to 1024, and beyond where the adapter holds more.
  for (let n = 64; n <= Math.max(1024, Math.min(largest, 8192)); n *= 2) {
    if (n > largest) break;
    select.add(new Option(dim === 2 ? `${n}^2` : `${n}`, String(n)));
  }
}

function setEditor(text) {
  $("editor").value = text;
  fillGrids();
  syncControls();
  message(check_config(text));
}

// --- loading ----------------------------------------------------------------

// Loads the editor's config (`keep`: the densities of the run so far carry
// over); false when it does not check or load, the message shown. A load
// in flight is stopped first (its equilibrium solve stops at its next check).
async function load(keep) {
  if (state.loading) {
    state.explorer.stop();
    await state.loading;
  }
  state.loading = loadNow(keep).finally(() => (state.loading = null));
  return state.loading;
}

async function loadNow(keep) {
  const text = $("editor").value;
  const problem = check_config(text);
  message(problem);
  if (problem) return false;
  const wasRunning = state.running;
  await pause();
  state.busy = true;
  buttons();
  status("sampling the config and solving its equilibrium...");
  const poll = setInterval(() => {
    const p = JSON.parse(state.explorer.progress());
    if (p.phase === "equilibrium") status(`solving the equilibrium: ${p.note}`);
  }, 250);
  try {
    state.info = JSON.parse(await state.explorer.load(text, keep));
  } catch (e) {
    message(String(e.message || e));
    state.info = null;
    status("not loaded: see the message under the config");
    return false;
  } finally {
    clearInterval(poll);
    state.busy = false;
    buttons();
  }
  state.history = [];
  state.lines = series(state.info.metrics.columns);
  record(state.info.metrics);
  makePanels();
  await draw();
  syncControls();
  updateLink(false);
  if (wasRunning && keep) start();
  return true;
}

function record(m) {
  state.steps = m.steps;
  state.t = m.t;
  const values = {};
  m.columns.forEach((c, i) => (values[c] = m.values[i]));
  state.history.push({ t: m.t, values });
  if (state.history.length > 4000) state.history.splice(0, state.history.length - 4000);
}

// --- drawing ----------------------------------------------------------------

function makePanels() {
  const { names, n1, n2 } = state.info;
  const box = $("panels");
  box.innerHTML = "";
  if (n2 === 1) {
    const c = document.createElement("canvas");
    c.width = 560;
    c.height = 220;
    c.className = "line";
    c.id = "panel-all";
    box.append(c);
    return;
  }
  names.forEach((name, i) => {
    const fig = document.createElement("figure");
    const c = document.createElement("canvas");
    c.width = n1;
    c.height = n2;
    c.id = `panel-${i}`;
    const cap = document.createElement("figcaption");
    cap.textContent = name;
    fig.append(c, cap);
    box.append(fig);
  });
}

function drawCurves(canvas, fields, names) {
  const g = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height, pad = 24;
  let hi = 0;
  for (const f of fields) for (const v of f) hi = Math.max(hi, v);
  hi = hi > 0 ? hi * 1.05 : 1;
  g.clearRect(0, 0, W, H);
  g.font = "12px system-ui, sans-serif";
  fields.forEach((f, k) => {
    g.strokeStyle = CURVE_COLORS[k % CURVE_COLORS.length];
    g.beginPath();
    f.forEach((v, j) => {
      const x = pad + (j / (f.length - 1)) * (W - 2 * pad);
      const y = H - pad - (v / hi) * (H - 2 * pad);
      if (j) g.lineTo(x, y);
      else g.moveTo(x, y);
    });
    g.stroke();
    g.fillStyle = g.strokeStyle;
    g.fillText(names[k], W - pad - 60, pad + 14 * k);
  });
}

async function draw() {
  const { names, n1, n2 } = state.info;
  const all = await state.explorer.densities();
  const n = n1 * n2;
  const fields = names.map((_, i) => all.subarray(i * n, (i + 1) * n));
  if (n2 === 1) {
    drawCurves($("panel-all"), fields, names);
  } else {
    fields.forEach((f, i) => {
      const rgba = state.explorer.colorize(f);
      const image = new ImageData(new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.length), n1, n2);
      $(`panel-${i}`).getContext("2d").putImageData(image, 0, 0);
    });
  }
  drawPlot($("plot"), state.history, state.lines);
  describe();
}

// --- stepping -----------------------------------------------------------------

async function advance(steps) {
  const m = JSON.parse(await state.explorer.advance(steps));
  record(m);
  await draw();
}

async function loop() {
  while (state.running) {
    const began = performance.now();
    try {
      await advance(state.perFrame);
    } catch (e) {
      state.running = false;
      message(String(e.message || e));
      break;
    }
    const took = performance.now() - began;
    state.rate = (1000 * state.perFrame) / Math.max(took, 1);
    // About 30 frames a second: more steps a frame on a fast device.
    if (took < 25 && state.perFrame < 4096) state.perFrame *= 2;
    else if (took > 60 && state.perFrame > 1) state.perFrame = Math.max(1, state.perFrame >> 1);
    await new Promise(requestAnimationFrame);
  }
  state.busy = false;
  buttons();
  describe();
}

function start() {
  if (state.running || state.busy || !state.info) return;
  message("");
  state.running = true;
  state.busy = true;
  buttons();
  state.stopped = loop();
}

async function pause() {
  if (!state.running) return;
  state.running = false;
  buttons();
  await state.stopped;
}

async function step() {
  if (state.running || state.busy || !state.info) return;
  state.busy = true;
  buttons();
  try {
    await advance(1);
  } catch (e) {
    message(String(e.message || e));
  } finally {
    state.busy = false;
    buttons();
  }
}

// Loads the editor's config afresh: its equilibrium and initial densities.
async function reset() {
  await pause();
  return load(false);
}

// --- export and links -----------------------------------------------------------

function download(blob, name) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

async function exportPng() {
  const wasRunning = state.running;
  await pause();
  const png = await state.explorer.png(`t = ${state.t.toFixed(3)}`);
  download(new Blob([png], { type: "image/png" }), `mflda-t${state.t.toFixed(3)}.png`);
  if (wasRunning) start();
}

function encode(text) {
  const bytes = new TextEncoder().encode(text);
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decode(data) {
  const s = atob(data.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(s, (c) => c.charCodeAt(0)));
}

function updateLink(show) {
  const url = `${location.origin}${location.pathname}#config=${encode($("editor").value)}`;
  history.replaceState(null, "", url);
  if (show) {
    $("link-text").hidden = false;
    $("link-text").value = url;
    $("link-text").select();
    navigator.clipboard?.writeText(url).catch(() => {});
  }
  return url;
}

// --- wiring -----------------------------------------------------------------------

async function sliderChanged(name) {
  const s = SLIDERS[name];
  const key = s.key($("editor").value);
  if (!key) return;
  const value = fromSlider(s, Number($(name).value));
  $("editor").value = setKey($("editor").value, ...key, value);
  syncControls();
  await load(true);
}

function wire() {
  const list = presets();
  list.forEach(([name], i) => $("preset").add(new Option(name, String(i))));
  $("preset").onchange = async () => {
    setEditor(list[Number($("preset").value)][1]);
    await reset();
  };
  let typing;
  $("editor").oninput = () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      message(check_config($("editor").value));
      fillGrids();
      syncControls();
    }, 250);
  };
  $("start").onclick = start;
  $("pause").onclick = pause;
  $("step").onclick = step;
  $("reset").onclick = reset;
  $("export-png").onclick = exportPng;
  $("export-config").onclick = () =>
    download(new Blob([$("editor").value], { type: "application/toml" }), "mflda.toml");
  $("link").onclick = () => updateLink(true);
  for (const name of Object.keys(SLIDERS)) {
    $(name).oninput = () => ($(`${name}-value`).textContent = String(fromSlider(SLIDERS[name], Number($(name).value))));
    $(name).onchange = () => sliderChanged(name);
  }
  $("grid").onchange = async () => {
    $("editor").value = setKey($("editor").value, "grid", "n", $("grid").value);
    await reset();
  };
}

async function main() {
  await init();
  wire();
  const hash = location.hash.match(/config=([A-Za-z0-9_-]+)/);
  let text = default_config();
  if (hash) {
    try {
      text = decode(hash[1]);
    } catch {
      message("the link's config could not be decoded; showing the default");
    }
  }
  setEditor(text);
  if (!navigator.gpu) {
    $("adapter").textContent = "no WebGPU in this browser";
    status("This browser has no WebGPU: use Chrome or Edge 113+ (or Firefox 141+ on Windows, Safari 26); see the README.");
    throw new Error("no WebGPU");
  }
  state.explorer = await Explorer.create();
  $("adapter").textContent = state.explorer.adapter();
  for (const note of state.explorer.notes()) {
    const li = document.createElement("li");
    li.textContent = note;
    $("notes").append(li);
  }
  fillGrids();
  syncControls();
  buttons();
  await load(false);
}

window.mflda = {
  state,
  load,
  start,
  pause,
  step,
  reset,
  setKey,
  getKey,
  ready: main().catch((e) => {
    status(`could not start: ${e.message || e}`);
    throw e;
  }),
};
