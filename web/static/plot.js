// The live plot: the distances to the equilibrium and the gap against the
// simulated time, on a log scale (decades marked), as `mflda plot` draws
// metrics.csv.

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

// Series drawn from a metrics row's columns: L2 (solid) and KL (dashed) of
// each species, the linearised W2 when measured, and the gap (black).
export function series(columns) {
  const out = [];
  const species = columns.filter((c) => c.startsWith("l2_")).map((c) => c.slice(3));
  species.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    out.push({ column: `l2_${s}`, label: `L2 ${s}`, color, dash: [] });
    out.push({ column: `kl_${s}`, label: `KL ${s}`, color, dash: [5, 4] });
    if (columns.includes(`w2lin_${s}`)) {
      out.push({ column: `w2lin_${s}`, label: `W2lin ${s}`, color, dash: [1, 3] });
    }
  });
  if (columns.includes("ni")) out.push({ column: "ni", label: "gap", color: "#000", dash: [] });
  return out;
}

// Draws `history` ([{t, values: {column: value}}]) on `canvas`.
export function drawPlot(canvas, history, lines) {
  const g = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height;
  const left = 56, right = 110, top = 12, bottom = 30;
  g.clearRect(0, 0, W, H);
  g.font = "12px system-ui, sans-serif";
  g.fillStyle = "#222";
  if (history.length < 1) return;
  const t0 = history[0].t, t1 = Math.max(history[history.length - 1].t, t0 + 1e-12);
  let lo = Infinity, hi = -Infinity;
  for (const row of history) {
    for (const s of lines) {
      const v = row.values[s.column];
      if (v > 0 && Number.isFinite(v)) {
        lo = Math.min(lo, Math.log10(v));
        hi = Math.max(hi, Math.log10(v));
      }
    }
  }
  if (!Number.isFinite(lo)) return;
  lo = Math.floor(lo);
  hi = Math.max(Math.ceil(hi), lo + 1);
  const x = (t) => left + ((t - t0) / (t1 - t0)) * (W - left - right);
  const y = (v) => top + ((hi - Math.log10(v)) / (hi - lo)) * (H - top - bottom);
  g.strokeStyle = "#ddd";
  g.lineWidth = 1;
  const step = Math.max(1, Math.ceil((hi - lo) / 8));
  for (let d = lo; d <= hi; d += step) {
    const yy = y(10 ** d);
    g.beginPath();
    g.moveTo(left, yy);
    g.lineTo(W - right, yy);
    g.stroke();
    g.fillText(`1e${d}`, 6, yy + 4);
  }
  g.fillText(`t = ${t0.toFixed(2)}`, left, H - 10);
  g.textAlign = "right";
  g.fillText(`t = ${t1.toFixed(2)}`, W - right, H - 10);
  g.textAlign = "left";
  lines.forEach((s, k) => {
    g.strokeStyle = s.color;
    g.setLineDash(s.dash);
    g.lineWidth = 1.5;
    g.beginPath();
    let drawing = false;
    for (const row of history) {
      const v = row.values[s.column];
      if (!(v > 0 && Number.isFinite(v))) {
        drawing = false;
        continue;
      }
      if (drawing) g.lineTo(x(row.t), y(v));
      else g.moveTo(x(row.t), y(v));
      drawing = true;
    }
    g.stroke();
    const ly = top + 14 * k + 6;
    g.beginPath();
    g.moveTo(W - right + 8, ly);
    g.lineTo(W - right + 30, ly);
    g.stroke();
    g.setLineDash([]);
    g.fillText(s.label, W - right + 34, ly + 4);
  });
  g.setLineDash([]);
}
