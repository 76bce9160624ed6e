'use strict';

// The cockpit's Plotly: the core (scatter is always in it) and only the trace types dashboard/ui/figures draws.
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/pie'),
    require('plotly.js/lib/heatmap'),
    require('plotly.js/lib/choroplethmap'),
]);

module.exports = Plotly;
