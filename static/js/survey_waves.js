// Survey-wave page (no inline scripts, for the Content-Security-Policy): the response rate per stratum
// as an ECharts bar chart, from the JSON the page carries (gx-wave-rates).
(function () {
  "use strict";
  var holder = document.getElementById("gx-wave-chart");
  var source = document.getElementById("gx-wave-rates");
  if (!holder || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder);
  chart.setOption({
    grid: { left: 48, right: 16, top: 24, bottom: 96 },
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
    xAxis: { type: "category", data: data.labels, axisLabel: { rotate: 30, fontSize: 10 } },
    yAxis: { type: "value", max: 100, name: data.axis },
    series: [{ type: "bar", name: data.series, data: data.rates, itemStyle: { color: "#3b7dd8" } }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();

// Launching a wave: the form is posted in the background while the page polls the launch's progress
// (the launch is one transaction; its progress comes from the launching process), then the page reloads
// to show the outcome. Without JavaScript the form posts as usual.
(function () {
  "use strict";
  var box = document.getElementById("gx-wave-launch-progress");
  if (!box) return;
  var bar = document.getElementById("gx-wave-launch-bar");
  var label = document.getElementById("gx-wave-launch-label");
  var form = document.getElementById("gx-wave-launch");
  var timer = null;

  function show(state) {
    bar.style.width = state.percent + "%";
    bar.parentNode.setAttribute("aria-valuenow", String(state.percent));
    label.textContent = state.label;
  }

  function poll(reloadWhenDone) {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) return;
        if (state.launching) show(state);
        else if (reloadWhenDone) window.location.reload();  // finished (or rolled back)
      })
      .catch(function () { /* the next poll tries again */ });
  }

  function start(reloadWhenDone) {
    box.classList.remove("d-none");
    timer = window.setInterval(function () { poll(reloadWhenDone); }, 1000);
    poll(reloadWhenDone);
  }

  if (box.dataset.launching) start(true);  // launched elsewhere: follow it, reload when it is done
  if (!form) return;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    form.querySelector("button").disabled = true;
    start(false);
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin", redirect: "manual" })
      .catch(function () { /* the reload shows what happened */ })
      .then(function () { window.clearInterval(timer); window.location.reload(); });
  });
})();
