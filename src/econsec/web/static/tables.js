// econsec pages: sortable tables with a permalink and downloads (no inline script, no eval).
//
// <table id="T" data-sortable="PREFIX"> gets a sort button in every column header
// (<th data-col="KEY">, else the column's number; <th data-nosort> keeps its header plain).
// A click sorts the rows (numbers by their data-value attribute or their text, other text
// in the page language's order, empty cells last), marks the header with aria-sort and keeps
// the sort in the address: PREFIX_sort=KEY and PREFIX_desc=1 (PREFIX is usually empty, so
// ?_sort=KEY&_desc=1). The filter box of the table (<input data-filter="#T tbody tr">) is
// kept there too as PREFIX_search. Loading such an address applies them again.
// <p class="table-tools" data-tools-for="T"> holds the links that follow the sort and
// filter: a[data-format] (the server's ?_format=csv|json of the page), a[data-permalink]
// (this view) and button[data-download=csv|json] (files built from the rows shown).
(function () {
  "use strict";

  var NUMBER = /^[-+\u2212]?(\d[\d,\s]*)?\.?\d+(e[-+]?\d+)?\s*%?$/i;

  function params(table) {
    var prefix = table.dataset.sortable || "";
    return { sort: prefix + "_sort", desc: prefix + "_desc", search: prefix + "_search" };
  }

  function headerCells(table) {
    var rows = table.tHead ? table.tHead.rows : [];
    return rows.length ? Array.prototype.slice.call(rows[rows.length - 1].cells) : [];
  }

  function columnKey(th, index) {
    return th.dataset.col || String(index + 1);
  }

  // The sort value of a cell: a number (data-value, or text that reads as one), else text;
  // null for an empty cell.
  function cellValue(cell) {
    if (!cell) { return null; }
    if (cell.hasAttribute("data-value")) {
      var v = parseFloat(cell.getAttribute("data-value"));
      if (isFinite(v)) { return v; }
    }
    var raw = cell.textContent.replace(/\s+/g, " ").trim();
    if (raw === "" || raw === "\u2013" || raw === "-") { return null; }
    if (NUMBER.test(raw)) {
      var n = parseFloat(raw.replace(/[,\s%]/g, "").replace("\u2212", "-"));
      if (isFinite(n)) { return n; }
    }
    return raw;
  }

  function collator() {
    try {
      return new Intl.Collator(document.documentElement.lang || undefined,
                               { numeric: true, sensitivity: "base" });
    } catch (err) {
      return new Intl.Collator(undefined, { numeric: true });
    }
  }

  function compare(a, b, text) {
    var an = typeof a === "number";
    var bn = typeof b === "number";
    if (an && bn) { return a - b; }
    if (an !== bn) { return an ? -1 : 1; }  // numbers before text
    return text.compare(a, b);
  }

  function sortRows(table, index, descending) {
    var text = collator();
    Array.prototype.forEach.call(table.tBodies, function (body) {
      var rows = Array.prototype.slice.call(body.rows);
      if (rows.some(function (row) { return row.cells.length === 1 && row.cells[0].colSpan > 1; })) {
        return;  // a "nothing to show" row
      }
      var keyed = rows.map(function (row, i) {
        if (row.dataset.order === undefined) { row.dataset.order = String(i); }
        return { row: row, value: cellValue(row.cells[index]), order: +row.dataset.order };
      });
      keyed.sort(function (x, y) {
        if (x.value === null || y.value === null) {
          if (x.value === y.value) { return x.order - y.order; }
          return x.value === null ? 1 : -1;  // empty cells last in either direction
        }
        var c = compare(x.value, y.value, text);
        if (descending) { c = -c; }
        return c || x.order - y.order;
      });
      keyed.forEach(function (k) { body.appendChild(k.row); });
    });
  }

  function currentUrl() {
    return new URL(window.location.href);
  }

  function setParams(url, values) {
    Object.keys(values).forEach(function (key) {
      if (values[key] === null || values[key] === "") { url.searchParams.delete(key); }
      else { url.searchParams.set(key, values[key]); }
    });
    return url;
  }

  // The links of the table's tools follow its sort and filter.
  function updateTools(table) {
    var tools = table.id && document.querySelector('[data-tools-for="' + table.id + '"]');
    if (!tools) { return; }
    var p = params(table);
    var here = currentUrl().searchParams;
    var values = {};
    [p.sort, p.desc, p.search].forEach(function (k) { values[k] = here.get(k); });
    tools.querySelectorAll("a[data-format], a[data-permalink]").forEach(function (link) {
      var url = new URL(link.getAttribute("href"), window.location.href);
      // the server's own names for its export; a prefixed table keeps its own in the link
      var serverValues = link.hasAttribute("data-format") ? {
        _sort: values[p.sort], _desc: values[p.desc], _search: values[p.search] } : values;
      link.setAttribute("href", url.pathname + setParams(url, serverValues).search);
    });
  }

  function applySort(table, key, descending, remember) {
    var headers = headerCells(table);
    var index = -1;
    headers.forEach(function (th, i) {
      if (columnKey(th, i) === key && !th.hasAttribute("data-nosort")) { index = i; }
    });
    if (index < 0) { return; }
    sortRows(table, index, descending);
    headers.forEach(function (th, i) {
      if (i === index) { th.setAttribute("aria-sort", descending ? "descending" : "ascending"); }
      else { th.removeAttribute("aria-sort"); }
    });
    if (remember) {
      var p = params(table);
      var values = {};
      values[p.sort] = key;
      values[p.desc] = descending ? "1" : null;
      window.history.replaceState(window.history.state, "", setParams(currentUrl(), values));
    }
    updateTools(table);
  }

  function addButtons(table) {
    headerCells(table).forEach(function (th, i) {
      if (th.hasAttribute("data-nosort") || th.querySelector("button.sort")) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      var icon = document.createElement("span");
      icon.className = "sort-icon";
      icon.setAttribute("aria-hidden", "true");
      button.appendChild(icon);
      if (table.dataset.sortTitle) { button.title = table.dataset.sortTitle; }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var state = th.getAttribute("aria-sort");
        var descending = state ? state === "ascending" : th.classList.contains("num");
        applySort(table, columnKey(th, i), descending, true);
      });
    });
  }

  // The filter box of the table: its text is kept in the address and restored on load.
  function bindFilter(table) {
    if (!table.id) { return; }
    var p = params(table);
    document.querySelectorAll("input[data-filter]").forEach(function (input) {
      if (input.dataset.filter.indexOf("#" + table.id + " ") !== 0 || input.dataset.kept) {
        return;
      }
      input.dataset.kept = "1";
      var saved = currentUrl().searchParams.get(p.search);
      if (saved) {
        input.value = saved;
        input.dispatchEvent(new Event("input"));
      }
      input.addEventListener("input", function () {
        var values = {};
        values[p.search] = input.value.trim() || null;
        window.history.replaceState(window.history.state, "", setParams(currentUrl(), values));
        updateTools(table);
      });
    });
  }

  // --------------------------------------------------------------- files from the table

  var FORMULA = /^[=+\-@\t\r]/;

  function csvCell(value) {
    var text = value === null ? "" : String(value);
    if (typeof value === "string" && FORMULA.test(text) && !NUMBER.test(text)) {
      text = "'" + text;  // a spreadsheet would run it as a formula
    }
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function shownRows(table) {
    var rows = [];
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        if (!row.hidden) { rows.push(row); }
      });
    });
    return rows;
  }

  function tableData(table) {
    var headers = headerCells(table);
    var labels = headers.map(function (th) { return th.textContent.trim(); });
    var keys = headers.map(function (th, i) { return th.dataset.col || labels[i] || String(i + 1); });
    var rows = shownRows(table).map(function (row) {
      return headers.map(function (th, i) {
        var cell = row.cells[i];
        if (!cell) { return null; }
        var text = cell.textContent.replace(/\s+/g, " ").trim();
        var n = cell.hasAttribute("data-value") ? parseFloat(cell.getAttribute("data-value"))
          : NaN;
        if (isFinite(n)) { return n; }
        return text === "" || text === "\u2013" ? null : text;
      });
    });
    return { labels: labels, keys: keys, rows: rows };
  }

  function save(name, type, text) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  function download(table, format) {
    var data = tableData(table);
    var name = (table.id || "table") + "." + format;
    if (format === "json") {
      var rows = data.rows.map(function (row) {
        var obj = {};
        data.keys.forEach(function (k, i) { obj[k] = row[i]; });
        return obj;
      });
      save(name, "application/json", JSON.stringify({ table: table.id || "table",
        columns: data.keys, rows: rows }, null, 1));
    } else {
      var lines = [data.labels.map(csvCell).join(",")].concat(data.rows.map(function (row) {
        return row.map(csvCell).join(",");
      }));
      save(name, "text/csv", lines.join("\n") + "\n");
    }
  }

  function bindTools(table) {
    var tools = table.id && document.querySelector('[data-tools-for="' + table.id + '"]');
    if (!tools || tools.dataset.bound) { return; }
    tools.dataset.bound = "1";
    tools.querySelectorAll("button[data-download]").forEach(function (button) {
      button.addEventListener("click", function () { download(table, button.dataset.download); });
    });
    tools.hidden = false;
  }

  function enhance(root) {
    (root || document).querySelectorAll("table[data-sortable]").forEach(function (table) {
      if (table.dataset.enhanced) { return; }
      table.dataset.enhanced = "1";
      addButtons(table);
      bindTools(table);
      bindFilter(table);
      var p = params(table);
      var here = currentUrl().searchParams;
      if (here.get(p.sort)) {
        applySort(table, here.get(p.sort), here.get(p.desc) === "1", false);
      } else {
        updateTools(table);
      }
    });
  }

  window.econsecTables = { enhance: enhance, cellValue: cellValue };
  // after econsec.js has bound the filter boxes (its DOMContentLoaded listener runs first)
  if (document.readyState === "complete") {
    enhance(document);
  } else {
    document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  }
  document.addEventListener("htmx:afterSettle", function (event) { enhance(event.target); });
})();
