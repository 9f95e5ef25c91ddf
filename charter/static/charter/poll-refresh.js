// Refreshes an open poll's results in place, without reloading the page (which would move the
// reader's focus and scroll). Without JavaScript, a <noscript> meta refresh does the same.
(function () {
  "use strict";
  var live = document.getElementById("poll-live");
  if (!live || !live.dataset.refresh || !window.fetch || !window.DOMParser) { return; }
  var seconds = parseInt(live.dataset.refresh, 10) || 15;

  function refresh() {
    if (document.hidden) { return schedule(); }
    fetch(window.location.href, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("poll-live");
        if (!fresh) { return; }
        live.innerHTML = fresh.innerHTML;
        if (fresh.dataset.refresh) { schedule(); } else { window.location.reload(); } // poll closed
      })
      .catch(function () { schedule(); });
  }
  function schedule() { window.setTimeout(refresh, seconds * 1000); }
  schedule();
}());
