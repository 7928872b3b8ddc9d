// corridor-map's map host (Streamlit Custom Component v2, no iframe).
//
// Python sends small state (bundle URL, selection, overlays, mode); the map itself comes
// from a content-addressed static file (the folium-built "map bundle") that the browser
// fetches once and caches. Clicks show a preview at once from data in the bundle and
// send only an id (or a point) back; pan, zoom, hover and layer toggles never reach the
// server. Every string from the data is written with textContent, never as HTML.

const HOST_CLASS = "cm-map-root";
const LABEL_PANE = "cmLabels";
const HIGHLIGHT_PANE = "cmHighlight";
const OVERLAY_PANE = "cmOverlay";

const loaded = {};
function loadScript(url) {
  if (!loaded[url]) {
    loaded[url] = new Promise((resolve, reject) => {
      const el = document.createElement("script");
      el.src = url;
      el.async = true;
      el.onload = () => resolve();
      el.onerror = () => {
        delete loaded[url];
        el.remove();
        reject(new Error("failed to load " + url));
      };
      document.head.appendChild(el);
    });
  }
  return loaded[url];
}

function loadCss(url) {
  if (document.querySelector(`link[data-cm-css="${CSS.escape(url)}"]`)) return;
  const el = document.createElement("link");
  el.rel = "stylesheet";
  el.href = url;
  el.dataset.cmCss = url;
  document.head.appendChild(el);
}

function text(tag, content, className) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  el.textContent = content == null ? "" : String(content);
  return el;
}

// ------------------------------------------------------------------ URL view state
// The map's centre and zoom live in the URL (?at=lat,lon,zoom) without a rerun: written
// with history.replaceState on moveend, and merged back whenever Streamlit rewrites the
// query string.
const VIEW_PARAM = "at";
let currentView = null;
function withView(url) {
  if (!currentView) return url;
  try {
    const u = new URL(url == null ? window.location.href : url, window.location.href);
    u.searchParams.set(VIEW_PARAM, currentView);
    return u.toString();
  } catch (e) {
    return url;
  }
}
if (!window.__cmHistoryPatched) {
  window.__cmHistoryPatched = true;
  for (const name of ["replaceState", "pushState"]) {
    const original = window.history[name].bind(window.history);
    window.history[name] = (state, title, url) => original(state, title, url == null ? url : withView(url));
    window.history["__cm_" + name] = original;
  }
}
function writeView(map) {
  const c = map.getCenter();
  currentView = `${c.lat.toFixed(5)},${c.lng.toFixed(5)},${map.getZoom()}`;
  const u = new URL(window.location.href);
  u.searchParams.set(VIEW_PARAM, currentView);
  window.history.__cm_replaceState(window.history.state, "", u.toString());
}

