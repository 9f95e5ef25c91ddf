/* Keeps the seat boxes of a page current while picking is open: every few seconds it asks the
   summit's small seats fragment for the boxes on this page and puts them in place. Without this
   script the boxes show the seats as the page was served, and every form still works. */
(function () {
  "use strict";
  var holder = document.querySelector("[data-seats-url]");
  if (!holder || !window.fetch) { return; }
  var url = holder.getAttribute("data-seats-url");
  var every = 5000;

  function boxes() { return document.querySelectorAll("[data-seats-for]"); }
  function anyOpen() { return document.querySelector("[data-seats-for][data-open]") !== null; }

  function refresh() {
    if (document.hidden || !anyOpen()) { return; }
    var query = new URLSearchParams();
    boxes().forEach(function (box) { query.append("b", box.getAttribute("data-seats-for")); });
    query.append("next", window.location.pathname + window.location.search);
    fetch(url + "?" + query.toString(), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (text) {
        if (!text) { return; }
        var fresh = new DOMParser().parseFromString(text, "text/html");
        fresh.querySelectorAll("[data-seats-for]").forEach(function (box) {
          var slug = box.getAttribute("data-seats-for");
          var old = document.querySelector('[data-seats-for="' + slug + '"]');
          // A reader in the middle of pressing a button keeps it.
          if (old && !old.contains(document.activeElement) && old.innerHTML !== box.innerHTML) {
            old.replaceWith(document.importNode(box, true));
          }
        });
      })
      .catch(function () { /* the next round tries again */ });
  }

  window.setInterval(refresh, every);
})();
