// The "查看数据" tables under the charts (dashboard/ui/chart_data.py, issue 20). A chart's render callback fills its
// box's data-table attribute with the tables as JSON ({tables: [{caption, header, rows}], empty}); this writes them
// into the box as plain <table> markup: a row's first cell a <th scope="row">, the header's cells <th scope="col">,
// every text set as text. The box is a Dash component without children, so React never touches what is written
// here. Tables as Dash components would cost the renderer on every store update (one component per cell).
(function () {
  'use strict';
  var ATTRIBUTE = 'data-table';

  function cell(tag, text, scope) {
    var el = document.createElement(tag);
    if (scope) { el.setAttribute('scope', scope); }
    el.textContent = text;
    return el;
  }

  function build(spec) {
    var table = document.createElement('table');
    table.className = 'table table-sm chart-data-table';
    if (spec.caption) { table.appendChild(cell('caption', spec.caption)); }
    var head = document.createElement('thead');
    var top = document.createElement('tr');
    (spec.header || []).forEach(function (h) { top.appendChild(cell('th', h, 'col')); });
    head.appendChild(top);
    table.appendChild(head);
    var body = document.createElement('tbody');
    (spec.rows || []).forEach(function (row) {
      var tr = document.createElement('tr');
      row.forEach(function (c, i) { tr.appendChild(i === 0 ? cell('th', c, 'row') : cell('td', c)); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    return table;
  }

  function draw(box, data) {
    var parts = [];
    if (data) {
      if (data.tables && data.tables.length) {
        parts = data.tables.map(build);
      } else {
        var empty = document.createElement('p');
        empty.className = 'chart-data-empty';
        empty.textContent = data.empty || '暂无数据';
        parts = [empty];
      }
    }
    parts.forEach(function (part) { box.appendChild(part); });
  }

  window.cockpitDrawOnAttribute(ATTRIBUTE, draw);  // assets/attribute-draw.js
})();
