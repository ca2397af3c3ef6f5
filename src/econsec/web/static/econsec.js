// econsec pages: draws every Plotly chart whose figure the server embedded as JSON
// (<div class="chart" data-spec="ID"> + <script type="application/json" id="ID">),
// on load and after every htmx swap. Map outlines come from the app (/static/).
(function () {
  "use strict";
  var FONT = { family: '"Noto Sans CJK JP","Noto Sans JP",system-ui,sans-serif' };
  var CONFIG = { displaylogo: false, responsive: true, topojsonURL: "/static/",
                 modeBarButtonsToRemove: ["sendDataToCloud", "lasso2d", "select2d"] };

  function draw(el, figure) {
    if (!window.Plotly) { return; }
    var layout = Object.assign({ font: FONT, autosize: true }, figure.layout || {});
    window.Plotly.newPlot(el, figure.data, layout, CONFIG).then(function () {
      el.dataset.drawn = "1";
    }, function (err) {
      el.dataset.drawn = "error";
      el.textContent = String(err);
    });
  }

  function drawCharts(root) {
    (root || document).querySelectorAll(".chart[data-spec]").forEach(function (el) {
      if (el.dataset.drawn) { return; }
      var spec = document.getElementById(el.dataset.spec);
      if (!spec) { return; }
      el.dataset.drawn = "pending";
      try { draw(el, JSON.parse(spec.textContent)); }
      catch (err) { el.dataset.drawn = "error"; el.textContent = String(err); }
    });
  }

  // <input data-filter="CSS selector of rows">: hide rows whose data-search lacks the text.
  function bindFilters(root) {
    (root || document).querySelectorAll("input[data-filter]").forEach(function (input) {
      input.addEventListener("input", function () {
        var q = input.value.trim().toLowerCase();
        document.querySelectorAll(input.dataset.filter).forEach(function (row) {
          row.hidden = q !== "" && (row.dataset.search || "").toLowerCase().indexOf(q) < 0;
        });
      });
    });
  }

  window.econsec = { draw: draw, drawCharts: drawCharts, config: CONFIG, font: FONT };
  document.addEventListener("DOMContentLoaded", function () {
    drawCharts(document);
    bindFilters(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) { drawCharts(event.target); });
})();
