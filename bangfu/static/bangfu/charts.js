/* Charts of the pages, drawn by ECharts from data the page embeds with json_script.
   A static file, not an inline <script>: the Content-Security-Policy allows only this site's scripts.
   <div class="chart" data-chart="pie" data-source="ID" data-name="KEY" data-value="KEY"> draws a pie of the
   rows in the JSON element ID. The tooltip is drawn on the canvas (renderMode richText): ECharts' HTML
   tooltip writes style attributes, which the policy refuses. */
(function () {
  'use strict';
  function pie(el) {
    var source = document.getElementById(el.dataset.source);
    if (!source || !window.echarts) return;
    var rows = JSON.parse(source.textContent);
    if (!rows.length) { el.hidden = true; return; }
    var name = el.dataset.name || 'label', value = el.dataset.value || 'value';
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: {trigger: 'item', renderMode: 'richText'},
      series: [{type: 'pie', radius: ['35%', '65%'],
                data: rows.map(function (r) { return {name: r[name], value: r[value]}; })}]
    });
    window.addEventListener('resize', function () { chart.resize(); });
  }
  function draw() {
    document.querySelectorAll('[data-chart="pie"]').forEach(pie);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', draw); else draw();
})();
