// A page's own stylesheets (dashboard/web/pageload.py): the page first loaded links them in <head>, and every page
// links them in its layout. Once the app has moved to another page (a link inside the app, no reload), the <head>
// copies of the page left behind are dropped, so a page keeps only the CSS it uses. And the page shell's static
// first paint (#first-paint, dashboard/web/pageload.py) goes once the renderer has drawn the page itself.
(function () {
  'use strict';
  var pending = false;
  function prune() {
    pending = false;
    var first = document.getElementById('first-paint');  // the static first paint, once the renderer drew the page
    if (first && document.querySelector('#react-entry-point #main-content')) { first.parentNode.removeChild(first); }
    var content = document.getElementById('_pages_content');
    if (!content || !content.firstChild) { return; }
    document.querySelectorAll('head link[data-page-css]').forEach(function (link) {
      var href = link.getAttribute('href');
      var used = Array.prototype.some.call(content.querySelectorAll('link[rel="stylesheet"]'), function (own) {
        return own.getAttribute('href') === href;
      });
      if (!used) { link.parentNode.removeChild(link); }
    });
  }
  function start() {
    new MutationObserver(function () {
      if (!pending) { pending = true; window.requestAnimationFrame(prune); }
    }).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
})();
