/** A small log-scale line plot of the loss terms on a canvas (no charting library). */
export interface Series {
  name: string;
  color: string;
  values: number[];
}

export function drawLossPlot(canvas: HTMLCanvasElement, steps: number[], series: Series[]): void {
  const g = canvas.getContext('2d')!;
  const { width: w, height: h } = canvas;
  const pad = { l: 52, r: 10, t: 10, b: 24 };
  g.clearRect(0, 0, w, h);
  g.font = '11px system-ui';
  const positive = series.flatMap((s) => s.values).filter((v) => v > 0 && Number.isFinite(v));
  if (steps.length < 1 || positive.length === 0) {
    g.fillStyle = '#889';
    g.fillText('loss plot: starts with the run', pad.l, h / 2);
    return;
  }
  let lo = Math.floor(Math.log10(Math.min(...positive)));
  let hi = Math.ceil(Math.log10(Math.max(...positive)));
  if (hi === lo) { hi += 1; lo -= 1; }
  const maxStep = Math.max(1, steps[steps.length - 1]);
  const X = (s: number) => pad.l + (s / maxStep) * (w - pad.l - pad.r);
  const Y = (v: number) => pad.t + ((hi - Math.log10(v)) / (hi - lo)) * (h - pad.t - pad.b);
  g.strokeStyle = '#dde';
  g.fillStyle = '#667';
  for (let e = lo; e <= hi; e++) {
    g.beginPath(); g.moveTo(pad.l, Y(10 ** e)); g.lineTo(w - pad.r, Y(10 ** e)); g.stroke();
    g.fillText(`1e${e}`, 8, Y(10 ** e) + 4);
  }
  g.fillText(`step ${maxStep}`, w - pad.r - 50, h - 6);
  series.forEach((s, k) => {
    g.strokeStyle = s.color;
    g.lineWidth = 1.5;
    g.beginPath();
    let started = false;
    s.values.forEach((v, i) => {
      if (!(v > 0)) return;
      if (!started) { g.moveTo(X(steps[i]), Y(v)); started = true; } else g.lineTo(X(steps[i]), Y(v));
    });
    g.stroke();
    g.fillStyle = s.color;
    g.fillText(s.name, pad.l + 8 + k * 70, pad.t + 12);
  });
}
