// The scenario page: start a run through the JSON API, poll its progress, then draw the
// production loss per variant, the worst-hit sectors and the comparison of mitigations.
(function () {
  "use strict";
  var L = JSON.parse(document.getElementById("scenario-labels").textContent);
  // translations of the message ids of econsec's own texts ({id, params} pairs in the API)
  var T = JSON.parse(document.getElementById("scenario-texts").textContent);
  var lang = document.documentElement.lang || "en";
  var fmt = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  var pct = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
  var $ = function (id) { return document.getElementById(id); };
  function label(key) { return L[key] || key; }
  // variant names econsec makes up ("no measures", "only …") in the page language; names
  // from the scenario file stay as written
  var names = {};
  function learnNames(variants) {
    (variants || []).forEach(function (v) { if (v.name_text) { names[v.name] = text(v.name_text); } });
  }
  function vname(name) { return Object.prototype.hasOwnProperty.call(names, name) ? names[name] : name; }
  // one parameter as econsec.scenarios.texts.format_param shows it
  function param(name, value) {
    // a table's unit in the page language where the page has it (bundled tables)
    if (name === "unit" && typeof value === "string") { return T[value] || value; }
    if (typeof value === "string") { return vname(value); }
    if (typeof value === "number") {
      return /_share$/.test(name) ? pct.format(value) : fmt.format(value);
    }
    if (Array.isArray(value)) {
      return value.map(function (v) { v = vname(v); return lang === "ja" ? "「" + v + "」" : "'" + v + "'"; })
        .join(lang === "ja" ? "、" : ", ");
    }
    return value === null || value === undefined ? "" : String(value);
  }
  // a {id, params} pair in the page language; the English fallback where there is none
  function text(pair, fallback) {
    if (!pair || !pair.id) { return fallback || ""; }
    var params = pair.params || {};
    if (params.variant_text) { params = Object.assign({}, params, { variant: text(params.variant_text) }); }
    return (T[pair.id] || L[pair.id] || pair.id).replace(/%\((\w+)\)s|%%/g, function (m, key) {
      if (m === "%%") { return "%"; }
      return Object.prototype.hasOwnProperty.call(params, key) ? param(key, params[key]) : m;
    });
  }
  var current = null;  // URL of the run being watched

  // the server's token for requests that change something (absent on old pages)
  function headers(extra) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var out = { Accept: "application/json" };
    if (meta && meta.content) { out["X-CSRF-Token"] = meta.content; }
    Object.keys(extra || {}).forEach(function (k) { out[k] = extra[k]; });
    return out;
  }
  function finished() {
    current = null;
    $("run-button").disabled = false;
    $("cancel-button").hidden = true;
  }

  function setProgress(fraction, message) {
    var pct = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
    $("progress").value = fraction;
    $("progress-text").textContent = pct + "%";
    $("progress-message").textContent = message || "";
  }

  function fail(message) {
    $("run-error").hidden = false;
    $("run-error").textContent = label("The run failed") + ": " + message;
    finished();
  }

  function problemText(doc) {
    if (!doc) { return ""; }
    var line = doc.line ? text({ id: "line %(line)s", params: { line: String(doc.line) } }) : "";
    var where = [doc.file, line, doc.column || ""].filter(Boolean).join(", ");
    return (where ? where + ": " : "") + text(doc.detail_text, doc.detail || doc.title || JSON.stringify(doc));
  }

  function draw(doc) {
    var series = doc.series, result = doc.result;
    learnNames(result.variants);
    learnNames(series.variants);
    $("results").hidden = false;
    $("recommend-scenario").hidden = !runWorked;
    if (runWorked) {
      $("recommend-link").href = "/policy/recommend?finding=" +
        encodeURIComponent("scenario:worked:" + runWorked);
    }
    $("result-summary").textContent = (T[result.name] || result.name) + " — " + label("Unit") +
      ": " + (T[result.unit] || result.unit);
    var loss = series.variants.map(function (v, i) {
      return { type: "scatter", mode: "lines", name: vname(v.name), x: series.days,
               y: v.production_change, line: { width: i === 0 ? 3 : 1.5 } };
    });
    window.econsec.draw($("chart-loss"), { data: loss, layout: {
      title: { text: label("Production change per day"), font: { size: 13 } },
      margin: { l: 70, r: 10, t: 36, b: 40 }, xaxis: { title: { text: label("Day") } },
      yaxis: { title: { text: T[series.unit] || series.unit } },
      legend: { orientation: "h", y: -0.25 } } });
    var main = series.variants[0];
    function drawSectors(sectorNames) {
      var sectors = main.relative_production.slice(0, 6).map(function (s) {
        var full = sectorNames[s.sector] || "";
        var room = $("chart-sectors").clientWidth < 500 ? 14 : 28;  // a phone: shorter names
        var short = full.length > room ? full.slice(0, room - 1) + "…" : full;
        return { type: "scatter", mode: "lines", x: series.days, y: s.values,
                 name: s.region + " · " + s.sector + (short ? " " + short : ""),
                 hovertemplate: s.region + " · " + s.sector + (full ? " " + esc(full) : "") +
                   "<br>%{x}: %{y:.1%}<extra></extra>" };
      });
      window.econsec.draw($("chart-sectors"), { data: sectors, layout: {
        title: { text: label("Relative production of the worst-hit sectors") + " (" + vname(main.name) + ")", font: { size: 13 } },
        margin: { l: 60, r: 10, t: 36, b: 40 }, xaxis: { title: { text: label("Day") } },
        yaxis: { title: { text: label("relative to pre-shock production") }, tickformat: ".0%" },
        legend: { orientation: "h", y: $("chart-sectors").clientWidth < 500 ? -0.45 : -0.3 } } });
    }
    drawSectors({});
    // the sectors' names in the page language where the table is a bundled one
    if (result.mrio) {
      fetch("/scenarios/names?mrio=" + encodeURIComponent(result.mrio) + "&lang=" +
            encodeURIComponent(document.documentElement.lang || "en"),
            { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (doc) {
          if (!doc || !doc.sectors) { return; }
          var byCode = {};
          doc.sectors.forEach(function (s) { if (s.name) { byCode[s.code] = s.name; } });
          if (Object.keys(byCode).length) { drawSectors(byCode); }
        }).catch(function () { /* codes stay */ });
    }
    var head = ["Variant", "Mitigations", "Total production change", "Production loss avoided",
                "Final demand unmet", "Final demand unmet avoided", "Supplied by measures",
                "Total supply change", "Recovery day"];
    $("comparison").tHead.innerHTML = "<tr>" + head.map(function (h, i) {
      return '<th scope="col"' + (i > 1 ? ' class="num"' : "") + ">" + esc(label(h)) + "</th>";
    }).join("") + "</tr>";
    var body = $("comparison").tBodies[0];
    body.innerHTML = "";
    result.variants.forEach(function (v, i) {
      var tr = document.createElement("tr");
      var cells = [vname(v.name) + (i === 0 ? " (" + label("main run") + ")" : ""),
                   v.mitigations.length ? v.mitigations.join("; ") : label("none"),
                   num(v.total_production_change), num(v.production_loss_avoided),
                   num(v.total_final_demand_unmet), num(v.final_demand_unmet_avoided),
                   num(v.supplied_by_measures), num(v.total_supply_change),
                   v.recovery_day === null ? label("not recovered") : String(v.recovery_day)];
      cells.forEach(function (c, j) {
        var td = document.createElement("td");
        if (j > 1) { td.className = "num"; } else { td.style.minWidth = "9em"; }  // names stay readable on a phone; the table scrolls
        td.textContent = c;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    var list = $("result-explained");
    list.innerHTML = "";
    var explained = result.result_note_texts
      ? result.result_note_texts.map(function (p) { return text(p); })
      : (result.result_notes || []);
    explained.forEach(function (n) {
      var li = document.createElement("li");
      li.textContent = n;
      list.appendChild(li);
    });
    $("result-explained-h").hidden = !explained.length;
    // the job's own notes (econsec's texts), then the scenario file's and the table's notes
    // (in the page language where the page has their translation: worked scenarios, bundled
    // tables; a user's notes as written)
    var own = (doc.note_texts || []).map(function (p) { return text(p); });
    var notes = result.note_texts
      ? result.note_texts.map(function (p) { return text(p); }) : (result.notes || []);
    $("result-notes").textContent = own.concat(notes).join(" ");
  }
  function num(x) { return x === null || x === undefined ? "–" : fmt.format(x); }
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; }); }

  function poll(url) {
    if (url !== current) { return; }
    fetch(url, { headers: { Accept: "application/json" } }).then(function (r) { return r.json(); })
      .then(function (doc) {
        var state = { queued: "Queued", running: "Running", done: "Done", failed: "Failed",
                      cancelled: "Cancelled" }[doc.status];
        setProgress(doc.status === "done" ? 1 : doc.progress, label(state || doc.status) + (doc.message ? " — " + text(doc.message_text, doc.message) : ""));
        if (doc.status === "done") { finished(); draw(doc); }
        else if (doc.status === "failed") { fail(problemText(doc.error)); }
        else if (doc.status === "cancelled") { finished(); }
        else { setTimeout(function () { poll(url); }, 250); }
      }, function (err) { fail(String(err)); });
  }

  $("cancel-button").addEventListener("click", function () {
    var url = current;
    if (!url) { return; }
    $("cancel-button").disabled = true;
    fetch(url, { method: "DELETE", headers: headers() })
      .then(function (r) { return r.json(); })
      .then(function (doc) {
        $("cancel-button").disabled = false;
        if (doc.status === "cancelled") {
          finished();
          setProgress(doc.progress || 0, label("Cancelled"));
        }
      }, function (err) { $("cancel-button").disabled = false; fail(String(err)); });
  });

  $("scenario-file").addEventListener("change", function () {
    var f = this.files[0];
    if (!f) { return; }
    f.text().then(function (text) { $("scenario-text").value = text; $("src-text").checked = true; });
  });
  $("scenario-text").addEventListener("input", function () { $("src-text").checked = true; });
  $("worked").addEventListener("change", function () { $("src-worked").checked = true; });

  var runWorked = null;  // the worked scenario of the run shown (measures recommended for it)
  $("scenario-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var useText = $("src-text").checked, body, type;
    runWorked = useText ? null : $("worked").value;
    if (useText) {
      body = $("scenario-text").value;
      if (!body.trim()) { fail(label("Choose or paste a scenario.")); return; }
      type = body.trim().charAt(0) === "{" ? "application/json" : "application/yaml";
    } else {
      body = JSON.stringify({ worked: $("worked").value });
      type = "application/json";
    }
    $("run").hidden = false; $("results").hidden = true; $("run-error").hidden = true;
    $("run-button").disabled = true;
    setProgress(0, label("Starting…"));
    fetch("/api/v1/scenarios/runs", { method: "POST", headers: headers({ "Content-Type": type }), body: body })
      .then(function (r) { return r.json().then(function (doc) { return { ok: r.ok, doc: doc, location: r.headers.get("Location") }; }); })
      .then(function (res) {
        if (!res.ok) { fail(label("Could not start the run") + ": " + problemText(res.doc)); return; }
        current = res.location || ("/api/v1/scenarios/runs/" + res.doc.id);
        $("cancel-button").hidden = false;
        poll(current);
      }, function (err) { fail(String(err)); });
  });
})();
