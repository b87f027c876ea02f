// Guanxi: tiny progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-gx-confirm]");
    if (form && !window.confirm(form.getAttribute("data-gx-confirm"))) {
      event.preventDefault();
    }
  }, true);
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-gx-copy]");
    if (!button) return;
    var input = document.querySelector(button.getAttribute("data-gx-copy"));
    if (!input) return;
    input.select();
    if (navigator.clipboard) { navigator.clipboard.writeText(input.value); }
  });
})();