// ------------------------------------------------------------------ labels
// Greedy placement in rank order: a label is drawn when its zoom range includes the
// current zoom and its box overlaps no label already placed.
class Labels {
  constructor(map, records) {
    this.map = map;
    this.records = records;
    this.pane = map.getPane(LABEL_PANE) || map.createPane(LABEL_PANE);
    this.pane.style.zIndex = 645;
    this.pane.style.pointerEvents = "none";
    this.nodes = records.map((r) => {
      const el = text("div", r.text, `cm-label cm-label-${r.kind}` + (r.corridor ? ` cm-c-${r.corridor}` : ""));
      el.dataset.id = r.id;
      el.dataset.rank = r.rank;
      el.style.display = "none";
      this.pane.appendChild(el);
      return el;
    });
    this.sizes = null;
    this.hidden = new Set();
    this.update = this.update.bind(this);
    map.on("zoomend moveend resize overlayadd overlayremove", this.update);
  }
  measure() {
    // Write, then read, then write: one layout for all labels, not one per label (a
    // forced layout each took ~60-90 ms for ~300 labels on the first paint).
    for (const el of this.nodes) {
      el.style.display = "block";
      el.style.visibility = "hidden";
    }
    this.sizes = this.nodes.map((el) => [el.offsetWidth, el.offsetHeight]);
    for (const el of this.nodes) {
      el.style.display = "none";
      el.style.visibility = "";
    }
  }
  update() {
    if (!this.sizes || this.sizes.every((s) => s[0] === 0)) this.measure();
    const map = this.map;
    const zoom = map.getZoom();
    const view = map.getSize();
    // The map's own controls (zoom, layers, legend, scale, attribution, an open preview)
    // count as placed: a label never hides under one.
    const root = map.getContainer().getBoundingClientRect();
    const placed = [...map.getContainer().querySelectorAll(".leaflet-control")]
      .map((c) => c.getBoundingClientRect())
      .filter((b) => b.width > 0 && b.height > 0)
      .map((b) => [b.left - root.left, b.top - root.top, b.right - root.left, b.bottom - root.top]);
    const pad = 3;
    this.records.forEach((r, i) => {
      const el = this.nodes[i];
      const [w, h] = this.sizes[i];
      let visible = zoom >= (r.minZoom ?? 0) && zoom <= (r.maxZoom ?? 99) && !this.hidden.has(r.id);
      let box = null;
      if (visible) {
        const p = map.latLngToContainerPoint([r.lat, r.lon]);
        const x = r.kind === "point" || r.kind === "town" ? p.x + 9 : p.x - w / 2;
        const y = p.y - h / 2;
        box = [x - pad, y - pad, x + w + pad, y + h + pad];
        if (box[2] < 0 || box[3] < 0 || box[0] > view.x || box[1] > view.y) visible = false;
        else if (placed.some((b) => b[0] < box[2] && b[2] > box[0] && b[1] < box[3] && b[3] > box[1])) visible = false;
      }
      if (visible) {
        placed.push(box);
        const origin = map.containerPointToLayerPoint([box[0] + pad, box[1] + pad]);
        L.DomUtil.setPosition(el, origin);
        el.style.display = "block";
      } else {
        el.style.display = "none";
      }
    });
  }
  remove() {
    this.map.off("zoomend moveend resize overlayadd overlayremove", this.update);
    this.nodes.forEach((el) => el.remove());
  }
}

// ------------------------------------------------------------------ the map
function legendControl(meta) {
  const Control = L.Control.extend({
    options: { position: "bottomright" },
    onAdd() {
      const box = L.DomUtil.create("div", "cm-map-legend leaflet-bar");
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      const details = document.createElement("details");
      const summary = text("summary", meta.strings.legend);
      details.appendChild(summary);
      for (const row of meta.legend) {
        const line = document.createElement("div");
        line.className = "cm-legend-row";
        line.dataset.key = row.key;
        line.dataset.kind = row.kind;
        line.dataset.color = row.style.color || "";
        line.dataset.fill = row.style.fillColor || "";
        const sw = document.createElement("span");
        sw.className = "cm-swatch";
        sw.style.cssText = row.css;
        line.appendChild(sw);
        line.appendChild(text("span", row.label));
        details.appendChild(line);
      }
      box.appendChild(details);
      return box;
    },
  });
  return new Control();
}

// The layer control as collapsible groups, one per corridor and one for the reference
// layers: an entry "<group> · <layer>" goes under <group>, shown by its layer part. Leaflet
// rebuilds its list now and then: entries it puts back are grouped again.
function groupLayerControl(map) {
  const list = map.getContainer().querySelector(".leaflet-control-layers-overlays");
  if (!list) return;
  const regroup = () => {
    const loose = [...list.children].filter((el) => el.tagName === "LABEL");
    if (!loose.length) return;
    const groups = new Map([...list.querySelectorAll(":scope > details")].map((d) => [d.dataset.group, d]));
    for (const label of loose) {
      const name = label.querySelector("span span") || label.querySelector("span");
      const full = name ? name.textContent.trim() : "";
      const cut = full.indexOf(" · ");
      const group = cut > 0 ? full.slice(0, cut) : "";
      if (!group) continue;
      let box = groups.get(group);
      if (!box) {
        box = document.createElement("details");
        box.className = "cm-layer-group";
        box.dataset.group = group;
        box.appendChild(text("summary", group));
        list.appendChild(box);
        groups.set(group, box);
      }
      if (name) name.textContent = " " + full.slice(cut + 3);
      box.appendChild(label);
    }
  };
  regroup();
  new MutationObserver(regroup).observe(list, { childList: true });
}

