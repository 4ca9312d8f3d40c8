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
    // A phone has no room for labels around the donut: a legend under it names every state.
    var narrow = window.innerWidth < 600;
    draw("chart-states", { tooltip: {},
      legend: narrow ? { bottom: 0, type: "plain", itemWidth: 10, itemHeight: 10 } : undefined,
      series: [{ type: "pie", radius: narrow ? ["25%", "50%"] : ["35%", "65%"],
      center: narrow ? ["50%", "38%"] : ["50%", "50%"],
      label: narrow ? { show: false } : { formatter: "{b} {c}" },
      data: d.states.map(function (s, i) { return { name: s, value: d.state_counts[i] }; })
        .filter(function (x) { return x.value > 0; }) }] });
    // Every unit's label shown (interval 0), the chart as tall as its bars need.
    var od = document.getElementById("chart-overdue");
    if (od) od.style.height = Math.max(200, 26 * d.overdue_units.length + 40) + "px";
    draw("chart-overdue", { grid: { left: 10, right: 30, top: 10, bottom: 20, containLabel: true },
      tooltip: {}, xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: d.overdue_units, inverse: true,
        axisLabel: { interval: 0, width: narrow ? 110 : 180, overflow: "truncate" } },
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

  // Unit chooser: type any part of a unit's name, code or territorial path; the list shows the
  // path (朝阳区 › 望京街道); a form is not sent while a unit field names no known unit.
  var units = null;
  function unitData() {
    if (units) return units;
    var el = document.getElementById("unit-data");
    units = el ? JSON.parse(el.textContent) : [];
    return units;
  }
  function label(u) { return u.n + "（" + u.c + "）"; }
  function known(text) {
    text = text.trim();
    if (!text) return true;
    return unitData().some(function (u) { return text === label(u) || text === u.c || text === u.n; });
  }
  function parts(input) {
    return input.dataset.unitPicker === "many" ? input.value.split(/[,，、]/) : [input.value];
  }
  function setError(input, message) {
    var id = input.id + "-pick-err";
    var old = document.getElementById(id);
    if (old) old.remove();
    if (!message) { input.removeAttribute("aria-invalid"); return; }
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
    var p = document.createElement("p");
    p.className = "ferr"; p.id = id; p.setAttribute("role", "alert"); p.textContent = message;
    input.insertAdjacentElement("afterend", p);
  }
  function closeList(input) {
    var box = input._pickBox;
    if (box) { box.remove(); input._pickBox = null; input.setAttribute("aria-expanded", "false"); }
  }
  function choose(input, u) {
    if (input.dataset.unitPicker === "many") {
      var list = parts(input).map(function (x) { return x.trim(); }).filter(Boolean);
      list.pop(); list.push(label(u));
      input.value = list.join(",");
    } else {
      input.value = label(u);
    }
    setError(input, null); closeList(input); input.focus();
  }
  function openList(input) {
    closeList(input);
    var all = parts(input);
    var q = (all[all.length - 1] || "").trim().toLowerCase();
    if (!q || known(all[all.length - 1])) return;
    var found = unitData().filter(function (u) {
      return u.n.toLowerCase().indexOf(q) >= 0 || u.c.toLowerCase().indexOf(q) >= 0 ||
        u.p.toLowerCase().indexOf(q) >= 0;
    }).slice(0, 12);
    var box = document.createElement("ul");
    box.className = "picker"; box.setAttribute("role", "listbox");
    box.id = input.id + "-picker";
    if (!found.length) {
      var none = document.createElement("li"); none.className = "none";
      none.textContent = "没有匹配的单位"; box.appendChild(none);
    }
    found.forEach(function (u, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option"); li.id = box.id + "-" + i; li.dataset.code = u.c;
      var name = document.createElement("b"); name.textContent = u.n;
      var path = document.createElement("span"); path.className = "muted";
      path.textContent = " " + u.p + " · " + u.c;
      li.appendChild(name); li.appendChild(path);
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(input, u); });
      box.appendChild(li);
    });
    input.insertAdjacentElement("afterend", box);
    input._pickBox = box; input._pickIndex = -1; input._pickFound = found;
    input.setAttribute("aria-expanded", "true"); input.setAttribute("aria-controls", box.id);
  }
  function pickerKeys(ev) {
    var input = ev.target, box = input._pickBox;
    if (!box || !input._pickFound.length) return;
    var items = box.querySelectorAll("[role=option]");
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      var i = input._pickIndex + (ev.key === "ArrowDown" ? 1 : -1);
      i = Math.max(0, Math.min(items.length - 1, i));
      items.forEach(function (n, k) { n.setAttribute("aria-selected", k === i ? "true" : "false"); });
      input._pickIndex = i; input.setAttribute("aria-activedescendant", items[i].id);
      ev.preventDefault();
    } else if (ev.key === "Enter" && input._pickIndex >= 0) {
      choose(input, input._pickFound[input._pickIndex]); ev.preventDefault();
    } else if (ev.key === "Escape") { closeList(input); }
  }
  function checkUnits(ev) {
    var bad = null;
    ev.target.querySelectorAll("[data-unit-picker]").forEach(function (input) {
      var wrong = parts(input).filter(function (x) { return !known(x); });
      if (wrong.length) {
        setError(input, "找不到单位“" + wrong[0].trim() + "”，请从列表中选择");
        bad = bad || input;
      } else { setError(input, null); }
    });
    if (bad) { ev.preventDefault(); ev.stopImmediatePropagation(); bad.focus(); }
  }
  document.addEventListener("input", function (ev) {
    if (ev.target.matches && ev.target.matches("[data-unit-picker]")) openList(ev.target);
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.target.matches && ev.target.matches("[data-unit-picker]")) pickerKeys(ev);
  }, true);
  document.addEventListener("focusout", function (ev) {
    if (ev.target.matches && ev.target.matches("[data-unit-picker]")) closeList(ev.target);
  });
  document.addEventListener("submit", function (ev) {
    if (ev.target.querySelector && ev.target.querySelector("[data-unit-picker]")) checkUnits(ev);
  }, true);
  // Order search: a district chosen refreshes the street list.
  document.addEventListener("change", function (ev) {
    if (ev.target.id === "district_code" && ev.target.form && ev.target.form.id === "search") {
      var street = document.getElementById("street_code"); if (street) street.value = "";
      ev.target.form.submit();
    }
  });
  // File controls: the browser's own (English) button hidden behind a Chinese one.
  function fileLabel(input) {
    var out = document.getElementById(input.id + "-name");
    if (out) out.textContent = input.files && input.files.length ? input.files[0].name : "未选择文件";
  }
  document.addEventListener("change", function (ev) {
    if (ev.target.matches && ev.target.matches("input[type=file].file-input")) fileLabel(ev.target);
  });

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
