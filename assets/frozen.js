// Read-only markup shipped as data (dashboard/ui/frozen.py, issue 20): an element's data-html attribute holds its
// children as Dash component JSON ({type, namespace, props}); this draws them as plain DOM. Only the tags below are
// made, every text is set as text, href must stay on this site, and a dcc.Link navigates inside the app the way
// Dash's does (history.pushState and Dash's _dashprivate_pushstate event). The element is a Dash component without
// children, so React never touches what is drawn here; a big table this way costs the renderer one component.
(function () {
  'use strict';
  var ATTRIBUTE = 'data-html';
  var TAGS = {
    Tr: 'tr', Td: 'td', Th: 'th', Span: 'span', Strong: 'strong', Em: 'em', Small: 'small', B: 'b', I: 'i', A: 'a',
    Abbr: 'abbr', Div: 'div', P: 'p', Br: 'br', Caption: 'caption', Ul: 'ul', Ol: 'ol', Li: 'li', Time: 'time',
    Sup: 'sup', Sub: 'sub', Mark: 'mark', Nav: 'nav'
  };
  var NAMES = { className: 'class', colSpan: 'colspan', rowSpan: 'rowspan', tabIndex: 'tabindex', htmlFor: 'for' };
  var PLAIN = { id: 1, title: 1, role: 1, scope: 1, lang: 1, dateTime: 1 };

  function safeHref(href) {  // a path, query or fragment of this site: never another host, never javascript:
    return typeof href === 'string' && /^(\/(?!\/)|\?|#)/.test(href) ? href : null;
  }

  function navigate(event) {
    var link = event.currentTarget;
    if (event.button !== 0 || event.metaKey || event.shiftKey || event.altKey || event.ctrlKey) { return; }
    event.preventDefault();
    window.history.pushState({}, '', link.getAttribute('href'));
    window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));
    window.scrollTo(0, 0);
  }

  function node(spec) {
    if (spec === null || spec === undefined || spec === false) { return null; }
    if (typeof spec === 'string' || typeof spec === 'number') { return document.createTextNode(String(spec)); }
    if (Array.isArray(spec)) {
      var list = document.createDocumentFragment();
      spec.forEach(function (s) { var n = node(s); if (n) { list.appendChild(n); } });
      return list;
    }
    var props = spec.props || {};
    var isLink = spec.namespace === 'dash_core_components' && spec.type === 'Link';
    var tag = isLink ? 'a' : (spec.namespace === 'dash_html_components' && TAGS[spec.type]);
    if (!tag) { return node(props.children); }  // anything else: its text only
    var el = document.createElement(tag);
    Object.keys(props).forEach(function (key) {
      var value = props[key];
      if (key === 'children' || value === null || value === undefined) { return; }
      if (key === 'href') {
        var href = safeHref(value);
        if (href) { el.setAttribute('href', href); }
      } else if (key === 'style' && typeof value === 'object') {
        Object.keys(value).forEach(function (k) { el.style[k] = value[k]; });
      } else if (NAMES[key]) {
        el.setAttribute(NAMES[key], String(value));
      } else if (PLAIN[key] || /^(aria|data)-/.test(key)) {
        if (key !== ATTRIBUTE) { el.setAttribute(key, String(value)); }
      }
    });
    if (isLink && el.hasAttribute('href')) { el.addEventListener('click', navigate); }
    var children = node(props.children);
    if (children) { el.appendChild(children); }
    return el;
  }

  function draw(box, spec) {
    var drawn = node(spec);
    if (drawn) { box.appendChild(drawn); }
  }

  window.cockpitDrawOnAttribute(ATTRIBUTE, draw);  // assets/attribute-draw.js
})();