function noticeControl() {
  const Control = L.Control.extend({
    options: { position: "topleft" },
    onAdd() {
      const box = L.DomUtil.create("div", "cm-map-notice");
      box.style.display = "none";
      return box;
    },
  });
  return new Control();
}

function previewControl(host) {
  const Control = L.Control.extend({
    options: { position: "bottomleft" },
    onAdd(map) {
      // The card lets the pointer through (map.css: pointer-events none but for its close
      // button): a drag that starts on it pans the map instead of selecting its text.
      // One card per map: moving it to another corner (placePreview) adds the control
      // again, and the card keeps its content.
      if (!host.previewBox || host.previewMap !== map) {
        host.previewBox = L.DomUtil.create("div", "cm-preview");
        host.previewBox.style.display = "none";
        host.previewMap = map;
      }
      return host.previewBox;
    },
  });
  return new Control();
}

function showPreview(host, id) {
  const box = host.previewBox;
  if (!box) return;
  const rec = host.meta.previews && host.meta.previews[id];
  box.replaceChildren();
  if (!rec) {
    box.style.display = "none";
    return;
  }
  // A short card: what was clicked and one figure. The excerpts are the panel's.
  const s = host.meta.strings;
  const close = text("button", "×", "cm-preview-close");
  close.type = "button";
  close.title = s.close;
  close.onclick = (e) => { L.DomEvent.stop(e); box.style.display = "none"; };
  box.appendChild(close);
  const head = text("div", rec.name, "cm-preview-name");
  if (rec.schematic) head.appendChild(text("span", s.schematic, "cm-badge"));
  box.appendChild(head);
  box.appendChild(text("div", `${rec.role} · ${rec.corridor}`, "cm-preview-meta"));
  if (rec.figure) box.appendChild(text("div", rec.figure, "cm-preview-figure"));
  box.appendChild(text("div", s.more.replace("{n}", String(rec.excerpts)), "cm-preview-more"));
  box.dataset.id = id;
  box.style.display = "block";
  placePreview(host);
}

// The card goes to the first map corner where it leaves the selected feature uncovered
// (bottom left, then top left, top right, bottom right), else where it covers the least
// of it. Corners hold the map's other controls too: Leaflet stacks them, never overlaps.
const PREVIEW_CORNERS = ["bottomleft", "topleft", "topright", "bottomright"];
function placePreview(host) {
  const box = host.previewBox;
  const id = box && box.style.display !== "none" ? box.dataset.id : null;
  const layers = id ? host.index[id] || [] : [];
  const map = host.map;
  const control = host.previewControl;
  if (!layers.length || !control || !hasSize(host)) return;
  const bounds = layerBounds(layers);
  if (!bounds || !bounds.isValid()) return;
  const pad = 12; // a point's symbol, and some air around the outline
  const a = map.latLngToContainerPoint(bounds.getNorthWest());
  const b = map.latLngToContainerPoint(bounds.getSouthEast());
  const shape = [Math.min(a.x, b.x) - pad, Math.min(a.y, b.y) - pad, Math.max(a.x, b.x) + pad, Math.max(a.y, b.y) + pad];
  const root = map.getContainer().getBoundingClientRect();
  const covered = () => {
    const r = box.getBoundingClientRect();
    const w = Math.min(shape[2], r.right - root.left) - Math.max(shape[0], r.left - root.left);
    const h = Math.min(shape[3], r.bottom - root.top) - Math.max(shape[1], r.top - root.top);
    return w > 0 && h > 0 ? w * h : 0;
  };
  let best = null;
  for (const corner of PREVIEW_CORNERS) {
    if (control.getPosition() !== corner) control.setPosition(corner);
    const area = covered();
    if (best === null || area < best[1]) best = [corner, area];
    if (area === 0) break;
  }
  if (control.getPosition() !== best[0]) control.setPosition(best[0]);
  box.dataset.corner = best[0];
  if (host.labels) host.labels.update();
}

