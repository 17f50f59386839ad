// Progressive enhancement only: every page works without JavaScript.

// What only JavaScript draws (charts) is shown only when it runs: without
// it there is no empty box. This runs before the chart script (both are
// deferred, this one first).
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});

// The error summary (or the note on open questions) takes the focus, so a
// screen reader reads it and the keyboard starts there. Browsers that honour
// autofocus on it have done so already; without JavaScript it is simply
// first in the page.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-focus]");
  if (summary && document.activeElement !== summary) {
    summary.focus();
  }
});

// Printed feedback should include the collapsed explanations.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details").forEach(function (d) { d.open = true; });
});

// A double click must not send a form twice: the second request would get
// the answer to a stale form. The server copes either way; this spares the
// participant a confusing page.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
});
// Coming back with the browser's back button restores a sent form: allow it again.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-sent]").forEach(function (f) { delete f.dataset.sent; });
});

// A table wider than the screen scrolls sideways in its wrapper. The markup
// makes every wrapper a named region with a tab stop, so keyboard users can
// scroll it even without JavaScript; here the wrappers whose table fits give
// the tab stop and the landmark up again, and get them back when it no
// longer fits (a narrower window, a larger font).
function markScrollableTables() {
  document.querySelectorAll(".table-wrap[aria-labelledby], .table-wrap[data-labelledby]").forEach(function (wrap) {
    var label = wrap.getAttribute("aria-labelledby") || wrap.getAttribute("data-labelledby");
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      wrap.setAttribute("role", "region");
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("aria-labelledby", label);
      wrap.removeAttribute("data-labelledby");
    } else if (document.activeElement !== wrap) {
      wrap.removeAttribute("role");
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("aria-labelledby");
      wrap.setAttribute("data-labelledby", label);
    }
  });
}
document.addEventListener("DOMContentLoaded", markScrollableTables);
var tableCheck = 0;
window.addEventListener("resize", function () {
  cancelAnimationFrame(tableCheck);
  tableCheck = requestAnimationFrame(markScrollableTables);
});
