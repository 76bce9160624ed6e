/* Plotly's zh-CN locale (month and day names, number format, the few UI strings the cockpit can show), served from
   /assets so nothing is fetched from a CDN. Graphs opt in with config {locale: 'zh-CN'}. */
(function registerPlotlyZhCn(attempt) {
  if (!window.Plotly || !window.Plotly.register) {
    if (attempt < 3000) { setTimeout(function () { registerPlotlyZhCn(attempt + 1); }, 20); }
    return;
  }
  var months = ['一月', '二月', '三月', '四月', '五月', '六月', '七月', '八月', '九月', '十月', '十一月', '十二月'];
  window.Plotly.register({
    moduleType: 'locale',
    name: 'zh-CN',
    dictionary: {
      'Autoscale': '自动缩放', 'Reset axes': '重置坐标轴', 'Zoom in': '放大', 'Zoom out': '缩小',
      'Download plot as a png': '下载图表为 PNG', 'Double-click to zoom back out': '双击返回',
      'Click to enter Colorscale title': '点击输入色阶标题', 'Reset view': '重置视图'
    },
    format: {
      days: ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'],
      shortDays: ['周日', '周一', '周二', '周三', '周四', '周五', '周六'],
      months: months,
      shortMonths: ['1月', '2月', '3月', '4月', '5月', '6月', '7月', '8月', '9月', '10月', '11月', '12月'],
      date: '%Y-%m-%d', year: '%Y年', month: '%Y年%-m月', dayMonth: '%-m月%-d日', dayMonthYear: '%Y年%-m月%-d日',
      decimal: '.', thousands: ',', grouping: [3], currency: ['¥', '']
    }
  });
})(0);
