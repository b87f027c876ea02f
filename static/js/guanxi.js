// Guanxi: tiny progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-gx-confirm]");
    if (form && !window.confirm(form.getAttribute("data-gx-confirm"))) {
      event.preventDefault();
    }
  }, true);
  // A filter select that applies itself when changed (no inline handlers: the CSP forbids them).
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-gx-autosubmit]");
    if (field && field.form) { field.form.submit(); }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-gx-copy]");
    if (!button) return;
    var input = document.querySelector(button.getAttribute("data-gx-copy"));
    if (!input) return;
    input.select();
    if (navigator.clipboard) { navigator.clipboard.writeText(input.value); }
  });
  // New case: picking a customer from the search results fills the form's hidden field
  // instead of reloading the page (the link still works without script).
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-gx-pick]");
    var field = document.getElementById("id_customer");
    var shown = document.getElementById("gx-customer-picked");
    if (!link || !field || !shown) return;
    event.preventDefault();
    field.value = link.getAttribute("data-gx-pick");
    shown.textContent = "";
    var badge = document.createElement("span");
    badge.className = "badge text-bg-primary fs-6 fw-normal";
    badge.textContent = link.getAttribute("data-gx-pick-label");
    shown.appendChild(badge);
  });
})();
