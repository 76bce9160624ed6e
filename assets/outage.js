// A callback answered 503 (the finance store or the state store cannot be reached; the app says so in Chinese):
// the panels that callback fills get the outage message, a banner says the page retries, and the same request is
// sent again every few seconds. Once the store is back the renderer gets the answer as if it had come at once: the
// panels update, the marks and the banner go, no reload needed. A request that does not reach the server at all (a
// restart) is retried the same way.
(function () {
  var MESSAGE = '数据暂不可用,正在重试…';
  var WAITS_MS = [2000, 3000, 5000]; // then every 5 s: back within 10 s of the store
  var failing = 0;
  var fetchOriginal = window.fetch;

  function banner(show) {
    var el = document.getElementById('outage-banner');
    if (show && !el) {
      el = document.createElement('div');
      el.id = 'outage-banner';
      el.className = 'outage-banner';
      el.setAttribute('role', 'alert');
      el.textContent = MESSAGE + '数据服务恢复后页面将自动更新,无需刷新。';
      document.body.appendChild(el);
    } else if (!show && el) {
      el.parentNode.removeChild(el);
    }
  }

  function outputIds(init) {
    try {
      var outputs = JSON.parse(init.body).outputs;
      var list = Array.isArray(outputs) ? outputs : [outputs];
      var ids = [];
      list.forEach(function (o) {
        (Array.isArray(o) ? o : [o]).forEach(function (one) {
          if (one && typeof one.id === 'string') { ids.push(one.id); }
        });
      });
      return ids;
    } catch (e) {
      return [];
    }
  }

  function mark(ids, on) {
    ids.forEach(function (id) {
      var el = document.getElementById(id);
      if (!el) { return; }
      if (on) { el.setAttribute('data-outage', MESSAGE); } else { el.removeAttribute('data-outage'); }
    });
  }

  window.fetch = function (input, init) {
    var url = typeof input === 'string' ? input : (input && input.url) || '';
    if (url.indexOf('/_dash-update-component') === -1 || !init || typeof init.body !== 'string') {
      return fetchOriginal.apply(this, arguments);
    }
    var self = this;
    var args = arguments;
    var ids = outputIds(init);
    var attempt = 0;
    var marked = false;

    function retry() {
      if (!marked) {
        marked = true;
        failing += 1;
        mark(ids, true);
        banner(true);
      }
      var wait = WAITS_MS[Math.min(attempt, WAITS_MS.length - 1)];
      attempt += 1;
      return new Promise(function (resolve) { setTimeout(resolve, wait); }).then(run);
    }

    function run() {
      return fetchOriginal.apply(self, args).then(function (response) {
        if (response.status === 503) { return retry(); }
        if (marked) {
          marked = false;
          failing -= 1;
          mark(ids, false);
          if (failing === 0) { banner(false); }
        }
        return response;
      }, retry);
    }

    return run();
  };
})();
