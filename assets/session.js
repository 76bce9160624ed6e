// A callback answered 401 (the session ended: idle, signed out elsewhere, account disabled, password changed): go to
// the sign-in page, which says why, instead of leaving a page that silently stopped updating.
(function () {
  var fetchOriginal = window.fetch;
  window.fetch = function () {
    return fetchOriginal.apply(this, arguments).then(function (response) {
      if (response.status === 401 && response.url.indexOf('/_dash-') !== -1) {
        var here = encodeURIComponent(location.pathname + location.search);
        response.clone().json().catch(function () { return {}; }).then(function (body) {
          window.location.assign('/login?reason=' + encodeURIComponent(body.reason || 'ended') + '&next=' + here);
        });
      }
      return response;
    });
  };
})();
