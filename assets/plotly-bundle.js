// The cockpit's own Plotly (issue 20): a partial bundle with only the trace types the charts use (bar, pie, heatmap,
// choroplethmap; scatter is in the core), 3.1 MB instead of the full 4.8 MB plotly.min.js. dcc.Graph loads Plotly
// lazily from window._dashPlotlyJSURL, which the Dash renderer sets to the full bundle; this keeps it on ours.
// assets/vendor/ is not auto-loaded (assets_path_ignore in dashboard/web/app.py); rebuild: tools/plotly-bundle/.
(function () {
  var config = {};
  try { config = JSON.parse(document.getElementById('_dash-config').textContent); } catch (e) { /* no Dash page */ }
  var url = (config.requests_pathname_prefix || '/') + 'assets/vendor/plotly-cockpit.min.js?v=4.1.1-1';
  Object.defineProperty(window, '_dashPlotlyJSURL', {
    configurable: false,
    get: function () { return url; },
    set: function () { /* the renderer's full-bundle URL is ignored */ }
  });
})();
