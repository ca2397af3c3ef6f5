// /policy/recommend: start the ranking through the JSON API, show the job's progress, and
// reload the page with the job's id when it is done (the server renders the result).
(function () {
  "use strict";
  function start() {
    var root = document.getElementById("recommend-run");
    var spec = document.getElementById("policy-labels");
    if (!root || !spec) { return; }
    var labels = JSON.parse(spec.textContent);
    var bar = root.querySelector("progress");
    var line = root.querySelector(".message");
    function tr(id) { return Object.prototype.hasOwnProperty.call(labels, id) ? labels[id] : id; }
    function text(pair, fallback) {
      if (!pair || !pair.id) { return fallback || ""; }
      var params = pair.params || {};
      return tr(pair.id).replace(/%\((\w+)\)s/g, function (_, key) {
        return params[key] === undefined ? "" : String(params[key]);
      });
    }
    function fail(label, detail) {
      line.textContent = tr(label) + (detail ? ": " + detail : "");
      line.className = "message error";
    }
    function poll(id) {
      fetch("/api/v1/recommendations/" + encodeURIComponent(id), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (job) {
          bar.value = job.progress || 0;
          line.textContent = text(job.message_text, job.message);
          if (job.status === "done") {
            window.location.replace(root.dataset.done + "&job=" + encodeURIComponent(id));
          } else if (job.status === "failed") {
            fail("The ranking failed", job.error && job.error.detail);
          } else if (job.status === "cancelled") {
            fail("Cancelled");
          } else {
            window.setTimeout(function () { poll(id); }, 700);
          }
        }, function (err) { fail("The ranking failed", String(err)); });
    }
    fetch("/api/v1/recommendations", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ finding: root.dataset.finding })
    }).then(function (r) {
      return r.json().then(function (doc) { return { ok: r.ok, doc: doc }; });
    }).then(function (answer) {
      if (!answer.ok) { fail("Could not start the ranking", answer.doc.detail); return; }
      poll(answer.doc.id);
    }, function (err) { fail("Could not start the ranking", String(err)); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else { start(); }
}());
