// Draws every chart on the page from its options, which the server writes
// as JSON into <script type="application/json" id="…">, referenced by the
// chart element's data-chart attribute. No inline script is needed.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof echarts === "undefined") { return; }
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(JSON.parse(source.textContent));
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
