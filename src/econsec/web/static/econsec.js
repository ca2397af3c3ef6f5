// econsec pages: draws every Plotly chart whose figure the server embedded as JSON
// (<div class="chart" data-spec="ID"> + <script type="application/json" id="ID">),
// on load and after every htmx swap. Map outlines come from the app (/static/).
// Adds the page's token (<meta name="csrf-token">) to every request that can change
// something: the X-CSRF-Token header on htmx and same-origin fetch requests, and a hidden
// csrf_token field as the first field of every method="post" form.
// <select data-autosubmit> submits its form on change (no inline handlers: the CSP forbids them).
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var TOKEN = meta ? meta.content : "";

  function addTokenFields(root) {
    (root || document).querySelectorAll("form").forEach(function (form) {
      if ((form.getAttribute("method") || "get").toLowerCase() !== "post") { return; }
      if (!TOKEN || form.querySelector('input[name="csrf_token"]')) { return; }
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "csrf_token";
      input.value = TOKEN;
      form.insertBefore(input, form.firstChild);
    });
  }

  document.addEventListener("htmx:configRequest", function (event) {
    if (TOKEN) { event.detail.headers["X-CSRF-Token"] = TOKEN; }
  });

  // A session that ended (signed out, idle, expired) answers htmx requests with 401:
  // go to the sign-in page, which comes back here afterwards.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.status === 401) {
      location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
    }
  });

  if (window.fetch) {
    var originalFetch = window.fetch;
    window.fetch = function (resource, init) {
      var url = new URL(typeof resource === "string" ? resource : resource.url, location.href);
      if (TOKEN && url.origin === location.origin) {
        init = Object.assign({}, init);
        var headers = new Headers(init.headers ||
                                  (typeof resource === "string" ? undefined : resource.headers));
        if (!headers.has("X-CSRF-Token")) { headers.set("X-CSRF-Token", TOKEN); }
        init.headers = headers;
      }
      return originalFetch.call(window, resource, init);
    };
  }

  function bindAutosubmit(root) {
    (root || document).querySelectorAll("[data-autosubmit]").forEach(function (el) {
      if (el.dataset.autosubmitBound) { return; }
      el.dataset.autosubmitBound = "1";
      el.addEventListener("change", function () {
        if (el.form) { el.form.requestSubmit(); }
      });
    });
  }
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

  window.econsec = { draw: draw, drawCharts: drawCharts, config: CONFIG, font: FONT,
                     csrfToken: TOKEN };
  document.addEventListener("DOMContentLoaded", function () {
    addTokenFields(document);
    bindAutosubmit(document);
    drawCharts(document);
    bindFilters(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    addTokenFields(event.target);
    bindAutosubmit(event.target);
    drawCharts(event.target);
  });
})();
