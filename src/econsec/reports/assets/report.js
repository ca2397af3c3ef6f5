// Draws the report's charts from the embedded chart data (#econsec-charts) with Plotly,
// lazily: a chart is drawn when it comes near the viewport in the shown language (an
// IntersectionObserver sees it when its section is opened or scrolled to), one chart per
// task so the page stays responsive. Plotly itself is unpacked (gzip, base64) and run once,
// when the first chart is wanted. Switching the language swaps which of the two language
// blocks is shown (a class on <body>), keeps the reader at the same section and draws only
// the charts that then come into view.
(function () {
  "use strict";
  function json(id) { return JSON.parse(document.getElementById(id).textContent); }
  const CH = json("econsec-charts");
  const LABELS = json("econsec-labels");
  const LANGS = ["ja", "en"];
  let current = "ja";

  function label(lang, key) { return (LABELS[lang] && LABELS[lang][key]) || key; }
  function pick(lang, pair) { return pair[lang === "ja" ? 0 : 1] || pair[1] || pair[0]; }
  function cname(lang, iso3) {
    const c = CH.countries[iso3];
    return c ? pick(lang, c) : iso3;
  }
  // Plotly's own strings (modebar buttons, notices) in the page language.
  const PLOTLY_TEXTS = ["Download plot as a png", "Zoom in", "Zoom out", "Reset",
                        "Double-click to zoom back out"];

  // --- Plotly, unpacked once on demand -------------------------------------------------
  let plotlyReady = null;
  function loadPlotly() {
    if (plotlyReady) { return plotlyReady; }
    plotlyReady = (async function () {
      if (window.Plotly) { return; }
      if (typeof DecompressionStream === "undefined") { throw new Error("no DecompressionStream"); }
      performance.mark("econsec:plotly-wanted");
      const packed = atob(document.getElementById("econsec-plotly").textContent.trim());
      const bytes = new Uint8Array(packed.length);
      for (let i = 0; i < packed.length; i += 1) { bytes[i] = packed.charCodeAt(i); }
      const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      const source = await new Response(stream).blob();
      performance.mark("econsec:plotly-unpacked");
      window.PlotlyGeoAssets = { topojson: { world_110m: json("econsec-topojson") } };
      // A script from a blob: address is compiled off the main thread (an inline one is not).
      const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
      await new Promise(function (resolve, reject) {
        const script = document.createElement("script");
        script.onload = resolve;
        script.onerror = reject;
        script.src = url;
        document.head.appendChild(script);
      });
      URL.revokeObjectURL(url);
      performance.mark("econsec:plotly-run");
      const dictionary = {};
      PLOTLY_TEXTS.forEach(function (key) { dictionary[key] = label("ja", key); });
      window.Plotly.register({ moduleType: "locale", name: "ja", dictionary: dictionary,
                               format: {} });
    })();
    return plotlyReady;
  }

  // --- the charts ------------------------------------------------------------------------
  const font = { family: '"Noto Sans CJK JP","Noto Sans JP",system-ui,sans-serif' };
  function config(lang, buttons) {
    return { displaylogo: false, responsive: true, locale: lang,
             modeBarButtons: [buttons || ["toImage"]] };
  }
  function narrow(el) { return el.clientWidth < 520; }

  function mapHover(lang) {
    return "%{customdata[" + (lang === "ja" ? 0 : 1) + "]}: %{z:.1f}%<extra></extra>";
  }

  const draw = {
    shares: function (el, lang) {
      const s = CH.shares[el.dataset.item + "/" + el.dataset.measure];
      const n = Math.min(10, s.iso.length);
      const iso = s.iso.slice(0, n).reverse();
      return Plotly.newPlot(el, [{
        type: "bar", orientation: "h",
        y: iso.map(function (c) { return cname(lang, c); }),
        x: s.pct.slice(0, n).reverse(),
        hovertemplate: "%{y}: %{x:.1f}%<extra></extra>", marker: { color: "#0b5cad" }
      }], { font: font, margin: { l: 10, r: 20, t: 40, b: 40 }, dragmode: false,
            title: { text: label(lang, s.world ? "Share of world total (%)"
                                               : "Share of reported total (%)"),
                     font: { size: 13 } },
            xaxis: { ticksuffix: "%", fixedrange: true },
            yaxis: { automargin: true, fixedrange: true } },
        config(lang));
    },
    map: function (el, lang) {
      const s = CH.shares[el.dataset.item + "/" + el.dataset.measure];
      return Plotly.newPlot(el, [{
        type: "choropleth", locationmode: "ISO-3", locations: s.iso, z: s.pct,
        customdata: s.iso.map(function (c) { return [cname("ja", c), cname("en", c)]; }),
        hovertemplate: mapHover(lang), zmin: 0,
        colorscale: [[0, "#deebf7"], [0.5, "#4292c6"], [1, "#08306b"]],
        colorbar: narrow(el)
          ? { ticksuffix: "%", title: { text: label(lang, "Share"), side: "top" },
              orientation: "h", thickness: 12, y: -0.05, yanchor: "top" }
          : { ticksuffix: "%", title: { text: label(lang, "Share") } }
      }], { font: font, margin: { l: 0, r: 0, t: 10, b: 0 },
            geo: { showframe: false, showcoastlines: true, showcountries: true,
                   countrycolor: "#bbb", lataxis: { range: [-58, 84] },
                   projection: { type: "natural earth" } } },
        config(lang, ["toImage", "zoomInGeo", "zoomOutGeo", "resetGeo"]));
    },
    trend: function (el, lang) {
      const t = CH.trends[el.dataset.item];
      return Plotly.newPlot(el, t.series.map(function (s) {
        return { type: "scatter", mode: "lines+markers", x: t.years, y: s.v,
                 name: s.key === null ? label(lang, "World total") : cname(lang, s.key),
                 line: s.key === null ? { dash: "dot", color: "#333" } : {} };
      }), { font: font, margin: { l: 10, r: 20, t: 10, b: 40 }, dragmode: false,
            legend: narrow(el) ? { orientation: "h", y: -0.15 } : {},
            xaxis: { dtick: 1, fixedrange: true },
            yaxis: { title: { text: pick(lang, t.unit) }, automargin: true, fixedrange: true,
                     exponentformat: "none", separatethousands: true } },
        config(lang));
    },
    matrix: function (el, lang) {
      const m = CH.matrix;
      return Plotly.newPlot(el, [{
        type: "scatter", mode: narrow(el) ? "markers" : "markers+text", textposition: "top center",
        x: m.ei, y: m.sr, text: m.names.map(function (p) { return pick(lang, p); }),
        marker: { size: 9, color: m.critical.map(function (c) { return c ? "#b3261e" : "#0b5cad"; }) },
        hovertemplate: "%{text}<br>EI %{x:.2f}, SR %{y:.2f}<extra></extra>",
        textfont: { size: 9 }
      }], { font: font, margin: { l: 60, r: 20, t: 10, b: 50 }, height: 560,
            xaxis: { title: { text: label(lang, "Economic importance (EI)") } },
            yaxis: { title: { text: label(lang, "Supply risk (SR)") } },
            shapes: [
              { type: "line", x0: m.ei_threshold, x1: m.ei_threshold, yref: "paper", y0: 0, y1: 1,
                line: { dash: "dash", color: "#999" } },
              { type: "line", y0: m.sr_threshold, y1: m.sr_threshold, xref: "paper", x0: 0, x1: 1,
                line: { dash: "dash", color: "#999" } }
            ] }, config(lang, ["toImage"]));
    }
  };

  // --- re-labelling: a chart drawn in one language is moved to the other language's place
  // and only its texts change (Plotly.update), instead of drawing it again.
  const relabel = {
    shares: function (el, lang) {
      const s = CH.shares[el.dataset.item + "/" + el.dataset.measure];
      const iso = s.iso.slice(0, Math.min(10, s.iso.length)).reverse();
      return Plotly.update(el, { y: [iso.map(function (c) { return cname(lang, c); })] }, {
        "title.text": label(lang, s.world ? "Share of world total (%)"
                                          : "Share of reported total (%)") });
    },
    map: function (el, lang) {
      return Plotly.restyle(el, { hovertemplate: mapHover(lang),
                                  "colorbar.title.text": label(lang, "Share") });
    },
    trend: function (el, lang) {
      const t = CH.trends[el.dataset.item];
      return Plotly.update(el, { name: t.series.map(function (s) {
        return s.key === null ? label(lang, "World total") : cname(lang, s.key);
      }) }, { "yaxis.title.text": pick(lang, t.unit) });
    },
    matrix: function (el, lang) {
      return Plotly.update(el, { text: [CH.matrix.names.map(function (p) { return pick(lang, p); })] },
        { "xaxis.title.text": label(lang, "Economic importance (EI)"),
          "yaxis.title.text": label(lang, "Supply risk (SR)") });
    }
  };
  // Plotly's button tooltips were set when the chart was drawn: give them the new language.
  function relabelButtons(el, lang) {
    el.querySelectorAll(".modebar-btn[data-title]").forEach(function (b) {
      PLOTLY_TEXTS.forEach(function (key) {
        if (b.getAttribute("data-title") === label(lang === "ja" ? "en" : "ja", key)) {
          b.setAttribute("data-title", label(lang, key));
        }
      });
    });
  }
  // The same chart in the other language's block.
  function twinChart(el) {
    const lang = blockLang(el) === "ja" ? "en" : "ja";
    let selector = '.chart[data-chart="' + el.dataset.chart + '"]';
    if (el.dataset.item) { selector += '[data-item="' + el.dataset.item + '"]'; }
    if (el.dataset.measure) { selector += '[data-measure="' + el.dataset.measure + '"]'; }
    return block(lang).querySelector(selector);
  }
  // Put the drawn chart ``drawn`` where the empty ``place`` is, and ``place`` where it was.
  function swap(place, drawn) {
    const mark = document.createComment("");
    place.replaceWith(mark);
    drawn.replaceWith(place);
    mark.replaceWith(drawn);
  }
  function show(el) {
    const lang = blockLang(el);
    const twin = twinChart(el);
    if (twin && twin.dataset.drawn && twin.querySelector(".main-svg")) {
      swap(el, twin);
      delete el.dataset.drawn;
      relabel[twin.dataset.chart](twin, lang);
      relabelButtons(twin, lang);
      return;
    }
    draw[el.dataset.chart](el, lang);
  }

  // --- lazy drawing: charts near the viewport, one per task ---------------------------
  const near = new Set();
  let busy = false;
  function blockLang(el) { return el.closest(".lang-block").getAttribute("lang"); }
  // The next chart to draw: one on screen before one in the margin, then document order.
  function next() {
    let best = null, bestOn = false;
    near.forEach(function (el) {
      if (blockLang(el) !== current || el.dataset.drawn) { return; }
      const r = el.getBoundingClientRect();
      const on = r.bottom > 0 && r.top < window.innerHeight;
      if (!best || (on && !bestOn) || (on === bestOn
          && (best.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_PRECEDING))) {
        best = el;
        bestOn = on;
      }
    });
    return best;
  }
  function pump() {
    if (busy) { return; }
    const el = next();
    if (!el) { return; }
    busy = true;
    loadPlotly().then(function () {
      el.dataset.drawn = "1";
      near.delete(el);
      try {
        show(el);
      } catch (e) {
        el.textContent = String(e);
      }
    }, function () {
      document.querySelectorAll(".chart").forEach(function (c) {
        c.dataset.drawn = "1";
        c.className = "chart-note";
        c.textContent = label(blockLang(c), "This browser cannot draw the charts.");
      });
      near.clear();
    }).then(function () {
      busy = false;
      setTimeout(pump, 0);
    });
  }
  const observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (e) {
      if (e.isIntersecting && !e.target.dataset.drawn) { near.add(e.target); }
      else { near.delete(e.target); }
    });
    pump();
  }, { rootMargin: "300px 0px" });
  document.querySelectorAll(".chart").forEach(function (el) { observer.observe(el); });

  // --- language switch -------------------------------------------------------------------
  function block(lang) { return document.querySelector('.lang-block[lang="' + lang + '"]'); }
  // The counterpart in the other language of a section or a commodity's <details>.
  function counterpart(el, lang) {
    const other = block(lang);
    if (el.tagName === "DETAILS") {
      return other.querySelector('details[data-item="' + el.dataset.item + '"]');
    }
    return el.id ? document.getElementById(el.id.replace(/-(ja|en)$/, "-" + lang)) : null;
  }
  // What the reader is looking at, and where it is on the screen: the open commodity they
  // are inside, else the first section or commodity whose top is on screen, else the
  // section they are inside.
  function anchor(lang) {
    const top = document.querySelector("header.top").getBoundingClientRect().bottom;
    let inside = null, openInside = null, first = null;
    block(lang).querySelectorAll("section, details.commodity").forEach(function (el) {
      const r = el.getBoundingClientRect();
      if (r.height === 0) { return; }
      if (r.top <= top && r.bottom > top) {
        inside = el;
        if (el.tagName === "DETAILS" && el.open) { openInside = el; }
      } else if (!first && r.top > top && r.top < window.innerHeight) {
        first = el;
      }
    });
    const el = openInside || first || inside;
    return el && { el: el, offset: el.getBoundingClientRect().top };
  }
  function setLang(lang) {
    if (LANGS.indexOf(lang) < 0) { return; }
    const before = current === lang ? null : anchor(current);
    if (current !== lang) {
      // The same commodities are open in both languages.
      block(current).querySelectorAll("details.commodity").forEach(function (d) {
        const twin = counterpart(d, lang);
        if (twin && twin.open !== d.open) { twin.open = d.open; }
      });
    }
    current = lang;
    document.body.classList.toggle("show-en", lang === "en");
    document.body.classList.toggle("show-ja", lang === "ja");
    document.documentElement.lang = lang;
    document.querySelectorAll("button.lang").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
    });
    const twin = before && counterpart(before.el, lang);
    // Off-screen sections take their real height only when they are rendered, so the
    // position is corrected again over the next frames.
    let frames = 4;
    function keep() {
      const delta = twin.getBoundingClientRect().top - before.offset;
      if (Math.abs(delta) > 1) { window.scrollBy(0, delta); }
      frames -= 1;
      if (frames > 0) { requestAnimationFrame(keep); }
    }
    if (twin) { keep(); }
    pump();
  }
  document.querySelectorAll("button.lang").forEach(function (b) {
    b.addEventListener("click", function () { setLang(b.dataset.lang); });
  });
  const wanted = (location.hash.match(/lang=(en|ja)/) || [])[1]
    || ((navigator.language || "").startsWith("ja") ? "ja" : "en");
  setLang(wanted);
  // "#open=gallium" opens that commodity's section (links can point at one commodity).
  const opened = (location.hash.match(/open=([a-z0-9-]+)/) || [])[1];
  if (opened) {
    document.querySelectorAll('details.commodity[data-item="' + opened + '"]').forEach(function (d) {
      d.open = true;
      if (blockLang(d) === current) { d.scrollIntoView(); }
    });
  }
})();
