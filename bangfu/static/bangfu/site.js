/* ECharts tooltips are drawn on the canvas (renderMode richText): the HTML tooltip writes style attributes, which the Content-Security-Policy refuses. */
/* Bangfu's own scripts: no inline scripts in the pages (Content-Security-Policy: same-origin only). */
(function () {
  "use strict";

  // The collapsed menu on phones: one button opens and closes the site navigation.
  document.querySelectorAll(".menu-toggle").forEach(function (button) {
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) return;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("open", open);
    });
  });

  // On a phone the filters of a list start folded: the rows come first.
  if (window.matchMedia("(max-width: 768px)").matches) {
    document.querySelectorAll("details.filter-box[open]").forEach(function (box) { box.open = false; });
  }

  // Charts: <div data-chart="pie|bar" data-source="ID"> reads its rows from the json_script element ID
  // (rows of {name, value} for a pie; {name, <series keys>} for a bar with data-series="key:label,…").
  function drawCharts() {
    if (!window.echarts) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.source);
      if (!source) return;
      var rows = JSON.parse(source.textContent);
      if (!rows.length) { el.hidden = true; return; }
      var chart = window.echarts.init(el), option;
      if (el.dataset.chart === "pie") {
        option = {tooltip: {trigger: "item", renderMode: "richText"},
                  series: [{type: "pie", radius: ["35%", "65%"],
                            data: rows.map(function (r) { return {name: r.name, value: r.value}; })}]};
      } else {
        var series = (el.dataset.series || "value:").split(",").map(function (part) {
          var bits = part.split(":");
          return {key: bits[0], label: bits.slice(1).join(":"), color: bits.length > 2 ? bits[2] : undefined};
        });
        option = {tooltip: {trigger: "axis", renderMode: "richText"}, legend: {top: 0}, grid: {left: 8, right: 8, bottom: 8, top: 32, containLabel: true},
                  xAxis: {type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: {interval: 0, rotate: rows.length > 6 ? 40 : 0}},
                  yAxis: {type: "value"},
                  series: series.map(function (s) {
                    return {type: "bar", stack: el.dataset.stack || undefined, name: s.label,
                            data: rows.map(function (r) { return r[s.key]; })};
                  })};
        if (el.dataset.links) {  // a click on a bar opens the row's page (its "url")
          chart.on("click", function (params) {
            var row = rows[params.dataIndex];
            if (row && row.url) window.location.href = row.url;
          });
        }
      }
      option.animation = false;  // drawn at once: no half-grown bars in a screenshot or a printout
      chart.setOption(option);
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  // Deferred like ECharts, which comes after this file: draw once every deferred script has run.
  if (document.readyState === "complete") drawCharts();
  else window.addEventListener("load", drawCharts);
})();
