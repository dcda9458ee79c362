/* Draw every element carrying data-chart='{ECharts option}' with the vendored ECharts; an
   element's data-height (pixels) sets its height, or the option's own "yincaiHeight" (set by
   yincai/echarts.py for rankings that grow with their rows). Tooltips are drawn on the canvas: ECharts'
   HTML tooltips carry style attributes, which the Content-Security-Policy refuses. */
(function () {
  "use strict";
  function drawAll(root) {
    if (!window.echarts) { return; }
    root.querySelectorAll("[data-chart]").forEach(function (element) {
      if (element.dataset.drawn) { return; }
      var option;
      try { option = JSON.parse(element.dataset.chart); } catch (error) { return; }
      option.animation = false;
      if (option.tooltip) { option.tooltip.renderMode = "richText"; }
      if (option.yincaiHeight) {
        element.style.height = option.yincaiHeight + "px";
        delete option.yincaiHeight;
      } else if (element.dataset.height) {
        element.style.height = element.dataset.height + "px";
      }
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
