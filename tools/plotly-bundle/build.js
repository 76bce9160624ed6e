// Builds the cockpit's two partial Plotly bundles into assets/vendor/ (see README.md here):
// plotly-cockpit-charts.min.js (no map) and plotly-cockpit-maps.min.js (with choroplethmap).
const path = require('path');
const esbuild = require('esbuild');
const { environmentPlugin } = require('esbuild-plugin-environment');
const InlineCSSPlugin = require('esbuild-plugin-inline-css');

const version = require('plotly.js/package.json').version;
const BUNDLES = {
    charts: 'core, bar, pie, heatmap',
    maps: 'core, bar, pie, heatmap, choroplethmap',
};

Promise.all(Object.entries(BUNDLES).map(([name, traces]) => esbuild.build({
    entryPoints: [path.join(__dirname, `index-${name}.js`)],
    outfile: path.resolve(__dirname, `../../assets/vendor/plotly-cockpit-${name}.min.js`),
    format: 'iife',
    globalName: 'Plotly',
    bundle: true,
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    banner: { js: `/* plotly.js v${version} partial bundle (${traces}) | MIT */` },
    plugins: [InlineCSSPlugin(), environmentPlugin({ NODE_DEBUG: false })],
    alias: { stream: 'stream-browserify' },
    define: { global: 'window', 'define.amd': 'false' },
    target: 'es2016',
    logLevel: 'info',
}))).catch(() => process.exit(1));
