/* Progressive enhancement of the agenda: times in the reader's own time zone, and "on now" /
   "up next" markers kept current. Without this script the UTC times and the server's markers stay. */
(function () {
  "use strict";
  var root = document.documentElement;
  var labels = {
    yourTime: root.getAttribute("data-label-your-time") || "your time",
    now: root.getAttribute("data-label-now") || "On now",
    next: root.getAttribute("data-label-next") || "Up next"
  };
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { zone = ""; }
  var lang = root.lang || undefined;

  function hm(date) {
    return date.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
  }
  function dayName(date) {
    return date.toLocaleDateString(lang, { weekday: "short" });
  }

  function showLocalTimes() {
    if (!zone || zone === "UTC" || zone === "Etc/UTC") { return; }
    document.querySelectorAll(".time-span[data-start][data-end]").forEach(function (span) {
      if (span.querySelector(".local-time")) { return; }
      var start = new Date(span.getAttribute("data-start"));
      var end = new Date(span.getAttribute("data-end"));
      if (isNaN(start) || isNaN(end)) { return; }
      var shifted = start.getUTCDate() !== new Date(start.getTime() - start.getTimezoneOffset() * 60000).getUTCDate();
      var local = document.createElement("span");
      local.className = "local-time";
      local.textContent = " (" + (shifted ? dayName(start) + " " : "") + hm(start) + "–" + hm(end) + " " + labels.yourTime + ")";
      span.appendChild(local);
    });
    document.querySelectorAll(".tz-local").forEach(function (note) {
      // The note follows a full sentence, so it starts with a capital.
      note.textContent = labels.yourTime.charAt(0).toUpperCase() + labels.yourTime.slice(1) + ": " + zone;
      note.hidden = false;
    });
  }

  function markNowAndNext() {
    var now = Date.now();
    var horizon = now + 12 * 3600 * 1000;
    var items = Array.prototype.slice.call(document.querySelectorAll("section[data-start][data-end]"));
    var firstNext = {};
    items.forEach(function (item) {
      var start = Date.parse(item.getAttribute("data-start"));
      var end = Date.parse(item.getAttribute("data-end"));
      var kind = item.classList.contains("session") ? "session" : "part";
      item.classList.remove("is-now", "is-next");
      item.dataset.state = "";
      if (start <= now && now < end) {
        item.dataset.state = "now";
      } else if (now < start && start <= horizon) {
        if (firstNext[kind] === undefined || start < firstNext[kind]) { firstNext[kind] = start; }
      }
    });
    items.forEach(function (item) {
      var kind = item.classList.contains("session") ? "session" : "part";
      if (!item.dataset.state && Date.parse(item.getAttribute("data-start")) === firstNext[kind]) {
        item.dataset.state = "next";
      }
      var state = item.dataset.state;
      if (state) { item.classList.add("is-" + state); }
      var holder = document.querySelector('[data-status-for="' + item.id + '"]');
      if (!holder) { return; }
      holder.textContent = "";
      if (state) {
        var badge = document.createElement("strong");
        badge.className = "badge badge-" + state;
        badge.textContent = state === "now" ? labels.now : labels.next;
        holder.appendChild(badge);
      }
    });
  }

  showLocalTimes();
  markNowAndNext();
  window.setInterval(markNowAndNext, 60000);
})();
