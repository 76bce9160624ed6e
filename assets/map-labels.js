/* Region names and values written over the cockpit maps (/screen, /).

   The map figure carries, in layout.meta.labels, each region's code, name, value label and an anchor (lon, lat)
   computed on the server from the local outline file. MapLibre text layers would fetch glyphs from the network,
   so the labels are plain HTML boxes in an overlay over the map canvas, placed with the map's own projection and
   moved whenever the map renders. Text is set with textContent (names come from the store). */
(function () {
  "use strict";

  function subplotMap(gd) {
    const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
    return sub && sub.map ? sub.map : null;
  }

  function overlayOf(gd) {
    let layer = gd.querySelector(":scope > .map-labels");
    if (!layer) {
      layer = document.createElement("div");
      layer.className = "map-labels";
      layer.setAttribute("aria-hidden", "true"); // the chart's text alternative names the regions (a11y)
      gd.appendChild(layer);
    }
    return layer;
  }

  function draw(gd) {
    const map = subplotMap(gd);
    const meta = gd._fullLayout && gd._fullLayout.meta;
    const labels = (meta && meta.labels) || [];
    const layer = overlayOf(gd);
    const key = JSON.stringify(labels);
    if (layer.dataset.key !== key) {
      layer.textContent = "";
      labels.forEach(function (item) {
        const box = document.createElement("div");
        box.className = "map-label";
        box.dataset.region = item.code;
        const name = document.createElement("span");
        name.className = "map-label-name";
        name.textContent = item.name;
        const value = document.createElement("span");
        value.className = "map-label-value";
        value.textContent = item.label;
        box.appendChild(name);
        box.appendChild(value);
        layer.appendChild(box);
      });
      layer.dataset.key = key;
      layer.classList.toggle("map-labels-dark", meta && meta.theme === "screen");
      if (meta && meta.font_px) layer.style.fontSize = Math.max(11, meta.font_px * 0.8) + "px";
    }
    if (!map) return;
    const canvas = map.getCanvas().getBoundingClientRect();
    const host = gd.getBoundingClientRect();
    const boxes = layer.children;
    for (let i = 0; i < labels.length && i < boxes.length; i++) {
      const p = map.project([labels[i].lon, labels[i].lat]);
      const x = p.x + canvas.left - host.left, y = p.y + canvas.top - host.top;
      const inside = x >= 0 && y >= 0 && x <= canvas.width + canvas.left - host.left && y <= canvas.height + canvas.top - host.top;
      boxes[i].style.transform = "translate(" + x.toFixed(1) + "px," + y.toFixed(1) + "px) translate(-50%,-50%)";
      boxes[i].style.visibility = inside ? "visible" : "hidden";
    }
  }

  // Every 400 ms: a map drawn anew (a new MapLibre map, or new labels) is labelled; after that the map's own render
  // events move the labels, so an unchanged map costs nothing here (no layout read every 400 ms).
  function watch() {
    document.querySelectorAll(".js-plotly-plot").forEach(function (gd) {
      const meta = gd._fullLayout && gd._fullLayout.meta;
      if (!meta || !meta.labels) return;
      const map = subplotMap(gd);
      if (map && gd._labelledMap !== map) {
        gd._labelledMap = map;
        map.on("render", function () { draw(gd); });
      } else if (gd._labelledWith === meta.labels && gd._labelledMap === map) {
        return;
      }
      gd._labelledWith = meta.labels;
      draw(gd);
    });
  }

  setInterval(watch, 400);
})();
