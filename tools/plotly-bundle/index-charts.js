'use strict';

// The cockpit's Plotly for pages without a map: the core (scatter is always in it) and the other trace types
// dashboard/ui/figures draws. No MapLibre: 1.3 MB instead of the maps bundle's 3.1 MB.
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/pie'),
    require('plotly.js/lib/heatmap'),
]);

module.exports = require('./one-chart-per-task')(Plotly);
