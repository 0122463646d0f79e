// A small canvas map in Web Mercator: pan, zoom, layers of GeoJSON, clustered points.
// No tile server is assumed; when one is configured its tiles are drawn underneath.
"use strict";

const TILE = 256;

function mercX(lon) { return (lon + 180) / 360; }
function mercY(lat) {
  const s = Math.sin((lat * Math.PI) / 180);
  return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
}
function unmercLon(x) { return x * 360 - 180; }
function unmercLat(y) {
  const n = Math.PI - 2 * Math.PI * y;
  return (180 / Math.PI) * Math.atan(0.5 * (Math.exp(n) - Math.exp(-n)));
}

// 1234 -> "1234", 12345 -> "12k": a count that fits in a bubble.
function compact(n) { return n < 10000 ? String(n) : n < 1e6 ? `${Math.round(n / 1000)}k` : `${(n / 1e6).toFixed(1)}M`; }

class JigMap {
  constructor(canvas, options) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.layers = [];       // {name, features, style(feature) -> {stroke, fill, width, dash}}
    this.points = [];       // {lon, lat, color, rank, data}
    this.cells = [];        // server-side counts: {at: [lon, lat], n, color, data}
    this.tileUrl = options.tileUrl || null;
    this.tiles = new Map();
    this.onclick = null;
    this.onmove = null;
    this.ondraw = null;     // after each drawing (the legend follows what is drawn)
    this.centre = { x: mercX(38.5), y: mercY(35.0) };
    this.zoom = 6.5;        // tile zoom level, fractional
    this.hits = [];         // clickable circles drawn last: {x, y, r, data}
    this._bind();
    this.resize();
  }

  get scale() { return TILE * 2 ** this.zoom; }

  toScreen(lon, lat) {
    const s = this.scale;
    return [(mercX(lon) - this.centre.x) * s + this.w / 2, (mercY(lat) - this.centre.y) * s + this.h / 2];
  }

  bbox() {
    const s = this.scale;
    const x0 = this.centre.x - this.w / 2 / s, x1 = this.centre.x + this.w / 2 / s;
    const y0 = this.centre.y - this.h / 2 / s, y1 = this.centre.y + this.h / 2 / s;
    return [unmercLon(x0), unmercLat(y1), unmercLon(x1), unmercLat(y0)];
  }

  fit(minLon, minLat, maxLon, maxLat) {
    this.centre = { x: (mercX(minLon) + mercX(maxLon)) / 2, y: (mercY(minLat) + mercY(maxLat)) / 2 };
    const dx = mercX(maxLon) - mercX(minLon), dy = mercY(minLat) - mercY(maxLat);
    const s = Math.min(this.w / dx, this.h / dy) * 0.9;
    this.zoom = Math.log2(s / TILE);
    this.draw();
  }

  resize() {
    const r = this.canvas.getBoundingClientRect();
    this.w = Math.max(200, r.width); this.h = Math.max(200, r.height);
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = this.w * dpr; this.canvas.height = this.h * dpr;
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.draw();
  }

  _bind() {
    let drag = null;
    this.canvas.addEventListener("mousedown", (e) => { drag = { x: e.clientX, y: e.clientY, moved: false }; });
    window.addEventListener("mouseup", (e) => {
      if (drag && !drag.moved) this._click(e);
      if (drag && drag.moved && this.onmove) this.onmove();
      drag = null;
    });
    window.addEventListener("mousemove", (e) => {
      if (!drag) return;
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 2) drag.moved = true;
      this.centre.x -= dx / this.scale; this.centre.y -= dy / this.scale;
      drag.x = e.clientX; drag.y = e.clientY;
      this.draw();
    });
    this.canvas.addEventListener("wheel", (e) => {
      e.preventDefault();
      this.zoomBy(e.deltaY < 0 ? 0.5 : -0.5);
    }, { passive: false });
    // Keyboard: arrows pan, + and - zoom.
    this.canvas.addEventListener("keydown", (e) => {
      const step = 80 / this.scale;
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (moves[e.key]) { this.centre.x += moves[e.key][0]; this.centre.y += moves[e.key][1]; this.draw(); this.onmove && this.onmove(); e.preventDefault(); }
      if (e.key === "+" || e.key === "=") { this.zoomBy(0.5); e.preventDefault(); }
      if (e.key === "-") { this.zoomBy(-0.5); e.preventDefault(); }
    });
    window.addEventListener("resize", () => this.resize());
  }

  zoomBy(d) {
    this.zoom = Math.min(16, Math.max(3, this.zoom + d));
    this.draw();
    if (this.onmove) this.onmove();
  }

  _click(e) {
    const r = this.canvas.getBoundingClientRect();
    const x = e.clientX - r.left, y = e.clientY - r.top;
    for (const h of this.hits.slice().reverse()) {
      if ((h.x - x) ** 2 + (h.y - y) ** 2 <= (h.r + 3) ** 2) { if (this.onclick) this.onclick(h.data); return; }
    }
  }

  _tiles() {
    if (!this.tileUrl) return;
    const z = Math.max(0, Math.min(18, Math.round(this.zoom)));
    const n = 2 ** z, size = TILE * 2 ** (this.zoom - z);
    const [lon0, lat1, lon1, lat0] = this.bbox();
    const tx0 = Math.floor(mercX(lon0) * n), tx1 = Math.floor(mercX(lon1) * n);
    const ty0 = Math.floor(mercY(lat1) * n), ty1 = Math.floor(mercY(lat0) * n);
    for (let tx = tx0; tx <= tx1; tx++) for (let ty = ty0; ty <= ty1; ty++) {
      const key = `${z}/${tx}/${ty}`;
      let img = this.tiles.get(key);
      if (!img) {
        img = new Image();
        img.onload = () => this.draw();
        img.src = this.tileUrl.replace("{z}", z).replace("{x}", tx).replace("{y}", ty);
        this.tiles.set(key, img);
      }
      if (img.complete && img.naturalWidth) {
        const [sx, sy] = this.toScreen(unmercLon(tx / n), unmercLat(ty / n));
        this.ctx.drawImage(img, sx, sy, size, size);
      }
    }
  }

  _path(coords) {
    const c = this.ctx;
    coords.forEach(([lon, lat], i) => { const [x, y] = this.toScreen(lon, lat); i ? c.lineTo(x, y) : c.moveTo(x, y); });
  }

  _geometry(g, st) {
    const c = this.ctx;
    const polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : null;
    const lines = g.type === "LineString" ? [g.coordinates] : g.type === "MultiLineString" ? g.coordinates : null;
    const pts = g.type === "Point" ? [g.coordinates] : g.type === "MultiPoint" ? g.coordinates : null;
    c.strokeStyle = st.stroke || "#555"; c.lineWidth = st.width || 1; c.setLineDash(st.dash || []);
    if (polys) for (const p of polys) {
      c.beginPath(); p.forEach((ring) => { this._path(ring); c.closePath(); });
      if (st.fill) { c.fillStyle = st.fill; c.fill("evenodd"); }
      c.stroke();
    }
    if (lines) for (const l of lines) { c.beginPath(); this._path(l); c.stroke(); }
    if (pts) for (const [lon, lat] of pts) {
      const [x, y] = this.toScreen(lon, lat);
      c.beginPath(); c.arc(x, y, st.radius || 5, 0, 2 * Math.PI);
      if (st.fill) { c.fillStyle = st.fill; c.fill(); }
      c.stroke();
    }
    c.setLineDash([]);
  }

  // Where a feature's label goes: the middle of its outer ring's extent (of its largest
  // part), or the point itself.
  _labelAt(g) {
    if (g.type === "Point") return g.coordinates;
    const rings = g.type === "Polygon" ? [g.coordinates[0]] : g.type === "MultiPolygon" ? g.coordinates.map((p) => p[0])
      : g.type === "LineString" ? [g.coordinates] : null;
    if (!rings) return null;
    let best = null, area = -1;
    for (const ring of rings) {
      const xs = ring.map((p) => p[0]), ys = ring.map((p) => p[1]);
      const box = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
      const a = (box[2] - box[0]) * (box[3] - box[1]);
      if (a > area) { area = a; best = [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2]; }
    }
    return best;
  }

  _label(x, y, text, color) {
    const c = this.ctx;
    c.font = "bold 12px system-ui, sans-serif"; c.textAlign = "center"; c.textBaseline = "middle";
    c.lineWidth = 3; c.strokeStyle = "rgba(255,255,255,.9)"; c.setLineDash([]);
    c.strokeText(text, x, y); c.fillStyle = color || "#1b2b3a"; c.fillText(text, x, y);
  }

  draw() {
    if (!this.w) return;
    const c = this.ctx;
    c.clearRect(0, 0, this.w, this.h);
    this._tiles();
    const labels = [];
    for (const layer of this.layers) for (const f of layer.features) {
      if (!f.geometry) continue;
      const st = layer.style(f);
      this._geometry(f.geometry, st);
      if (st.label) { const at = this._labelAt(f.geometry); if (at) labels.push([at, st]); }
    }
    // Labels over every shape, so that no zone hides another's name; where two would
    // overlap, the first drawn keeps its place.
    this.labels = [];
    for (const [[lon, lat], st] of labels) {
      const [x, y] = this.toScreen(lon, lat);
      const yy = y + (st.labelDy || 0);
      if (x < 0 || yy < 0 || x > this.w || yy > this.h) continue;
      const w = this.ctx.measureText(st.label).width / 2 + 4;
      if (this.labels.some((l) => Math.abs(l.x - x) < l.w + w && Math.abs(l.y - yy) < 14)) continue;
      this._label(x, yy, st.label, st.labelColor);
      this.labels.push({ x, y: yy, w, text: st.label });
    }
    // Counts per grid cell from the server, when too many incidents are in view to draw one
    // by one: every incident is counted, none is drawn alone.
    this.hits = [];
    for (const cell of this.cells) {
      const [x, y] = this.toScreen(cell.at[0], cell.at[1]);
      if (x < -30 || y < -30 || x > this.w + 30 || y > this.h + 30) continue;
      const r = 7 + Math.min(15, Math.log10(cell.n) * 4);
      this._bubble(x, y, r, cell.color, compact(cell.n));
      this.hits.push({ x, y, r, data: cell.data });
    }
    // Points are clustered on a grid of 36 px: a number where several share a cell.
    const cells = new Map();
    for (const p of this.points) {
      const [x, y] = this.toScreen(p.lon, p.lat);
      if (x < -10 || y < -10 || x > this.w + 10 || y > this.h + 10) continue;
      const key = `${Math.floor(x / 36)},${Math.floor(y / 36)}`;
      const cell = cells.get(key);
      if (cell) cell.push([x, y, p]); else cells.set(key, [[x, y, p]]);
    }
    for (const group of cells.values()) {
      if (group.length === 1 || this.zoom > 11) {
        for (const [x, y, p] of group) {
          JigMap.marker(c, x, y, p.shape, p.color);
          this.hits.push({ x, y, r: 5, data: p.data });
        }
      } else {
        const x = group.reduce((s, g) => s + g[0], 0) / group.length;
        const y = group.reduce((s, g) => s + g[1], 0) / group.length;
        const members = group.map((g) => g[2]).sort((a, b) => a.rank - b.rank);
        const r = 8 + Math.min(12, Math.log2(group.length) * 2);
        this._bubble(x, y, r, members[0].color, String(group.length));
        // A cluster: its most severe incident, and all of its members for the list.
        this.hits.push({ x, y, r, data: Object.assign({}, members[0].data, { cluster: members.map((m) => m.data) }) });
      }
    }
    if (this.ondraw) this.ondraw();
  }

  // An incident's mark: the verdict by shape as well as by colour (a triangle for a breach,
  // a diamond undetermined, a square excepted, a circle complies, a small ring not applicable).
  static marker(c, x, y, shape, color) {
    c.beginPath();
    if (shape === "triangle") { c.moveTo(x, y - 7); c.lineTo(x + 6.5, y + 5); c.lineTo(x - 6.5, y + 5); c.closePath(); }
    else if (shape === "diamond") { c.moveTo(x, y - 7); c.lineTo(x + 6, y); c.lineTo(x, y + 7); c.lineTo(x - 6, y); c.closePath(); }
    else if (shape === "square") c.rect(x - 5, y - 5, 10, 10);
    else c.arc(x, y, shape === "ring" ? 4 : 5.5, 0, 2 * Math.PI);
    c.fillStyle = shape === "ring" ? "#fff" : color; c.fill();
    c.strokeStyle = shape === "ring" ? color : "#fff"; c.lineWidth = shape === "ring" ? 2 : 1.2; c.setLineDash([]); c.stroke();
  }

  static light(hex) {
    const n = parseInt(String(hex).slice(1), 16);
    if (Number.isNaN(n) || String(hex).length !== 7) return false;
    return 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255) > 150;
  }

  // A legend's sample of what a layer draws: the same style on a small canvas.
  swatch(canvas, kind, st) {
    const c = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
    c.clearRect(0, 0, w, h);
    c.strokeStyle = st.stroke || "#555"; c.lineWidth = st.width || 1; c.setLineDash(st.dash || []);
    c.beginPath();
    if (kind === "area") { c.rect(2, 3, w - 4, h - 6); if (st.fill) { c.fillStyle = st.fill; c.fill(); } c.stroke(); }
    else if (kind === "line") { c.moveTo(2, h / 2); c.lineTo(w - 2, h / 2); c.stroke(); }
    else if (kind === "marker") JigMap.marker(c, w / 2, h / 2, st.shape, st.color);
    else if (kind === "bubble") { c.arc(w / 2, h / 2, h / 2 - 1, 0, 2 * Math.PI); c.fillStyle = st.color; c.fill(); }
    else { c.arc(w / 2, h / 2, Math.min(st.radius || 5, h / 2 - 2), 0, 2 * Math.PI); if (st.fill) { c.fillStyle = st.fill; c.fill(); } c.stroke(); }
    c.setLineDash([]);
  }

  _bubble(x, y, r, color, label) {
    const c = this.ctx;
    c.beginPath(); c.arc(x, y, r, 0, 2 * Math.PI); c.fillStyle = color; c.globalAlpha = 0.85; c.fill(); c.globalAlpha = 1;
    c.strokeStyle = "#fff"; c.lineWidth = 1; c.stroke();
    // Dark figures on light colours (the undetermined yellow), white on the others.
    c.fillStyle = JigMap.light(color) ? "#111" : "#fff"; c.font = "bold 11px system-ui"; c.textAlign = "center"; c.textBaseline = "middle";
    c.fillText(label, x, y);
  }
}
