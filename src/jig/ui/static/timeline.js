// Findings over time: a histogram of incidents per day by verdict (counted by the server),
// with a brush to choose the period and keys to move it.
"use strict";

const DAY_MS = 86400000;

function dayNumber(iso) { return Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY_MS); }
function dayIso(n) { return new Date(n * DAY_MS).toISOString().slice(0, 10); }

class Timeline {
  constructor(canvas, colors, order) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.colors = colors;
    this.order = order;      // verdicts bottom to top
    this.first = null;       // day numbers of the histogram's span
    this.last = null;
    this.days = new Map();   // day number -> {verdict: n}
    this.from = null;        // the chosen period, day numbers, inclusive
    this.to = null;
    this.onchange = null;    // (fromIso, toIso) when the brush or the keys choose a period
    this._bind();
  }

  set(first, last, days) {
    this.first = dayNumber(first); this.last = dayNumber(last);
    this.days = new Map(days.map((d) => [dayNumber(d.day), d.counts]));
    this.draw();
  }

  choose(from, to) {
    this.from = from ? dayNumber(from) : null; this.to = to ? dayNumber(to) : null;
    this.draw();
  }

  _dayAt(clientX) {
    const r = this.canvas.getBoundingClientRect();
    const span = this.last - this.first + 1;
    let x = (clientX - r.left) / r.width;
    if (document.documentElement.dir === "rtl") x = 1 - x;
    return this.first + Math.max(0, Math.min(span - 1, Math.floor(x * span)));
  }

  _bind() {
    let start = null;
    this.canvas.addEventListener("mousedown", (e) => { if (this.first === null) return; start = this._dayAt(e.clientX); this.from = this.to = start; this.draw(); });
    window.addEventListener("mousemove", (e) => {
      if (start === null) return;
      const d = this._dayAt(e.clientX);
      this.from = Math.min(start, d); this.to = Math.max(start, d); this.draw();
    });
    window.addEventListener("mouseup", () => {
      if (start === null) return;
      start = null;
      if (this.onchange) this.onchange(dayIso(this.from), dayIso(this.to));
    });
    // Keyboard: arrows move the period by a day, keeping its length.
    this.canvas.addEventListener("keydown", (e) => {
      const step = { ArrowLeft: -1, ArrowRight: 1 }[e.key];
      if (!step || this.from === null || this.to === null) return;
      e.preventDefault();
      const move = document.documentElement.dir === "rtl" ? -step : step;
      if (this.from + move < this.first || this.to + move > this.last) return;
      this.from += move; this.to += move; this.draw();
      if (this.onchange) this.onchange(dayIso(this.from), dayIso(this.to));
    });
    window.addEventListener("resize", () => this.draw());
  }

  draw() {
    const r = this.canvas.getBoundingClientRect();
    const w = Math.max(100, r.width), h = Math.max(30, r.height);
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = w * dpr; this.canvas.height = h * dpr;
    const c = this.ctx;
    c.setTransform(dpr, 0, 0, dpr, 0, 0);
    c.clearRect(0, 0, w, h);
    if (this.first === null) return;
    const span = this.last - this.first + 1, bw = w / span;
    const rtl = document.documentElement.dir === "rtl";
    const xOf = (d) => (rtl ? w - (d - this.first + 1) * bw : (d - this.first) * bw);
    let most = 1;
    for (const counts of this.days.values()) most = Math.max(most, Object.values(counts).reduce((a, b) => a + b, 0));
    if (this.from !== null && this.to !== null) {
      c.fillStyle = "rgba(91,122,153,.18)";
      const x0 = Math.min(xOf(this.from), xOf(this.to)), x1 = Math.max(xOf(this.from), xOf(this.to)) + bw;
      c.fillRect(x0, 0, x1 - x0, h);
    }
    for (const [d, counts] of this.days) {
      let y = h;
      for (const v of this.order) {
        const n = counts[v] || 0;
        if (!n) continue;
        const bh = (n / most) * (h - 4);
        c.fillStyle = this.colors[v] || "#888";
        c.fillRect(xOf(d) + 0.5, y - bh, Math.max(1, bw - 1), bh);
        y -= bh;
      }
    }
  }
}