function buildMap(host, bundle) {
  const meta = bundle.meta;
  host.root.replaceChildren();
  const div = document.createElement("div");
  div.id = meta.mapId;
  div.className = "cm-leaflet";
  div.style.background = meta.background;
  // Stretched over the root here, not only in map.css: the stylesheet may arrive after
  // this script, and a map built in a 0-pixel element opens at zoom 0.
  div.style.position = "absolute";
  div.style.inset = "0";
  host.root.appendChild(div);
  const built = bundle.build(L);
  const map = built.map;
  host.map = map;
  // Leaflet's keyboard handler focuses the map on mousedown and then restores the
  // *window's* scroll; Streamlit scrolls its own container, which would jump between
  // mousedown and mouseup and turn a click on a feature into a click on empty map.
  const container = map.getContainer();
  container.focus = (opts) => HTMLElement.prototype.focus.call(container, Object.assign({ preventScroll: true }, opts));
  // For tools and tests: the live map on its element, and how often a map was built.
  host.root.__cmMap = map;
  window.__cmBuilds = (window.__cmBuilds || 0) + 1;
  host.meta = meta;
  host.layers = built.layers;
  host.index = {};
  host.pointLayers = [];
  // Every curated feature layer in drawing order, for the document filter.
  host.curated = [];
  host.filterKey = null;
  map.createPane(HIGHLIGHT_PANE).style.zIndex = 630;
  map.getPane(HIGHLIGHT_PANE).style.pointerEvents = "none";
  map.createPane(OVERLAY_PANE).style.zIndex = 620;
  map.getPane(OVERLAY_PANE).style.pointerEvents = "none";
  for (const [name, layer] of Object.entries(built.layers)) {
    if (name.startsWith("ref_")) {
      // Reference shapes are not clickable, but a district can be outlined as the area an
      // unlocated place lies in.
      if (name === "ref_districts") layer.eachLayer((sub) => { (host.index[sub.feature.properties.id] = host.index[sub.feature.properties.id] || []).push(sub); });
      continue;
    }
    if (name.endsWith("-points")) host.pointLayers.push(layer);
    layer.eachLayer((sub) => {
      const id = sub.feature && sub.feature.properties && sub.feature.properties.id;
      if (!id) return;
      (host.index[id] = host.index[id] || []).push(sub);
      host.curated.push({ id, sub, layer });
      const rec = meta.previews && meta.previews[id];
      if (rec) {
        const tip = document.createElement("div");
        tip.appendChild(text("b", rec.name));
        tip.appendChild(text("div", rec.role + (rec.schematic ? ` · ${meta.strings.schematic}` : ""), "cm-tip-role"));
        if (rec.figure) tip.appendChild(text("div", rec.figure, "cm-tip-role"));
        sub.bindTooltip(tip, { sticky: true, direction: "top", opacity: 0.95 });
      }
    });
    layer.on("click", (e) => {
      const id = e.layer && e.layer.feature && e.layer.feature.properties.id;
      if (!id || host.mode !== "select") return;
      L.DomEvent.stopPropagation(e);
      host.onFeatureClick(id);
    });
    layer.on("mouseover", (e) => {
      if (e.layer && e.layer.setStyle) e.layer.setStyle({ weight: (e.layer.options.weight || 2) + 2 });
    });
    layer.on("mouseout", (e) => {
      if (e.layer) layer.resetStyle(e.layer);
    });
  }
  const raisePoints = () => host.pointLayers.forEach((l) => map.hasLayer(l) && l.bringToFront());
  map.on("overlayadd", raisePoints);
  raisePoints();

  // Zoom gates for context layers and the background colour of the offline basemap.
  const gate = () => {
    const z = map.getZoom();
    for (const g of meta.zoomGates) map.getContainer().classList.toggle(`cm-z-lt${g}`, z < g);
  };
  map.on("zoomend", gate);
  gate();

  groupLayerControl(map);
  legendControl(meta).addTo(map);
  host.notice = noticeControl().addTo(map);
  host.previewControl = previewControl(host).addTo(map);
  for (const tiles of built.tiles) {
    let failures = 0;
    tiles.on("tileerror", () => {
      failures += 1;
      if (failures === 3) {
        const box = host.notice.getContainer();
        box.textContent = meta.strings.tileError;
        box.style.display = "block";
      }
    });
    tiles.on("tileload", () => { failures = 0; });
  }
  host.labels = new Labels(map, meta.labels || []);
  map.on("moveend", () => writeView(map));
  map.on("click", (e) => {
    if (host.mode === "measure" || host.mode === "pick") host.onPoint(e.latlng);
  });
  // A new map has drawn no outline yet: the selection and the "lies within" outline of
  // the next state are drawn again (a language or basemap switch builds a new map).
  host.selected = null;
  host.contextKey = null;
  host.overlayKey = null;
  host.frameSeq = null;
  map.on("dragstart", () => { if (host.previewBox) host.previewBox.style.display = "none"; });
  // A zoom, or the map narrowing as the panel opens beside it, moves the feature under the
  // card: the card finds its corner again.
  map.on("zoomend resize", () => placePreview(host));
  map.invalidateSize({ animate: false });
  // The map's own element is watched too: its size can arrive after the root's (the
  // component's stylesheet that stretches it over the root may load after this script),
  // and the root, already at its height, would then report no change.
  new ResizeObserver(() => settle(host)).observe(div);
  setTimeout(() => settle(host), 0);
}

