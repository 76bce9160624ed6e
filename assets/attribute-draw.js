// Markup shipped as data in an attribute (assets/chart-data.js: data-table; assets/frozen.js: data-html):
// `cockpitDrawOnAttribute(attribute, draw)` calls draw(element) for every element that has the attribute when the
// page starts, that the Dash renderer adds later, and whose attribute changes. Loaded before both (Dash links
// assets/ in name order).
(function () {
  'use strict';
  var HTML = 'http://www.w3.org/1999/xhtml';
  window.cockpitDrawOnAttribute = function (attribute, draw) {
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
