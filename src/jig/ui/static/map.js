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

  draw() {
    if (!this.w) return;
    const c = this.ctx;
    c.clearRect(0, 0, this.w, this.h);
    this._tiles();
    for (const layer of this.layers) for (const f of layer.features) if (f.geometry) this._geometry(f.geometry, layer.style(f));
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
          c.beginPath(); c.arc(x, y, 5, 0, 2 * Math.PI); c.fillStyle = p.color; c.fill();
          c.strokeStyle = "#fff"; c.lineWidth = 1; c.stroke();
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
  }

  _bubble(x, y, r, color, label) {
    const c = this.ctx;
    c.beginPath(); c.arc(x, y, r, 0, 2 * Math.PI); c.fillStyle = color; c.globalAlpha = 0.85; c.fill(); c.globalAlpha = 1;
    c.strokeStyle = "#fff"; c.lineWidth = 1; c.stroke();
    c.fillStyle = "#fff"; c.font = "bold 11px system-ui"; c.textAlign = "center"; c.textBaseline = "middle";
    c.fillText(label, x, y);
  }
}
