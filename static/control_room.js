// The organisers' dashboard refreshes its figures while picking is live: every N seconds it fetches
// the page again and swaps in the live region. The organiser can pause it (WCAG 2.2.1); without
// script the page has a "Refresh now" link instead.
(function () {
  "use strict";
  var live = document.getElementById("control-live");
  var toggle = document.getElementById("control-autorefresh");
  if (!live || !toggle) return;
  var seconds = parseInt(live.getAttribute("data-refresh-seconds") || "0", 10);
  if (!seconds) return;
  toggle.parentElement.hidden = false;
  function refresh() {
    if (!toggle.checked || document.hidden) return;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("control-live");
        if (fresh) {
          live.innerHTML = fresh.innerHTML;
          if (!fresh.getAttribute("data-refresh-seconds")) window.clearInterval(timer);
        }
      })
      .catch(function () {});
  }
  var timer = window.setInterval(refresh, seconds * 1000);
})();
