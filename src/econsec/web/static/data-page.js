// The data page: Import stays disabled until the preview of the chosen file says it can be
// imported (a static file: the Content-Security-Policy allows no inline script).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var file = document.getElementById("file"), imp = document.getElementById("import-button");
    if (!file || !imp) { return; }
    file.addEventListener("change", function () { imp.disabled = true; });
    document.body.addEventListener("htmx:afterSettle", function () {
      var ok = document.querySelector("#result [data-importable]");
      imp.disabled = !ok;
    });
  });
})();