// A map built (or framed) while its element has no size (a page still being laid out)
// would fit its bounds into 0 pixels: zoom 0, a blank map. Until the element has a size,
// the opening view and the latest state wait; a ResizeObserver applies them then.
// "fill": the map reaches down to the viewport's bottom from where it starts on the page
// (as if the page were scrolled to its top), never shorter than MIN_FILL_PX. What stands
// above it (title, filter, notices) may change; each state and each resize measure again.
const MIN_FILL_PX = 420;
// The opening view's zoom at most (the roads' zoom gate is 10).
const OPEN_MAX_ZOOM = 9;
const FILL_MARGIN_PX = 10;
function scrollParent(el) {
  for (let p = el.parentElement; p; p = p.parentElement) {
    const o = getComputedStyle(p).overflowY;
    if ((o === "auto" || o === "scroll") && p.scrollHeight > p.clientHeight) return p;
  }
  return null;
}
function fitHeight(host) {
  const root = host.root;
  if (host.height !== "fill") {
    root.style.height = host.height || "70vh";
    return;
  }
  const parent = scrollParent(root);
  const top = root.getBoundingClientRect().top + (parent ? parent.scrollTop : window.scrollY);
  const px = Math.max(MIN_FILL_PX, Math.floor(window.innerHeight - top - FILL_MARGIN_PX));
  if (root.style.height !== `${px}px`) root.style.height = `${px}px`;
}

function hasSize(host) {
  const el = host.map && host.map.getContainer();
  return Boolean(el && el.clientWidth > 0 && el.clientHeight > 0);
}

function settle(host) {
  if (!host.map || !hasSize(host)) return;
  host.map.invalidateSize({ animate: false });
  if (host.openView) {
    const open = host.openView;
    host.openView = null;
    open();
  }
  if (host.waiting) {
    const data = host.waiting;
    host.waiting = null;
    apply(host, data);
  }
  if (host.labels) host.labels.update();
}

function layerBounds(layers) {
  let bounds = null;
  for (const l of layers) {
    const b = l.getBounds ? l.getBounds() : L.latLngBounds([l.getLatLng(), l.getLatLng()]);
    bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
  }
  return bounds;
}

