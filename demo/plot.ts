/** A small log-scale line plot of the loss terms on a canvas (no charting library), and the run's loss recorder that draws it. */
import type { LossTerms } from '../src/nst/loss_terms.js';

export interface Series {
  name: string;
  color: string;
  values: number[];
}

/**
 * Draw at the canvas's displayed size (sharp at any width and pixel ratio). The legend sits in
 * its own band above the plot area, so it never covers the curves; the canvas's aria-label says
 * what the plot shows.
 */
export function drawLossPlot(canvas: HTMLCanvasElement, steps: number[], series: Series[]): void {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || canvas.width / dpr;
  const h = canvas.clientHeight || canvas.height / dpr;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const g = canvas.getContext('2d')!;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  const pad = { l: 44, r: 12, t: 28, b: 22 };
  g.clearRect(0, 0, w, h);
  g.font = '11px system-ui, sans-serif';
  const positive = series.flatMap((s) => s.values).filter((v) => v > 0 && Number.isFinite(v));
  if (steps.length < 1 || positive.length === 0) {
    g.fillStyle = '#5d6170';
    g.fillText('Loss plot: drawn as the run goes (log scale, lower is better).', pad.l, h / 2);
    canvas.setAttribute('aria-label', 'Loss plot: empty until a run starts.');
    return;
  }
  let lo = Math.floor(Math.log10(Math.min(...positive)));
  let hi = Math.ceil(Math.log10(Math.max(...positive)));
  if (hi === lo) { hi += 1; lo -= 1; }
  const maxStep = Math.max(1, steps[steps.length - 1]);
  const X = (s: number) => pad.l + (s / maxStep) * (w - pad.l - pad.r);
  const Y = (v: number) => pad.t + ((hi - Math.log10(v)) / (hi - lo)) * (h - pad.t - pad.b);
  g.strokeStyle = '#dde';
  g.fillStyle = '#5d6170';
  g.lineWidth = 1;
  const every = Math.ceil((hi - lo + 1) / 6); // at most ~6 grid lines
  for (let e = lo; e <= hi; e += every) {
    g.beginPath(); g.moveTo(pad.l, Y(10 ** e)); g.lineTo(w - pad.r, Y(10 ** e)); g.stroke();
    g.fillText(`1e${e}`, 6, Y(10 ** e) + 4);
  }
  const last = `step ${maxStep}`;
  g.fillText(last, w - pad.r - g.measureText(last).width, h - 6);
  g.fillText('step 0', pad.l, h - 6);
  let x = pad.l;
  for (const s of series) {
    g.strokeStyle = s.color;
    g.lineWidth = 1.5;
    g.beginPath();
    let started = false;
    s.values.forEach((v, i) => {
      if (!(v > 0)) return;
      if (!started) { g.moveTo(X(steps[i]), Y(v)); started = true; } else g.lineTo(X(steps[i]), Y(v));
    });
    g.stroke();
    // legend: a short line and the name, in the band above the plot area
    g.beginPath(); g.moveTo(x, 12); g.lineTo(x + 14, 12); g.stroke();
    g.fillStyle = s.color;
    g.fillText(s.name, x + 18, 16);
    x += 18 + g.measureText(s.name).width + 16;
  }
  const total = series[0].values;
  canvas.setAttribute('aria-label', `Loss plot, log scale: ${series[0].name} loss ${total[0].toExponential(2)} at step ${steps[0]}, ${total[total.length - 1].toExponential(2)} at step ${maxStep}.`);
}

// ---------------------------------------------------------------- a run's losses

interface History { steps: number[]; content: number[]; style: number[]; tv: number[]; total: number[] }

/** Reports in the current run's loss plot: it is drawn (and shown) from two on, a line, not a lone point. */
export const plotted = { count: 0 };

/**
 * A fresh loss plot; the returned function adds a report to it (TV drawn weighted by `tvWeight`).
 * The plot of the run before stays until this one has two reports (no axes-only flash, and no
 * jump of the page below it, when the fast preview restarts); showStage hides it when the run ends
 * with fewer, or its result is not shown.
 */
export function lossRecorder(tvWeight: number): (step: number, t: LossTerms) => void {
  const hist: History = { steps: [], content: [], style: [], tv: [], total: [] };
  plotted.count = 0;
  return (step, t) => {
    hist.steps.push(step);
    hist.content.push(t.contentTotal);
    hist.style.push(t.styleTotal);
    hist.tv.push(t.tv * tvWeight);
    hist.total.push(t.total);
    (window as unknown as { nstHistory: History }).nstHistory = hist;
    plotted.count = hist.steps.length;
    if (plotted.count < 2) return;
    document.getElementById('plot')!.hidden = false;
    drawLossPlot(document.getElementById('plot') as HTMLCanvasElement, hist.steps, [
      { name: 'total', color: '#222', values: hist.total },
      { name: 'content', color: '#1f6fb8', values: hist.content },
      { name: 'style', color: '#c0392b', values: hist.style },
      { name: 'TV', color: '#2e8b3a', values: hist.tv },
    ]);
  };
}

