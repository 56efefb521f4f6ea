// The console's only script. Reading never needs it: without JavaScript an open execution's page
// refreshes itself with a <meta> refresh instead. With it, the page asks the console for the run's
// latest event id every few seconds and reloads only when something happened, and never while the
// person is typing in a form.
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-refresh-url");
  if (!url) {
    return;
  }
  var version = body.getAttribute("data-version");
  var seconds = parseFloat(body.getAttribute("data-refresh-seconds") || "3");
  var editing = false;
  document.addEventListener("input", function () { editing = true; });

  function check() {
    if (editing || document.hidden) {
      window.setTimeout(check, seconds * 1000);
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && String(state.version) !== version) {
          window.location.reload();
          return;
        }
        window.setTimeout(check, seconds * 1000);
      })
      .catch(function () { window.setTimeout(check, seconds * 1000); });
  }
  window.setTimeout(check, seconds * 1000);
})();
