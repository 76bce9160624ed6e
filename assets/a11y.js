// Accessibility of the page shell and of Dash's own widgets (issue 20, WCAG 2.1 AA). Dash's components take no
// aria-* props, so one observer mends what they render, every time they render it:
// - dropdowns (dcc.Dropdown, Dash 4) are named by their visible label ("年度", "期间", a topic filter) and their
//   value, instead of by the value alone; the hidden focus proxy is no longer aria-hidden while focusable;
// - a radio list (dcc.RadioItems, e.g. the metric switch of / and /screen) is a named radiogroup of plain radios,
//   not a listbox of options that contain radios (nested interactive);
// - every chart is a figure whose name summarises it (type, title, the points it shows), and its mode bar and map
//   canvas are out of the tab order: the page's tables carry the same data for keyboard and screen-reader users;
// - the date range picker's wrapper is a group, not a popup button without a role;
// - focus: after a filter, a sort or a page of a table re-renders, focus returns to the control that had it; after a
//   drill (the address changes and that control is gone) it moves to the page's heading.
(function () {
  'use strict';
  var seq = 0;
  var TRACE_NAMES = { bar: '柱状图', pie: '饼图', scatter: '折线图', heatmap: '热力图', choroplethmap: '地图' };
  var GROUP_NAMES = { 'metric-switch': '地图指标' };

  function uid(el, prefix) {
    if (!el.id) { seq += 1; el.id = prefix + '-' + seq; }
    return el.id;
  }

  function labelFor(wrapper, button) {
    var label = wrapper.closest('label');
    if (!label && button.id) {
      var all = document.getElementsByTagName('label');
      for (var i = 0; i < all.length; i++) { if (all[i].htmlFor === button.id) { label = all[i]; break; } }
    }
    if (!label) {
      var prev = wrapper.previousElementSibling;
      if (prev && prev.tagName === 'LABEL') { label = prev; }
    }
    if (!label) { return null; }
    if (label.contains(wrapper)) {  // <label>年度<dropdown/></label>: name it by its own text only
      var text = null;
      for (var n = label.firstChild; n; n = n.nextSibling) {
        if (n.nodeType === 3 && n.textContent.trim()) { text = n; break; }
      }
      if (!text) { return null; }
      var span = document.createElement('span');
      span.textContent = text.textContent;
      label.replaceChild(span, text);
      return uid(span, 'a11y-label');
    }
    if (button.id && !label.htmlFor) { label.htmlFor = button.id; }
    return uid(label, 'a11y-label');
  }

  function mendDropdowns(root) {
    root.querySelectorAll('.dash-dropdown-wrapper').forEach(function (wrapper) {
      var button = wrapper.querySelector('button.dash-dropdown');
      if (!button) { return; }
      var labelId = wrapper.getAttribute('data-a11y-label') || labelFor(wrapper, button);
      if (labelId) { wrapper.setAttribute('data-a11y-label', labelId); }
      var value = wrapper.querySelector('.dash-dropdown-value, .dash-dropdown-placeholder');
      var parts = [];
      if (labelId) { parts.push(labelId); }
      if (value) { parts.push(uid(value, 'a11y-value')); }
      var names = parts.join(' ');
      if (names && button.getAttribute('aria-labelledby') !== names) { button.setAttribute('aria-labelledby', names); }
      var proxy = wrapper.querySelector('.dash-dropdown-focus-target');
      if (proxy) {
        proxy.removeAttribute('aria-hidden');  // focusable (it hands focus to the button): must not be hidden
        if (names && proxy.getAttribute('aria-labelledby') !== names) { proxy.setAttribute('aria-labelledby', names); }
      }
    });
  }

  function mendRadioLists(root) {
    root.querySelectorAll('.dash-radioitems').forEach(function (group) {
      if (group.getAttribute('role') !== 'radiogroup') { group.setAttribute('role', 'radiogroup'); }
      if (!group.getAttribute('aria-label')) {
        for (var cls in GROUP_NAMES) {
          if (group.classList.contains(cls)) { group.setAttribute('aria-label', GROUP_NAMES[cls]); }
        }
      }
      group.querySelectorAll('[role="option"]').forEach(function (option) {
        option.removeAttribute('role');
        option.removeAttribute('aria-selected');
      });
      group.querySelectorAll('input[type="radio"][readonly]').forEach(function (radio) {
        radio.removeAttribute('readonly');  // readonly means nothing on a radio and confuses screen readers
      });
    });
  }

  function mendDatePickers(root) {
    root.querySelectorAll('.dash-datepicker-input-wrapper').forEach(function (wrapper) {
      // a plain div that holds the two date inputs: a group, not a popup button (its inputs are the controls)
      if (wrapper.getAttribute('role') !== 'group') { wrapper.setAttribute('role', 'group'); }
      ['aria-expanded', 'aria-haspopup', 'aria-disabled', 'type'].forEach(function (a) { wrapper.removeAttribute(a); });
      var ids = (wrapper.getAttribute('aria-labelledby') || '').split(' ').filter(function (id) {
        return id && id !== 'undefined' && document.getElementById(id);
      }).join(' ');
      if (ids) { wrapper.setAttribute('aria-labelledby', ids); } else { wrapper.removeAttribute('aria-labelledby'); }
    });
    root.querySelectorAll('a.dash-datepicker-clear:not([role])').forEach(function (clear) {
      clear.setAttribute('role', 'button');
      if (!clear.hasAttribute('href') && !clear.hasAttribute('tabindex')) { clear.setAttribute('tabindex', '0'); }
    });
  }

  function mendScrollBoxes(root) {
    // A box that scrolls on its own (wide tables on a phone) must be reachable by keyboard to scroll it. Every box
    // is measured first and marked after: a mark between two measures made the browser lay the page out again for
    // each box (on a phone's CPU a quarter of a second of /spending's load went to this).
    var boxes = root.querySelectorAll('.table-responsive, .table-scroll, .risk-heatmap-scroll, .record-list, .chart-data-body');
    var unmarked = Array.prototype.filter.call(boxes, function (box) { return !box.hasAttribute('tabindex'); });
    var scrolling = unmarked.filter(function (box) {
      return box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
    });
    scrolling.forEach(function (box) { box.setAttribute('tabindex', '0'); });
  }

  // Two formatters made once: toLocaleString with options builds a new Intl.NumberFormat on every call
  var WHOLE = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 });
  var FOUR = new Intl.NumberFormat('zh-CN', { maximumSignificantDigits: 4 });
  function number(v) {
    if (typeof v !== 'number') { return String(v); }
    return Math.abs(v) >= 100 ? WHOLE.format(v) : FOUR.format(v);
  }

  function traceSummary(trace) {
    var name = TRACE_NAMES[trace.type] || '图表';
    var pairs = [];
    var labels, values;
    if (trace.type === 'pie') { labels = trace.labels; values = trace.values; }
    else if (trace.type === 'choroplethmap') { labels = trace.text || trace.hovertext || trace.locations; values = trace.z; }
    else if (trace.type === 'heatmap') {
      return name + (trace.y && trace.x ? ':' + trace.y.length + ' 行 × ' + trace.x.length + ' 列' : '');
    }
    else if (trace.orientation === 'h') { labels = trace.y; values = trace.x; }
    else { labels = trace.x; values = trace.y; }
    var count = Math.min((labels || []).length, (values || []).length);
    for (var i = 0; i < Math.min(count, 12); i++) { pairs.push(String(labels[i]).replace(/<[^>]*>/g, '') + ' ' + number(values[i])); }
    var head = trace.name && !/^trace \d+$/.test(trace.name) ? name + '“' + trace.name + '”' : name;
    return head + (count ? '(' + count + ' 项):' + pairs.join(',') + (count > 12 ? ' 等' : '') : '');
  }

  function heading(graph) {
    var card = graph.closest('section, .card, .screen-panel, .chart-card, .overview-card');
    var h = card && card.querySelector('h1, h2, h3, h4, h5, .panel-title, .card-header, .section-title');
    return h ? h.textContent.trim() : '';
  }

  // The figure each chart's text alternative was last written for: a chart Plotly has not drawn again since (same
  // data and layout objects: dcc.Graph hands Plotly new ones for every new figure) is not summarised again. A chart
  // still waiting to be drawn (far below the screen: tools/plotly-bundle/one-chart-per-task.js) is described from
  // the figure it waits with, so a screen reader hears every chart of the page, drawn or not.
  var summarised = new WeakMap();
  function mendCharts(root) {
    root.querySelectorAll('.js-plotly-plot, .cockpit-chart-waiting').forEach(function (gd) {
      var box = gd.closest('.dash-graph') || gd;
      gd.querySelectorAll('.modebar-btn, .modebar a, .modebar button, .maplibregl-canvas, [tabindex="0"]')
        .forEach(function (el) { if (el.getAttribute('tabindex') !== '-1') { el.setAttribute('tabindex', '-1'); } });
      var modebar = gd.querySelector('.modebar-container');
      if (modebar && modebar.getAttribute('aria-hidden') !== 'true') { modebar.setAttribute('aria-hidden', 'true'); }
      var waiting = gd.classList.contains('cockpit-chart-waiting') && gd.cockpitFigure;
      var data = waiting ? gd.cockpitFigure.data : gd.data;
      var layout = waiting ? gd.cockpitFigure.layout || {} : gd.layout;
      if (!data || !layout) { return; }
      var seen = summarised.get(gd);
      if (seen && seen.data === data && seen.layout === layout && box.hasAttribute('aria-label')) { return; }
      summarised.set(gd, { data: data, layout: layout });
      var title = (layout.title && (layout.title.text || layout.title)) || heading(box) || '图表';
      if (typeof title !== 'string') { title = '图表'; }
      var traces = data.filter(function (t) { return t.visible !== false && t.showlegend !== false || t.type; });
      var text = title.replace(/<[^>]*>/g, '') + '。' + (traces.length ? traces.map(traceSummary).join(';') : '暂无数据');
      if (box.getAttribute('role') !== 'figure') { box.setAttribute('role', 'figure'); }
      if (box.getAttribute('aria-label') !== text) { box.setAttribute('aria-label', text); }
    });
  }

  // Focus: remember what had it; put it back when a re-render dropped it to <body>.
  var lastFocus = null;
  var lastAddress = location.pathname + location.search;
  function locator(el) {
    if (el.id) { return { id: el.id }; }
    var owner = el.parentElement && el.parentElement.closest('[id]');
    return { owner: owner ? owner.id : null, tag: el.tagName, text: (el.textContent || '').trim() };
  }
  function find(loc) {
    if (!loc) { return null; }
    if (loc.id) { return document.getElementById(loc.id); }
    var scope = loc.owner ? document.getElementById(loc.owner) : document.getElementById('main-content');
    if (!scope) { return null; }
    var candidates = scope.getElementsByTagName(loc.tag);
    for (var i = 0; i < candidates.length; i++) {
      if ((candidates[i].textContent || '').trim() === loc.text) { return candidates[i]; }
    }
    return null;
  }
  document.addEventListener('focusin', function (event) {
    var el = event.target;
    if (el && el !== document.body && el.closest && el.closest('#main-content, .navbar')) {
      lastFocus = { el: el, loc: locator(el), at: Date.now() };
    }
  });
  function mendFocus() {
    var address = location.pathname + location.search;
    var moved = address !== lastAddress;
    lastAddress = address;
    var active = document.activeElement;
    if (active && active !== document.body && active !== document.documentElement) { return; }
    if (!lastFocus || lastFocus.el.isConnected || Date.now() - lastFocus.at > 30000) { return; }  // not a re-render
    var again = find(lastFocus.loc);
    if (again && again.offsetParent !== null) {
      if (again.classList.contains('dash-dropdown-focus-target')) { again = again.nextElementSibling || again; }
      again.focus({ preventScroll: true });
      return;
    }
    if (moved || !again) {
      var h1 = document.querySelector('#main-content h1');
      if (h1 && h1.textContent.trim()) {
        if (!h1.hasAttribute('tabindex')) { h1.setAttribute('tabindex', '-1'); }
        h1.focus({ preventScroll: false });
        lastFocus = null;
      }
    }
  }

  var pending = false;
  function pass() {
    pending = false;
    var root = document.getElementById('react-entry-point') || document.body;
    mendDropdowns(root);
    mendRadioLists(root);
    mendDatePickers(root);
    mendCharts(root);
    mendScrollBoxes(root);  // the one pass that measures: after every other pass has written what it writes
    mendFocus();
  }
  function schedule() {
    if (!pending) { pending = true; window.requestAnimationFrame(pass); }
  }
  function start() {
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
    window.addEventListener('resize', schedule);  // a box may start (or stop) scrolling
    document.addEventListener('toggle', schedule, true);  // an opened 查看数据 table may scroll
    schedule();
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
  // Plotly fires plotly_afterplot on the graph div, not as a DOM event: charts are also looked at now and then.
  setInterval(function () {
    var root = document.getElementById('react-entry-point');
    if (root && root.querySelector('.js-plotly-plot, .cockpit-chart-waiting')) { mendCharts(root); }
  }, 1500);
})();
