// The scenario builder on /scenarios: a form that writes a scenario file (YAML) from a
// table, one disruption and any measures. Regions and sectors are offered from the chosen
// table (GET /scenarios/names); "Run this scenario" hands the YAML to the run form
// (scenarios.js posts it to the job API with the server's token). A static file: the
// Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  var form = document.getElementById("builder");
  if (!form) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var names = {};       // table -> {regions: [...], sectors: [{code, name}]}
  var current = null;   // names of the chosen table
  var counter = 0;

  function status(text) { $("b-status").textContent = text || ""; }

  function options(select, values, keep) {
    var before = keep || select.value;
    select.innerHTML = "";
    if (select.getAttribute("data-optional") === "all") {
      select.appendChild(new Option(form.getAttribute("data-all-regions"), ""));
    }
    values.forEach(function (v) {
      var code = typeof v === "string" ? v : v.code;
      var text = typeof v === "string" || !v.name ? code : code + " — " + v.name;
      select.appendChild(new Option(text, code));
    });
    var codes = values.map(function (v) { return typeof v === "string" ? v : v.code; });
    if (before !== undefined && (codes.indexOf(before) >= 0 || before === "")) {
      select.value = before;
    }
  }

  function pick(list, wanted, avoid) {
    for (var i = 0; i < wanted.length; i++) {
      if (list.indexOf(wanted[i]) >= 0 && wanted[i] !== avoid) { return wanted[i]; }
    }
    for (var j = 0; j < list.length; j++) { if (list[j] !== avoid) { return list[j]; } }
    return list[0] || "";
  }

  function fill(scope, fresh) {
    if (!current) { return; }
    var regions = current.regions, sectors = current.sectors;
    var codes = sectors.map(function (s) { return s.code; });
    var home = $("b-region").value && regions.indexOf($("b-region").value) >= 0
      ? $("b-region").value : pick(regions, ["reg2"]);
    var sector = $("b-sector").value && codes.indexOf($("b-sector").value) >= 0
      ? $("b-sector").value : pick(codes, ["mining", "331"]);
    scope.querySelectorAll("select[data-kind]").forEach(function (select) {
      var kind = select.getAttribute("data-kind");
      var field = select.getAttribute("data-field") || select.id;
      var keep;
      if (fresh || !select.value) {
        if (kind === "sector") { keep = sector; }
        else if (field === "b-region" || field === "origin") { keep = home; }
        else if (field === "b-to") { keep = ""; }
        else if (field === "alternative") { keep = pick(regions, [], home); }
        else { keep = pick(regions, ["reg1"], regions.length > 1 ? home : undefined); }
      }
      options(select, kind === "sector" ? sectors : regions, keep);
    });
  }

  function load() {
    var ref = $("b-mrio").value;
    if (names[ref]) { current = names[ref]; fill(form, false); update(); return; }
    status(form.getAttribute("data-loading"));
    fetch("/scenarios/names?mrio=" + encodeURIComponent(ref), { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (doc) {
        names[ref] = doc;
        if ($("b-mrio").value !== ref) { return; }
        current = doc;
        status("");
        fill(form, true);
        update();
      }, function (err) { status(form.getAttribute("data-names-failed") + " (" + err.message + ")"); });
  }

  // show the fields of the chosen type and its label for the share
  function showFields(scope, type) {
    scope.querySelectorAll("[data-for]").forEach(function (el) {
      el.hidden = el.getAttribute("data-for").split(" ").indexOf(type) < 0;
    });
    scope.querySelectorAll("label[data-label-default]").forEach(function (label) {
      label.textContent = label.getAttribute("data-label-" + type) || label.getAttribute("data-label-default");
    });
  }

  // ---- YAML: strings double-quoted (JSON strings are valid YAML), numbers as typed
  // a word YAML reads as that word (not a number, a boolean or null) stays plain
  var PLAIN = /^[A-Za-z_][A-Za-z0-9_-]*$/, KEYWORDS = /^(y|n|yes|no|on|off|true|false|null)$/i;
  function scalar(value) {
    if (typeof value === "number" || typeof value === "boolean") { return String(value); }
    var text = String(value);
    return PLAIN.test(text) && !KEYWORDS.test(text) ? text : JSON.stringify(text);
  }
  function num(input) {
    var text = String(input.value).trim();
    var n = Number(text);
    return text !== "" && isFinite(n) ? n : text;
  }
  function block(entry, indent) {
    var pad = new Array(indent + 1).join(" ");
    return Object.keys(entry).map(function (key, i) {
      var value = entry[key];
      var lead = i === 0 ? pad.slice(0, -2) + "- " : pad;
      if (Array.isArray(value)) {
        return lead + key + ":\n" + value.map(function (v) {
          return typeof v === "object" ? block(v, indent + 4) : pad + "  - " + scalar(v);
        }).join("\n");
      }
      return lead + key + ": " + scalar(value);
    }).join("\n");
  }

  function eventEntry() {
    var type = $("b-type").value, region = $("b-region").value, sector = $("b-sector").value;
    var to = $("b-to").value, share = num($("b-share")), start = num($("b-start"));
    var duration = num($("b-duration")), recovery = num($("b-recovery"));
    if (type === "capital_destroyed") {
      return { type: type, region: region, sector: sector, share_of_capital: share,
               start_day: start, recovery_days: recovery === 0 ? 1 : recovery, duration_days: duration };
    }
    if (type === "demand_change") {
      return { type: type, region: region, sector: sector, share: share, start_day: start,
               duration_days: duration };
    }
    if (type === "chokepoint_closure") {
      var others = to ? [to] : (current ? current.regions.filter(function (r) { return r !== region; }) : []);
      return { type: type, route: $("b-route").value.trim() || "route",
               flows: others.map(function (d) { return { origin: region, destination: d, sector: sector }; }),
               share: share, start_day: start, duration_days: duration, recovery_days: recovery };
    }
    var out = { type: type, region: region, sector: sector };
    if (type === "export_restriction" && to) { out.to = [to]; }
    out.share = share; out.start_day = start; out.duration_days = duration; out.recovery_days = recovery;
    return out;
  }

  var FIELDS = {
    stockpile_release: ["region", "sector", "origin", "days_of_use", "start_day"],
    diversify_supplier: ["sector", "origin", "alternative", "region", "share", "start_day", "ramp_days"],
    substitute: ["region", "sector", "share", "start_day"],
    recycle: ["region", "sector", "share", "start_day", "ramp_days"]
  };
  function measureEntry(box) {
    var get = function (name) { return box.querySelector('[data-field="' + name + '"]'); };
    var type = get("type").value, out = { type: type };
    FIELDS[type].forEach(function (name) {
      var input = get(name);
      out[name] = input.tagName === "SELECT" ? input.value : num(input);
    });
    return out;
  }

  function yaml() {
    var lines = ["name: " + scalar($("b-name").value.trim() || "scenario"),
                 "mrio: " + scalar($("b-mrio").value),
                 "horizon_days: " + scalar(num($("b-horizon"))),
                 "events:", block(eventEntry(), 4)];
    var boxes = $("b-measures").querySelectorAll(".measure");
    if (boxes.length) {
      lines.push("mitigations:");
      boxes.forEach(function (box) { lines.push(block(measureEntry(box), 4)); });
      lines.push("compare_mitigations: " + ($("b-compare").checked ? "true" : "false"));
    }
    return lines.join("\n") + "\n";
  }

  function update() {
    showFields($("b-event"), $("b-type").value);
    $("b-measures").querySelectorAll(".measure").forEach(function (box) {
      showFields(box, box.querySelector('[data-field="type"]').value);
    });
    var text = current ? yaml() : "";
    $("b-yaml").value = text;
    $("b-download").href = "data:application/yaml;charset=utf-8," + encodeURIComponent(text);
    $("b-run").disabled = !current;
  }

  function addMeasure() {
    var box = $("b-measure-template").content.firstElementChild.cloneNode(true);
    counter += 1;
    box.querySelectorAll("[data-field]").forEach(function (input) {
      input.id = "b-m" + counter + "-" + input.getAttribute("data-field");
      var label = box.querySelector('label[data-name="' + input.getAttribute("data-field") + '"]');
      if (label) { label.htmlFor = input.id; }
    });
    box.querySelector("[data-remove]").addEventListener("click", function () {
      box.remove();
      update();
    });
    $("b-measures").appendChild(box);
    fill(box, true);
    update();
  }

  form.addEventListener("input", update);
  form.addEventListener("change", function (event) {
    if (event.target.id === "b-mrio") { load(); } else { update(); }
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  $("b-add").addEventListener("click", addMeasure);
  $("b-edit").addEventListener("click", function () {
    $("scenario-text").value = $("b-yaml").value;
    $("src-text").checked = true;
    $("scenario-text").focus();
  });
  $("b-run").addEventListener("click", function () {
    $("scenario-text").value = $("b-yaml").value;
    $("src-text").checked = true;
    var run = $("scenario-form");
    if (run.requestSubmit) { run.requestSubmit(); } else { $("run-button").click(); }
    $("run").scrollIntoView({ block: "start" });
  });
  $("b-run").disabled = true;
  load();
})();
