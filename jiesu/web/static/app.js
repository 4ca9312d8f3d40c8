// jiesu pages: small keyboard helpers and the dashboard charts. No build step.
(function () {
  "use strict";

  // Dispatcher queue: J/K move, Enter/A accept the suggestion, C correct, X select.
  function queueKeys(ev) {
    var t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) return;
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    var rows = Array.prototype.slice.call(document.querySelectorAll(".qrow"));
    if (!rows.length) return;
    var current = document.activeElement && document.activeElement.closest
      ? document.activeElement.closest(".qrow") : null;
    var i = rows.indexOf(current);
    var key = ev.key.toLowerCase();
    if (key === "j" || key === "k") {
      var next = rows[Math.max(0, Math.min(rows.length - 1, i + (key === "j" ? 1 : -1)))] || rows[0];
      next.focus(); ev.preventDefault(); return;
    }
    if (!current) return;
    if (key === "a" || (key === "enter" && t === current)) {
      var accept = current.querySelector("form.accept");
      if (accept) { accept.requestSubmit(); ev.preventDefault(); }
    } else if (key === "c") {
      var d = current.querySelector("details");
      if (d) { d.open = true; var f = d.querySelector("input:not([type=hidden])"); if (f) f.focus(); ev.preventDefault(); }
    } else if (key === "x") {
      var box = current.querySelector("input[type=checkbox][name=ids]");
      if (box) { box.checked = !box.checked; ev.preventDefault(); }
    }
  }

  function charts() {
    var el = document.getElementById("dash-data");
    if (!el || !window.echarts) return;
    var d = JSON.parse(el.textContent);
    function draw(id, option) {
      var node = document.getElementById(id);
      if (!node) return;
      var chart = window.echarts.getInstanceByDom(node) || window.echarts.init(node);
      chart.setOption(option, true);
    }
    var hours = []; for (var h = 0; h < 24; h++) hours.push(h + "时");
    draw("chart-hours", { grid: { left: 40, right: 10, top: 20, bottom: 30 }, tooltip: {},
      xAxis: { type: "category", data: hours }, yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", name: "受理量", data: d.hours, itemStyle: { color: "#0b4f9c" } }] });
    draw("chart-states", { tooltip: {}, series: [{ type: "pie", radius: ["35%", "65%"],
      data: d.states.map(function (s, i) { return { name: s, value: d.state_counts[i] }; })
        .filter(function (x) { return x.value > 0; }) }] });
    draw("chart-overdue", { grid: { left: 120, right: 20, top: 10, bottom: 20 }, tooltip: {},
      xAxis: { type: "value", minInterval: 1 }, yAxis: { type: "category", data: d.overdue_units, inverse: true },
      series: [{ type: "bar", name: "超期", data: d.overdue_counts, itemStyle: { color: "#b00020" } }] });
    draw("chart-rates", { legend: { top: 0 }, tooltip: { trigger: "axis" },
      grid: { left: 40, right: 10, top: 30, bottom: 60 },
      xAxis: { type: "category", data: d.rate_units, axisLabel: { rotate: 30 } },
      yAxis: { type: "value", max: 100, name: "%" },
      series: [
        { type: "bar", name: "响应率", data: d.response },
        { type: "bar", name: "解决率", data: d.resolution },
        { type: "bar", name: "满意率", data: d.satisfaction }] });
  }

  // A special line's dashboard (jiesu/web/lines.py): calls and first-call settled per day,
  // calls per hour of day.
  function lineCharts() {
    var el = document.getElementById("line-data");
    if (!el || !window.echarts) return;
    var d = JSON.parse(el.textContent);
    function draw(id, option) {
      var node = document.getElementById(id);
      if (!node) return;
      var chart = window.echarts.getInstanceByDom(node) || window.echarts.init(node);
      chart.setOption(option, true);
    }
    var hours = []; for (var h = 0; h < 24; h++) hours.push(h + "时");
    draw("chart-line-days", { legend: { top: 0 }, tooltip: { trigger: "axis" },
      grid: { left: 45, right: 10, top: 30, bottom: 40 },
      xAxis: { type: "category", data: d.days.map(function (s) { return s.slice(5); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", name: "来电", data: d.calls, itemStyle: { color: "#0b4f9c" } },
               { type: "line", name: "一次办结", data: d.settled, itemStyle: { color: "#1e7b34" } }] });
    draw("chart-line-hours", { grid: { left: 45, right: 10, top: 20, bottom: 30 }, tooltip: {},
      xAxis: { type: "category", data: hours }, yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", name: "来电", data: d.hours, itemStyle: { color: "#0b4f9c" } }] });
  }

  document.addEventListener("DOMContentLoaded", lineCharts);
  document.addEventListener("htmx:afterSettle", lineCharts);
  document.addEventListener("keydown", function (ev) {
    if (document.getElementById("queue")) queueKeys(ev);
  });
  document.addEventListener("DOMContentLoaded", charts);
  document.addEventListener("htmx:afterSettle", charts);
  window.addEventListener("resize", function () {
    document.querySelectorAll(".chart").forEach(function (n) {
      var c = window.echarts && window.echarts.getInstanceByDom(n); if (c) c.resize();
    });
  });
})();
