// The execution report's bar chart: budget, allocated and disbursed per row (data from json_script).
(function () {
  var el = document.getElementById("funds-chart");
  var data = document.getElementById("funds-chart-data");
  if (!el || !data || !window.echarts) return;
  var d = JSON.parse(data.textContent);
  if (!d.labels.length) { el.hidden = true; return; }
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis", renderMode: "richText" },
    legend: { data: d.names },
    grid: { containLabel: true, left: 8, right: 8 },
    xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: 20 } },
    yAxis: { type: "value" },
    series: [
      { name: d.names[0], type: "bar", data: d.budget },
      { name: d.names[1], type: "bar", data: d.allocated },
      { name: d.names[2], type: "bar", data: d.disbursed }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
