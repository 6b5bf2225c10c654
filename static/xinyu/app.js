// Xinyu's own script: no inline scripts anywhere, so the strict CSP holds.
(function () {
  "use strict";
  // Progress bars carry their value in data-progress; CSP forbids inline style attributes set by templates.
  function paintProgress(root) {
    root.querySelectorAll("[data-progress]").forEach(function (bar) {
      bar.style.width = Math.max(0, Math.min(100, Number(bar.dataset.progress) || 0)) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { paintProgress(document); });
  document.addEventListener("htmx:afterSwap", function (event) { paintProgress(event.target); });
})();
