"""The web perimeter: the app factory, the session gate, CSRF and headers, the request's user and scope, the
export routes, and unmasking with a reason. The only package below `pages` and `callbacks` that imports flask."""
