/*
 * Summit programme widget: renders one day of a summit's programme into any page.
 *
 *   <script src="https://SUMMIT-HOST/static/api/summit-programme.js"
 *           data-summit="wikimedia-summit-2022" data-day="2" async></script>
 *
 * or, with the script loaded once, any number of <summit-programme summit="…" day="…">
 * elements. It reads the public API of the host it was loaded from (GET only, no cookies), draws
 * into a shadow root (the host page's styles cannot reach it), in the reader's language (their
 * browser's, or lang="de") and with times in UTC and in the reader's own time zone. Nothing else
 * is loaded. The text is put in with textContent only: the programme never runs as markup.
 */
(function () {
  "use strict";
  if (window.customElements === undefined || window.customElements.get("summit-programme")) {
    return;
  }
  var script = document.currentScript;
  var origin = script ? new URL(script.src, document.baseURI).origin : window.location.origin;

  var STYLE = [
    // The host page's rules for the element itself win over :host, so the look is set on the
    // section inside, which only this sheet reaches (px, not rem: the page may resize its root).
    ":host { all: initial; display: block; max-width: 100%; }",
    ":host([hidden]) { display: none; }",
    "section { all: initial; display: block; font: 16px/1.5 system-ui, sans-serif; color: #1b1b1b;",
    "  background: #fff; overflow-wrap: anywhere; padding: 12px; border: 1px solid #767676; border-radius: 6px; }",
    "h2 { font-size: 20px; margin: 0 0 8px; }",
    "h3 { font-size: 18px; margin: 16px 0 4px; }",
    "h4 { font-size: 16px; margin: 0; }",
    "p, ul, li, details, summary { display: block; }",
    "li { display: list-item; }",
    "ul { margin: 0.25rem 0; padding-left: 1.25rem; }",
    "li { margin: 0.25rem 0; }",
    ".when { color: #3b3b3b; font-size: 0.9rem; margin: 0; }",
    "a { color: #0645ad; }",
    "a:focus-visible, summary:focus-visible { outline: 3px solid #1a73e8; outline-offset: 2px; }",
    "summary { cursor: pointer; }",
    ".status { font-style: italic; }",
  ].join("\n");

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    return node;
  }

  function span(start, end, lang, timeZone) {
    if (!start) return "";
    var format = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", timeZone: timeZone });
    var text = format.format(new Date(start));
    if (end) text += "–" + format.format(new Date(end));
    return text;
  }

  function when(item, labels, lang) {
    var p = el("p", "", { class: "when" });
    if (!item.start) return p;
    var utc = el("time", span(item.start, item.end, lang, "UTC") + " UTC", { datetime: item.start });
    p.appendChild(utc);
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && zone !== "UTC") {
      p.appendChild(document.createTextNode(" · " + labels.your_time + ": " + span(item.start, item.end, lang, zone)));
    }
    return p;
  }

  class SummitProgramme extends HTMLElement {
    static get observedAttributes() { return ["summit", "day", "lang"]; }

    constructor() {
      super();
      this.root = this.attachShadow({ mode: "open" });
    }

    connectedCallback() { this.load(); }

    attributeChangedCallback() { if (this.isConnected) this.load(); }

    load() {
      var summit = this.getAttribute("summit");
      var day = this.getAttribute("day") || "1";
      if (!summit) return;
      var lang = this.getAttribute("lang") || navigator.language || "en";
      var url = (this.getAttribute("api") || origin) + "/api/v1/summits/" + encodeURIComponent(summit) +
        "/days/" + encodeURIComponent(day) + "/?lang=" + encodeURIComponent(lang.slice(0, 2));
      this.draw(null, lang);
      var self = this;
      fetch(url, { credentials: "omit", headers: { Accept: "application/json" } })
        .then(function (answer) {
          if (!answer.ok) throw new Error(String(answer.status));
          return answer.json();
        })
        .then(function (data) { self.draw(data, lang); })
        .catch(function () { self.draw(false, lang); });
    }

    draw(data, lang) {
      var root = this.root;
      root.textContent = "";
      var style = el("style", STYLE);
      root.appendChild(style);
      var section = el("section", "", { "aria-live": "polite", "aria-busy": data === null ? "true" : "false" });
      root.appendChild(section);
      if (data === null || data === false) {
        section.appendChild(el("p", data === null ? "…" : "The programme cannot be shown just now.", { class: "status" }));
        return;
      }
      var labels = data.labels;
      lang = labels.language || lang;
      section.setAttribute("lang", lang);
      var title = data.summit.name + " · " + (data.day.title || labels.programme);
      var heading = el("h2", title, { id: "summit-programme-title" });
      section.setAttribute("aria-labelledby", "summit-programme-title");
      section.appendChild(heading);
      data.sessions.forEach(function (session) {
        var article = el("article");
        article.appendChild(el("h3", labels.session + " " + session.number + ": " + session.title));
        article.appendChild(when(session, labels, lang));
        var parts = el("ul");
        session.parts.forEach(function (part) {
          var li = el("li");
          var h4 = el("h4");
          h4.appendChild(el("a", part.code + " " + part.title, { href: data.url + "#" + part.anchor }));
          li.appendChild(h4);
          if (part.start && (part.start !== session.start || part.end !== session.end)) li.appendChild(when(part, labels, lang));
          if (part.breakout_rooms.length) {
            var details = el("details");
            details.appendChild(el("summary", labels.breakout_rooms + " (" + part.breakout_rooms.length + ")"));
            var rooms = el("ul");
            part.breakout_rooms.forEach(function (room) {
              var where = room.rooms.map(function (r) { return r.room + (r.label ? " (" + r.label + ")" : ""); }).join(" & ");
              var text = room.title + " — " + (labels.formats[room.format] || room.format) +
                (where ? " · " + labels.rooms + " " + where : "");
              rooms.appendChild(el("li", text));
            });
            details.appendChild(rooms);
            li.appendChild(details);
          }
          parts.appendChild(li);
        });
        article.appendChild(parts);
        section.appendChild(article);
      });
    }
  }

  window.customElements.define("summit-programme", SummitProgramme);

  // One <script> tag: it draws the programme where it stands.
  if (script && script.dataset.summit) {
    var widget = document.createElement("summit-programme");
    widget.setAttribute("summit", script.dataset.summit);
    if (script.dataset.day) widget.setAttribute("day", script.dataset.day);
    if (script.dataset.lang) widget.setAttribute("lang", script.dataset.lang);
    script.parentNode.insertBefore(widget, script.nextSibling);
  }
})();
