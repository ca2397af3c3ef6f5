// Draws the report's charts from the embedded data (ECONSEC) with Plotly, lazily:
// a chart is drawn when its section is visible in the chosen language.
(function () {
  "use strict";
  const byId = {};
  ECONSEC.commodities.forEach(function (c) { byId[c.commodity] = c; });
  const countries = ECONSEC.countries;
  function label(lang, key) { return (LABELS[lang] && LABELS[lang][key]) || key; }
  function cname(lang, iso3) {
    const c = countries[iso3];
    return c ? (lang === "ja" ? c.ja : c.en) : iso3;
  }
  function iname(lang, c) { return lang === "ja" && c.name_ja ? c.name_ja : c.name_en; }
  const config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["sendDataToCloud"] };
  const font = { family: '"Noto Sans CJK JP","Noto Sans JP",system-ui,sans-serif' };

  const draw = {
    shares: function (el, lang) {
      const s = byId[el.dataset.item].measures[el.dataset.measure];
      const top = s.shares.slice(0, 10).reverse();
      Plotly.newPlot(el, [{
        type: "bar", orientation: "h",
        y: top.map(function (r) { return cname(lang, r.iso3); }),
        x: top.map(function (r) { return r.share * 100; }),
        hovertemplate: "%{y}: %{x:.1f}%<extra></extra>", marker: { color: "#0b5cad" }
      }], { font: font, margin: { l: 130, r: 20, t: 30, b: 40 },
            title: { text: label(lang, s.basis === "world-total" ? "Share of world total (%)"
                                : "Share of reported total (%)"), font: { size: 13 } },
            xaxis: { ticksuffix: "%" } }, config);
    },
    map: function (el, lang) {
      const s = byId[el.dataset.item].measures[el.dataset.measure];
      Plotly.newPlot(el, [{
        type: "choropleth", locationmode: "ISO-3",
        locations: s.shares.map(function (r) { return r.iso3; }),
        z: s.shares.map(function (r) { return r.share * 100; }),
        text: s.shares.map(function (r) { return cname(lang, r.iso3); }),
        hovertemplate: "%{text}: %{z:.1f}%<extra></extra>", zmin: 0,
        colorscale: [[0, "#deebf7"], [0.5, "#4292c6"], [1, "#08306b"]],
        colorbar: { ticksuffix: "%", title: { text: label(lang, "Share") } }
      }], { font: font, margin: { l: 0, r: 0, t: 10, b: 0 },
            geo: { showframe: false, showcoastlines: true, showcountries: true,
                   countrycolor: "#bbb", lataxis: { range: [-58, 84] },
                   projection: { type: "natural earth" } } },
        config);
    },
    trend: function (el, lang) {
      const t = byId[el.dataset.item].trend;
      Plotly.newPlot(el, t.series.map(function (s) {
        return { type: "scatter", mode: "lines+markers", x: t.years, y: s.values,
                 name: s.is_world_total ? label(lang, "World total") : cname(lang, s.key),
                 line: s.is_world_total ? { dash: "dot", color: "#333" } : {} };
      }), { font: font, margin: { l: 70, r: 20, t: 10, b: 40 },
            xaxis: { dtick: 1 }, yaxis: { title: { text: t.unit } } }, config);
    },
    hhi: function (el, lang) {
      const rows = ECONSEC.hhi_ranking.slice(0, 20).reverse();
      Plotly.newPlot(el, [{
        type: "bar", orientation: "h",
        y: rows.map(function (r) { return lang === "ja" ? r.name_ja : r.name_en; }),
        x: rows.map(function (r) { return r.hhi; }),
        text: rows.map(function (r) { return lang === "ja" ? r.top_name_ja : r.top_name_en; }),
        hovertemplate: "%{y}: HHI %{x:.3f} (%{text})<extra></extra>", marker: { color: "#b3261e" }
      }], { font: font, margin: { l: 170, r: 20, t: 10, b: 40 }, height: 520,
            xaxis: { title: { text: "HHI" }, range: [0, 1] } }, config);
    },
    matrix: function (el, lang) {
      const m = ECONSEC.matrix;
      const pts = m.points;
      Plotly.newPlot(el, [{
        type: "scatter", mode: "markers+text", textposition: "top center",
        x: pts.map(function (p) { return p.ei; }), y: pts.map(function (p) { return p.sr; }),
        text: pts.map(function (p) { return lang === "ja" ? p.material_ja : p.material; }),
        marker: { size: 9, color: pts.map(function (p) { return p.critical ? "#b3261e" : "#0b5cad"; }) },
        hovertemplate: "%{text}<br>EI %{x:.2f}, SR %{y:.2f}<extra></extra>", textfont: { size: 9 }
      }], { font: font, margin: { l: 60, r: 20, t: 10, b: 50 }, height: 560,
            xaxis: { title: { text: label(lang, "Economic importance (EI)") } },
            yaxis: { title: { text: label(lang, "Supply risk (SR)") } },
            shapes: [
              { type: "line", x0: m.ei_threshold, x1: m.ei_threshold, yref: "paper", y0: 0, y1: 1, line: { dash: "dash", color: "#999" } },
              { type: "line", y0: m.sr_threshold, y1: m.sr_threshold, xref: "paper", x0: 0, x1: 1, line: { dash: "dash", color: "#999" } }
            ] }, config);
    }
  };

  function visible(el) { return el.offsetParent !== null; }
  function drawVisible(root) {
    const lang = document.body.classList.contains("show-en") ? "en" : "ja";
    (root || document).querySelectorAll('.chart[data-lang="' + lang + '"]').forEach(function (el) {
      if (el.dataset.drawn || !visible(el)) { return; }
      el.dataset.drawn = "1";
      try { draw[el.dataset.chart](el, lang); } catch (e) { el.textContent = String(e); }
    });
  }
  function setLang(lang) {
    document.body.classList.toggle("show-en", lang === "en");
    document.body.classList.toggle("show-ja", lang === "ja");
    document.documentElement.lang = lang;
    document.querySelectorAll("button.lang").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
    });
    drawVisible();
  }
  document.querySelectorAll("button.lang").forEach(function (b) {
    b.addEventListener("click", function () { setLang(b.dataset.lang); });
  });
  document.querySelectorAll("details.commodity").forEach(function (d) {
    d.addEventListener("toggle", function () { if (d.open) { drawVisible(d); } });
  });
  const wanted = (location.hash.match(/lang=(en|ja)/) || [])[1]
    || ((navigator.language || "").startsWith("ja") ? "ja" : "en");
  setLang(wanted);
  // "#open=gallium" opens that commodity's section (links can point at one commodity).
  const opened = (location.hash.match(/open=([a-z0-9-]+)/) || [])[1];
  if (opened) {
    document.querySelectorAll('details.commodity[data-item="' + opened + '"]').forEach(function (d) {
      d.open = true;
      if (d.offsetParent !== null) { d.scrollIntoView(); }
    });
  }
})();
