// The cockpit's own Plotly (issue 20): partial bundles with only the trace types the charts use, built by
// tools/plotly-bundle/ into assets/vendor/ (not auto-loaded: assets_path_ignore in dashboard/web/app.py). `charts`
// (bar, pie, heatmap, scatter; 1.3 MB) for most pages, `maps` (the same and choroplethmap; 3.1 MB) for a page with a
// map. The page shell names its page's bundle in <meta name="cockpit-plotly"> (dashboard/web/pageload.py), by a
// hashed URL. dcc.Graph loads Plotly lazily from window._dashPlotlyJSURL, which the Dash renderer sets to the full
// plotly.min.js; this keeps it on ours. When the app moves (no reload) to a page with a map and this document has
// only the charts bundle, the page is loaded afresh (its own shell then names the maps bundle), unless no chart had
// asked for Plotly yet: then the maps bundle is simply the one that will be loaded.
(function () {
  'use strict';
  var info = {};
  try {
    info = JSON.parse(document.querySelector('meta[name="cockpit-plotly"]').getAttribute('content'));
  } catch (e) { /* not a page of the app */ }
  var url = info.url || info.maps || '/assets/vendor/plotly-cockpit-maps.min.js';
  Object.defineProperty(window, '_dashPlotlyJSURL', {
    configurable: false,
    get: function () { return url; },
    set: function () { /* the renderer's full-bundle URL is ignored */ }
  });
  if (!info.maps || url === info.maps) { return; }
  var mapPages = info.mapPages || [];

  function moved() {
    if (url === info.maps || mapPages.indexOf(location.pathname) === -1) { return; }
    var requested = Array.prototype.some.call(document.scripts, function (s) { return s.src.indexOf(url) !== -1; });
    if (!requested && !window.Plotly) { url = info.maps; return; }
    window.location.reload();
  }
  ['pushState', 'replaceState'].forEach(function (name) {
    var original = window.history[name];
    window.history[name] = function () {
      var result = original.apply(this, arguments);
      moved();
      return result;
    };
  });
  window.addEventListener('popstate', moved);
})();
