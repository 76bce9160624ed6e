// A callback answered 401 (session ended: idle, signed out elsewhere, account disabled): go to the sign-in page
// instead of leaving a page that silently stopped updating.
(function () {
  var fetchOriginal = window.fetch;
  window.fetch = function () {
    return fetchOriginal.apply(this, arguments).then(function (response) {
      if (response.status === 401 && response.url.indexOf('/_dash-') !== -1) {
        window.location.assign('/login?reason=ended&next=' + encodeURIComponent(location.pathname + location.search));
      }
      return response;
    });
  };
})();