function frameLayers(map, layers) {
  const bounds = layerBounds(layers);
  if (!bounds || !bounds.isValid()) return;
  const size = map.getSize();
  const pad = [Math.round(size.x * 0.18), Math.round(size.y * 0.18)];
  const isPoint = bounds.getNorthEast().equals(bounds.getSouthWest());
  if (isPoint) map.setView(bounds.getCenter(), Math.max(map.getZoom(), 13));
  else map.fitBounds(bounds, { padding: pad, maxZoom: 14 });
}

function drawHighlight(host, id, contextIds) {
  const map = host.map;
  if (host.highlight) host.highlight.remove();
  host.highlight = L.layerGroup().addTo(map);
  const draw = (ids, style, cls) => {
    for (const fid of ids || []) {
      for (const sub of host.index[fid] || []) {
        const gj = sub.toGeoJSON();
        L.geoJSON(gj, {
          pane: HIGHLIGHT_PANE,
          interactive: false,
          style: () => Object.assign({}, style, { className: cls }),
          pointToLayer: (_f, latlng) => L.circleMarker(latlng, Object.assign({ pane: HIGHLIGHT_PANE, radius: style.radius || 12 }, style, { className: cls, fill: false })),
        }).addTo(host.highlight);
      }
    }
  };
  draw(contextIds, host.meta.contextStyle, "cm-context-outline");
  draw(id ? [id] : [], host.meta.highlightStyle, "cm-selection-outline");
}

function drawOverlays(host, overlays) {
  const key = JSON.stringify(overlays || []);
  if (key === host.overlayKey) return;
  host.overlayKey = key;
  if (host.overlay) host.overlay.remove();
  host.overlay = L.layerGroup().addTo(host.map);
  for (const ov of overlays || []) {
    L.geoJSON(ov.geometry, {
      pane: OVERLAY_PANE,
      interactive: false,
      style: () => Object.assign({}, ov.style, { className: `cm-overlay cm-overlay-${ov.kind}` }),
      pointToLayer: (_f, latlng) => L.circleMarker(latlng, Object.assign({ pane: OVERLAY_PANE, radius: 5 }, ov.style, { className: `cm-overlay cm-overlay-${ov.kind}` })),
    }).addTo(host.overlay);
  }
}

// Show only the curated features whose ids are listed (null: all), with their labels.
// Hidden layers leave their groups (no hover, no click); on a change every curated layer
// is taken off and the shown ones put back in drawing order, so stacking stays as built.
function applyFilter(host, ids) {
  const key = ids ? JSON.stringify(ids) : "";
  if (key === host.filterKey) return;
  host.filterKey = key;
  const keep = ids ? new Set(ids) : null;
  for (const { sub, layer } of host.curated) if (layer.hasLayer(sub)) layer.removeLayer(sub);
  const hidden = new Set();
  for (const { id, sub, layer } of host.curated) {
    if (!keep || keep.has(id)) layer.addLayer(sub);
    else hidden.add(id);
  }
  host.pointLayers.forEach((l) => host.map.hasLayer(l) && l.bringToFront());
  host.map.getContainer().dataset.filtered = keep ? String(keep.size) : "";
  host.labels.hidden = hidden;
  host.labels.update();
}

function apply(host, data) {
  const map = host.map;
  if (!hasSize(host) || host.openView) {
    host.waiting = data;
    return;
  }
  // The element may have been laid out since the map was built: fit to its real size.
  map.invalidateSize({ animate: false });
  host.mode = data.mode || "select";
  map.getContainer().classList.toggle("cm-mode-point", host.mode !== "select");
  const selected = data.selected || null;
  const contextKey = JSON.stringify(data.context || []);
  if (selected !== host.selected || contextKey !== host.contextKey) {
    host.selected = selected;
    host.contextKey = contextKey;
    drawHighlight(host, selected, data.context || []);
    if (selected && host.meta.previews[selected]) showPreview(host, selected);
    else if (host.previewBox) host.previewBox.style.display = "none";
  }
  drawOverlays(host, data.overlays);
  applyFilter(host, Array.isArray(data.visible) ? data.visible : null);
  const frame = data.frame || null;
  if (frame && frame.seq !== host.frameSeq) {
    host.frameSeq = frame.seq;
    if (frame.ids && frame.ids.length) {
      const layers = frame.ids.flatMap((fid) => host.index[fid] || []);
      if (layers.length) frameLayers(map, layers);
    } else if (frame.bounds) {
      map.fitBounds(frame.bounds, { padding: [40, 40], maxZoom: 14 });
    }
  }
}

