// Draws every chart on the page: an element with data-chart names the JSON script holding its ECharts
// options (written by the server; SVG renderer, plain-text tooltips: the CSP allows no inline styles).
document.addEventListener("DOMContentLoaded", () => {
  for (const element of document.querySelectorAll("[data-chart]")) {
    const source = document.getElementById(element.dataset.chart);
    if (!source || !window.echarts) continue;
    const chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption(JSON.parse(source.textContent));
    element.dataset.drawn = "yes";
    window.addEventListener("resize", () => chart.resize());
  }
});
