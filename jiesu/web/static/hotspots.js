// The trend chart of one hot spot (orders per day), drawn from the page's JSON.
(function () {
  function draw() {
    var el = document.getElementById("hotspot-data");
    var node = document.getElementById("chart-trend");
    if (!el || !node || !window.echarts) return;
    var d = JSON.parse(el.textContent);
    var chart = window.echarts.getInstanceByDom(node) || window.echarts.init(node);
    chart.setOption({ grid: { left: 40, right: 10, top: 20, bottom: 40 }, tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: d.days }, yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", name: "工单", data: d.orders, itemStyle: { color: "#b00020" } }] }, true);
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
// The monthly report's trend: one bar series per key problem.
(function () {
  function draw() {
    var el = document.getElementById("report-data");
    var node = document.getElementById("chart-report");
    if (!el || !node || !window.echarts) return;
    var d = JSON.parse(el.textContent);
    var chart = window.echarts.getInstanceByDom(node) || window.echarts.init(node);
    chart.setOption({ legend: { top: 0 }, tooltip: { trigger: "axis" },
      grid: { left: 40, right: 10, top: 40, bottom: 40 },
      xAxis: { type: "category", data: d.days.map(function (x) { return x.slice(5); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: d.series.map(function (s) { return { type: "bar", stack: "all", name: s.name, data: s.data }; }) }, true);
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
