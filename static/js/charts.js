// Draws every chart on the page from the JSON beside it (no inline scripts).
// Each chart sits in a <figure> with a caption and a data table, so nothing depends on it.
(function () {
  "use strict";
  function draw() {
    if (!window.Plotly) {
      return;
    }
    document.querySelectorAll("[data-chart-spec]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-chart-spec"));
      if (!source) {
        return;
      }
      var spec = JSON.parse(source.textContent);
      // Plotly's default template comes once, from plotly-template.js, not in every chart.
      if (!spec.layout.template && window.sctPlotlyTemplate) {
        spec.layout.template = window.sctPlotlyTemplate;
      }
      window.Plotly.newPlot(element, spec.data, spec.layout, {
        displayModeBar: false,
        responsive: true,
        staticPlot: element.hasAttribute("data-chart-static"),
      }).then(function () {
        element.setAttribute("data-chart-drawn", "true");
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
