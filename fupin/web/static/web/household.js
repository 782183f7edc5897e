/* The household page (一户一网页): print button and the income chart.
   ECharts is served by the app itself (static/web/vendor/echarts.min.js, built by `make assets`);
   without it the income table alone carries the data. No inline scripts, nothing external. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-print]") : null;
    if (target) {
      window.print();
    }
  });

  var box = document.getElementById("income-chart");
  var source = document.getElementById("income-chart-data");
  if (!box || !source || !window.echarts) {
    return;
  }
  var data = JSON.parse(source.textContent);
  box.hidden = false;
  var note = box.parentNode.querySelector(".chart-note");
  if (note) {
    note.hidden = false;
  }
  var chart = window.echarts.init(box, null, { renderer: "svg" });
  var money = function (value) {
    return Number(value).toLocaleString("zh-CN", { maximumFractionDigits: 2 }) + " 元";
  };
  var colors = ["#4e79a7", "#59a14f", "#edc948", "#f28e2b"];
  var series = data.series.map(function (s, i) {
    return { name: s.name, type: "bar", stack: "income", data: s.data, itemStyle: { color: colors[i % colors.length] },
             emphasis: { focus: "series" } };
  });
  series.push({ name: data.per_capita.name, type: "line", yAxisIndex: 1, data: data.per_capita.data,
                symbolSize: 7, itemStyle: { color: "#a4161a" }, lineStyle: { width: 2 } });
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis", valueFormatter: money },
    // Legend below the plot; on a phone it wraps to two or three lines, so leave room for them.
    legend: { bottom: 0, left: "center", itemGap: 8, textStyle: { fontSize: 12 } },
    grid: { left: 4, right: 4, top: 12, bottom: box.clientWidth < 480 ? 84 : 44, containLabel: true },
    xAxis: { type: "category", data: data.years },
    yAxis: [
      { type: "value", axisLabel: { fontSize: 11 } },
      { type: "value", splitLine: { show: false }, axisLabel: { fontSize: 11 } }
    ],
    series: series
  });
  var resize = function () { chart.resize(); };
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
})();
