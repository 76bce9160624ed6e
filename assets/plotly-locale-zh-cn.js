/* Plotly's zh-CN locale (month and day names, number format, the UI strings the cockpit can show), served from
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
    dictionary: {  // every mode-bar title and notice plotly.js 4 can show on these charts (src/components/modebar)
      'Autoscale': '自动缩放', 'Reset axes': '重置坐标轴', 'Reset view': '重置视图', 'Reset views': '重置视图',
      'Reset': '重置', 'Zoom': '缩放', 'Zoom in': '放大', 'Zoom out': '缩小', 'Pan': '平移',
      'Box Select': '框选', 'Lasso Select': '套索选择', 'Toggle Spike Lines': '显示或隐藏十字线',
      'Show closest data on hover': '悬停时显示最近的数据', 'Compare data on hover': '悬停时比较数据',
      'Toggle show closest data on hover': '切换悬停显示最近的数据',
      'Download plot as a PNG': '下载图表为 PNG', 'Download plot as a png': '下载图表为 PNG',
      'Download plot': '下载图表', 'Download plot as JSON': '下载图表为 JSON',
      'Preparing image - this may take a few seconds': '正在生成图片,请稍候',
      'Image download succeeded': '图片已下载', 'JSON download succeeded': 'JSON 已下载',
      'Sorry, there was a problem downloading your image!': '抱歉,图片下载失败。',
      'Sorry, there was a problem downloading your JSON file!': '抱歉,JSON 文件下载失败。',
      'Double-click to zoom back out': '双击返回', 'Double-click on legend to isolate one trace': '双击图例只显示该系列',
      'Click to enter Colorscale title': '点击输入色阶标题', 'Produced with Plotly.js': '由 Plotly.js 生成'
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
