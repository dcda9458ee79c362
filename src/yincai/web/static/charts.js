/* Draw every element carrying data-chart='{ECharts option}' with the vendored ECharts. */
(function () {
  "use strict";
  function drawAll(root) {
    if (!window.echarts) { return; }
    root.querySelectorAll("[data-chart]").forEach(function (element) {
      if (element.dataset.drawn) { return; }
      var option;
      try { option = JSON.parse(element.dataset.chart); } catch (error) { return; }
      option.animation = false;
      window.echarts.init(element).setOption(option);
      element.dataset.drawn = "1";
    });
  }
  function resizeAll() {
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var chart = window.echarts && window.echarts.getInstanceByDom(element);
      if (chart) { chart.resize(); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawAll(event.target); });
  window.addEventListener("resize", resizeAll);
}());