export default function (component) {
  const { parentElement, setTriggerValue } = component;
  const [data] = component.data; // sent as a one-item list (see map_component.show)
  let host = parentElement.__cmHost;
  if (!host) {
    const root = document.createElement("div");
    root.className = HOST_CLASS;
    root.appendChild(text("div", data.strings.loading, "cm-map-status"));
    parentElement.appendChild(root);
    host = parentElement.__cmHost = { root, bundleUrl: null, seq: 0 };
    new ResizeObserver(() => settle(host)).observe(root);
    window.addEventListener("resize", () => fitHeight(host));
    // What arrives above the map (the document filter, a notice) moves it down: the page's
    // block grows, and the map measures its height again.
    const page = root.closest('[data-testid="stMainBlockContainer"]') || document.body;
    new ResizeObserver(() => fitHeight(host)).observe(page);
  }
  host.height = data.height;
  fitHeight(host);
  // Elements above the map may still be arriving (the first run): measure once more.
  requestAnimationFrame(() => fitHeight(host));
  host.onFeatureClick = (id) => {
    host.seq += 1;
    host.selected = id;
    drawHighlight(host, id, []);
    host.contextKey = "[]";
    showPreview(host, id);
    setTriggerValue("select", { id, seq: host.seq });
  };
  host.onPoint = (latlng) => {
    host.seq += 1;
    if (host.mode === "measure") {
      // Draw the vertex at once; the server's sketch replaces it on the next state.
      L.circleMarker(latlng, { pane: OVERLAY_PANE, radius: 4, color: "#6c3483", interactive: false }).addTo(host.overlay || host.map);
    }
    setTriggerValue("point", { lng: latlng.lng, lat: latlng.lat, seq: host.seq });
  };
  if (data.view && !currentView) currentView = data.view.join(",");
  const pending = data;
  host.latest = pending;
  loadCss(data.leafletCss);
  // The bundle only registers a build function (it needs L when built, not when loaded):
  // both files download at once.
  Promise.all([loadScript(data.leafletJs), loadScript(data.bundleUrl)])
    .then(() => {
      if (host.latest !== pending) return;
      const bundle = window.__cmBundles && window.__cmBundles[data.bundleDigest];
      if (!bundle) throw new Error("bundle missing: " + data.bundleDigest);
      if (host.bundleUrl !== data.bundleUrl) {
        const previous = host.map ? [host.map.getCenter(), host.map.getZoom()] : null;
        if (host.labels) host.labels.remove();
        if (host.map) host.map.remove();
        buildMap(host, bundle);
        host.bundleUrl = data.bundleUrl;
        const map = host.map;
        const bounds = bundle.meta.initialBounds;
        host.openView = () => {
          // Leaflet keeps the size it saw when built until it has a view: give it one, then
          // let it measure the element as it is now, then open.
          if (!map._loaded) map.setView([0, 0], 1, { animate: false });
          map.invalidateSize({ animate: false });
          if (previous) map.setView(previous[0], previous[1], { animate: false });
          else if (data.view) map.setView([data.view[0], data.view[1]], data.view[2], { animate: false });
          // The overview stays quiet on a large screen too: the context layers (roads from
          // zoom OPEN_MAX_ZOOM + 1) and the zones' labels come as the user zooms in.
          else if (bounds) map.fitBounds(bounds, { animate: false, maxZoom: OPEN_MAX_ZOOM });
        };
        host.root.dataset.ready = "1";
      }
      host.waiting = data;
      settle(host);
    })
    .catch((err) => {
      host.root.replaceChildren(text("div", data.strings.loadError + " (" + err.message + ")", "cm-map-status cm-map-error"));
    });
}
