// The printable sitting sheet: a button that prints the page (no inline scripts under the strict CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
