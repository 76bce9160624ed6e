// Markup shipped as data in an attribute (assets/chart-data.js: data-table; assets/frozen.js: data-html):
// `cockpitDrawOnAttribute(attribute, draw)` calls draw(element, data) for every element that has the attribute when
// the page starts, that the Dash renderer adds later, and whose attribute changes: `data` is the attribute's JSON
// (null when empty or not JSON) and the element has been emptied. An element whose attribute is what was last drawn
// is left alone. Loaded before both (Dash links assets/ in name order).
(function () {
  'use strict';
  var HTML = 'http://www.w3.org/1999/xhtml';
  window.cockpitDrawOnAttribute = function (attribute, drawData) {
    var drawn = new WeakMap();  // element → the attribute value it was last drawn from
    function draw(element) {
      var raw = element.getAttribute(attribute);
      if (drawn.has(element) && drawn.get(element) === raw) { return; }
      drawn.set(element, raw);
      var data;
      try { data = raw ? JSON.parse(raw) : null; } catch (e) { data = null; }
      while (element.firstChild) { element.removeChild(element.firstChild); }
      drawData(element, data);
    }
    function scan(root) {
      if (root.nodeType !== 1 || root.namespaceURI !== HTML) { return; }  // Plotly's SVG holds none: skipped cheaply
      if (root.hasAttribute(attribute)) { draw(root); }
      root.querySelectorAll('[' + attribute + ']').forEach(draw);
    }
    function start() {
      new MutationObserver(function (records) {
        records.forEach(function (r) {
          if (r.type === 'attributes') { draw(r.target); } else { r.addedNodes.forEach(scan); }
        });
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: [attribute] });
      scan(document.body);
    }
    if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
  };
})();
