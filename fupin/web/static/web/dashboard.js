/* 数据看板: draws the charts of web/stats/dashboard.html from the JSON in #dashboard-data
   (json_script) and the county map from map.json (GeoJSON with each county's incidence).
   ECharts is served by the app itself (static/web/vendor/echarts.min.js); nothing external.
   Clicking a child region (bar) or a county with data (map) opens its dashboard.
   The chart instances are kept in window.fupinDashboard.charts (the browser test reads them). */
(function () {
  "use strict";

  var source = document.getElementById("dashboard-data");
  if (!source || !window.echarts) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var charts = {};
  var state = { charts: charts, mapReady: false, mapError: null };
  window.fupinDashboard = state;
  var PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                 "#9c755f", "#bab0ac"];
  var NO_DATA = "#d0d0d0";

  function box(name) {
    return document.querySelector('[data-chart="' + name + '"]');
  }
  function percent(value) {
    return value === null || value === undefined || isNaN(value) ? "无数据" : Number(value).toFixed(2) + "%";
  }
  function dashboardUrl(code) {
    return data.dashboard_url.replace("/CODE/", "/" + encodeURIComponent(code) + "/");
  }
  function init(name, option) {
    var el = box(name);
    if (!el) {
      return null;
    }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(Object.assign({ animation: false, color: PALETTE }, option));
    charts[name] = chart;
    return chart;
  }
  var narrow = (document.body.clientWidth || 800) < 480;

  init("trend", {
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { left: 4, right: 4, top: 24, bottom: 36, containLabel: true },
    xAxis: { type: "category", data: data.trend.years.map(String) },
    yAxis: [
      { type: "value", name: "人", axisLabel: { fontSize: 11 } },
      { type: "value", name: "%", splitLine: { show: false }, axisLabel: { fontSize: 11 } }
    ],
    series: [
      { name: "剩余贫困人口", type: "bar", data: data.trend.poor_persons },
      { name: "贫困发生率", type: "line", yAxisIndex: 1, data: data.trend.incidence, connectNulls: false,
        symbolSize: 7, tooltip: { valueFormatter: percent }, itemStyle: { color: "#a4161a" } }
    ]
  });

  init("causes", {
    tooltip: { trigger: "item", formatter: "{b}：{c} 户（{d}%）" },
    legend: { bottom: 0, type: "scroll" },
    series: [{ name: "主要致贫原因", type: "pie", radius: narrow ? ["25%", "55%"] : ["30%", "62%"],
               center: ["50%", "45%"], data: data.causes, label: { formatter: "{b}\n{c} 户" } }]
  });

  init("funnel", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 4, right: 40, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value" },
    yAxis: { type: "category", inverse: true, data: data.funnel.map(function (r) { return r.name; }) },
    series: [{ name: "户数", type: "bar", data: data.funnel.map(function (r) { return r.value; }),
               label: { show: true, position: "right" },
               itemStyle: { color: function (p) { return PALETTE[p.dataIndex % PALETTE.length]; } } }]
  });

  var children = init("children", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { bottom: 0 },
    grid: { left: 4, right: 4, top: 24, bottom: 36, containLabel: true },
    xAxis: { type: "category", data: data.children.map(function (c) { return c.name; }),
             axisLabel: { interval: 0, rotate: data.children.length > 6 ? 40 : 0, fontSize: 11 } },
    yAxis: [
      { type: "value", name: "人" },
      { type: "value", name: "%", splitLine: { show: false } }
    ],
    series: [
      { name: "剩余贫困人口", type: "bar", data: data.children.map(function (c) { return c.poor_persons; }),
        cursor: "pointer", barMaxWidth: 48 },
      { name: "贫困发生率", type: "line", yAxisIndex: 1, tooltip: { valueFormatter: percent },
        data: data.children.map(function (c) { return c.incidence; }), itemStyle: { color: "#a4161a" } }
    ]
  });
  if (children) {
    children.on("click", function (params) {
      var child = data.children[params.dataIndex];
      if (child) {
        window.location.href = dashboardUrl(child.code);
      }
    });
  }

  function drawMap(geo) {
    var el = box("map");
    window.echarts.registerMap(data.map.name, geo);
    var values = [];
    var max = 0;
    geo.features.forEach(function (f) {
      var p = f.properties;
      if (p.incidence !== null && p.incidence !== undefined) {
        var v = Math.round(p.incidence * 1000000) / 10000;  // percent, 4 decimals
        max = Math.max(max, v);
        values.push({ name: p.code, value: v, county: p.name, poor: p.poor_persons, population: p.rural_population });
      }
    });
    var names = {};
    geo.features.forEach(function (f) { names[f.properties.code] = f.properties.name; });
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var d = p.data;
          if (!d) {
            return (names[p.name] || p.name) + "：无数据";
          }
          return d.county + "<br>贫困发生率 " + percent(d.value) + "<br>剩余贫困人口 " + d.poor + " ÷ 乡村人口 " +
            d.population;
        }
      },
      visualMap: {
        type: "piecewise", left: 8, bottom: 8, seriesIndex: 0, textStyle: { fontSize: 11 },
        pieces: [
          { min: 10, label: "≥ 10%", color: "#a50f15" },
          { min: 5, max: 10, label: "5%–10%", color: "#de2d26" },
          { min: 3, max: 5, label: "3%–5%", color: "#fb6a4a" },
          { min: 1, max: 3, label: "1%–3%", color: "#fcae91" },
          { min: 0, max: 1, label: "< 1%", color: "#fee5d9" }
        ]
      },
      series: [{
        name: "贫困发生率", type: "map", map: data.map.name, nameProperty: "code", roam: true,
        data: values, selectedMode: false,
        label: { show: geo.features.length <= 15, formatter: function (p) { return names[p.name] || ""; },
                 fontSize: 10 },
        itemStyle: { areaColor: NO_DATA, borderColor: "#666", borderWidth: 0.6 },
        emphasis: { label: { show: true, formatter: function (p) { return names[p.name] || ""; } },
                    itemStyle: { areaColor: "#ffd166" } }
      }]
    });
    chart.on("click", function (p) {
      if (p.data && data.map.level !== "county") {
        window.location.href = dashboardUrl(p.name);
      }
    });
    charts.map = chart;
    state.mapReady = true;
    state.mapMax = max;
  }

  if (data.map && box("map")) {
    fetch(data.map.url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) {
        if (!r.ok) {
          throw new Error("地图数据加载失败（" + r.status + "）");
        }
        return r.json();
      })
      .then(drawMap)
      .catch(function (err) {
        state.mapError = String(err && err.message ? err.message : err);
        var status = document.getElementById("dash-map-status");
        if (status) {
          status.textContent = state.mapError;
          status.hidden = false;
        }
      });
  }

  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
  });
})();
