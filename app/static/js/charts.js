// Draws every chart on the page from its options, which the server writes
// as JSON into <script type="application/json" id="…">, referenced by the
// chart element's data-chart attribute. No inline script is needed.
//
// Options are JSON and cannot carry functions, so reports/charts marks
// where numbers need formatting in the page's language ("format" on an axis
// or the tooltip, see reports/charts numbers) and rows shown shortened
// ("shortText" on a category axis); this file puts formatters there.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "de";

  // number returns a function that writes a number as spec says, in the
  // page's language: "1,5", "+0,5" (no sign on zero, never "-0"), "25 %".
  function number(spec) {
    var digits = spec.digits || 0;
    var nf = new Intl.NumberFormat(lang, {
      maximumFractionDigits: digits,
      signDisplay: spec.sign ? "exceptZero" : "auto"
    });
    var scale = Math.pow(10, digits);
    function one(v) {
      var x = typeof v === "number" ? v : parseFloat(v);
      if (v === null || v === undefined || isNaN(x)) { return "–"; }
      if (spec.abs) { x = Math.abs(x); }
      x = Math.round(x * scale) / scale;
      if (x === 0) { x = 0; } // -0 would be written "-0"
      return nf.format(x) + (spec.suffix || "");
    }
    return function (v) { return Array.isArray(v) ? v.map(one) : one(v); };
  }

  // interval writes a box plot's box drawn as an interval (low, low, mean,
  // high, high): "Mittlere Veränderung: +1,2 [+0,9; +1,5]".
  function interval(f) {
    return function (p) {
      var v = (p.data && p.data.value) || p.value || [];
      if (v.length > 5) { v = v.slice(v.length - 5); }
      var head = p.name ? p.name + "\n" : "";
      if (v.length < 5) { return head + p.seriesName + ": –"; }
      return head + p.seriesName + ": " + f(v[2]) + " [" + f(v[0]) + "; " + f(v[4]) + "]";
    };
  }

  function list(x) { return x === undefined ? [] : (Array.isArray(x) ? x : [x]); }

  function prepare(options) {
    ["xAxis", "yAxis"].forEach(function (key) {
      list(options[key]).forEach(function (axis) {
        if (axis.format) {
          var f = number(axis.format);
          axis.axisLabel = axis.axisLabel || {};
          axis.axisLabel.formatter = function (v) { return f(v); };
          axis.axisPointer = axis.axisPointer || {};
          axis.axisPointer.label = axis.axisPointer.label || {};
          axis.axisPointer.label.formatter = function (p) { return f(p.value); };
          delete axis.format;
        }
        if (axis.shortText) {
          var short = axis.shortText;
          axis.axisLabel = axis.axisLabel || {};
          axis.axisLabel.formatter = function (v, i) { return short[i] === undefined ? v : short[i]; };
          delete axis.shortText;
        }
      });
    });
    list(options.tooltip).forEach(function (tip) {
      if (tip.format) {
        var f = number(tip.format);
        if (tip.format.ci) { tip.formatter = interval(f); } else { tip.valueFormatter = f; }
        delete tip.format;
      }
    });
    return options;
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof echarts === "undefined") { return; }
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) { return; }
      // A chart of several panels says how tall it is; set through the
      // CSSOM, which the CSP allows (a style attribute it would not).
      var height = parseInt(el.getAttribute("data-height"), 10);
      if (height > 0) { el.style.height = height + "px"; }
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(prepare(JSON.parse(source.textContent)));
      el.setAttribute("data-drawn", "true");
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
    // Redraw at paper width before printing, and back afterwards.
    window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
    window.addEventListener("afterprint", function () { charts.forEach(function (c) { c.resize(); }); });
  });
}());
