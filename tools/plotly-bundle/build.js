// Builds assets/vendor/plotly-cockpit.min.js: a partial Plotly bundle (see README.md here).
const path = require('path');
const esbuild = require('esbuild');
const { environmentPlugin } = require('esbuild-plugin-environment');
const InlineCSSPlugin = require('esbuild-plugin-inline-css');

const version = require('plotly.js/package.json').version;
const outfile = path.resolve(__dirname, '../../assets/vendor/plotly-cockpit.min.js');

esbuild.build({
    entryPoints: [path.join(__dirname, 'index-cockpit.js')],
    outfile,
    format: 'iife',
    globalName: 'Plotly',
    bundle: true,
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    banner: { js: `/* plotly.js v${version} partial bundle (core, bar, pie, heatmap, choroplethmap) | MIT */` },
    plugins: [InlineCSSPlugin(), environmentPlugin({ NODE_DEBUG: false })],
    alias: { stream: 'stream-browserify' },
    define: { global: 'window', 'define.amd': 'false' },
    target: 'es2016',
    logLevel: 'info',
}).catch(() => process.exit(1));
