'use strict';

// The cockpit's Plotly for pages with a map (register_page(..., plotly="maps")): the charts bundle's trace types
// and choroplethmap (MapLibre GL, most of the weight).
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/pie'),
    require('plotly.js/lib/heatmap'),
    require('plotly.js/lib/choroplethmap'),
]);

module.exports = require('./one-chart-per-task')(Plotly);
