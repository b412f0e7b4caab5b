// "New since your last visit" on the home page, updated while the page is open.
// Asks /api/new (articles the watcher stored) with the time of the last visit, kept in this
// browser only (localStorage), then every 30 s; the server's clock is used throughout.
(function () {
  "use strict";
  var box = document.getElementById("new-articles");
  if (!box || !window.fetch) return;
  var KEY = "storyline.lastVisit";
  var since = parseFloat(localStorage.getItem(KEY) || "0");
  var firstVisit = !since;

  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text) e.textContent = text;
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    return e;
  }

  function show(data) {
    box.textContent = "";
    if (!data.total) { box.hidden = true; return; }
    box.hidden = false;
    box.appendChild(el("h2", data.total + " new article" + (data.total === 1 ? "" : "s") + " since your last visit"));
    var list = el("ul", "", { "class": "new-list" });
    data.items.forEach(function (a) {
      var li = el("li");
      li.appendChild(el("a", a.title, { href: "/articles/" + encodeURIComponent(a.id) }));
      if (a.source) li.appendChild(el("span", " · " + a.source, { "class": "muted small" }));
      list.appendChild(li);
    });
    box.appendChild(list);
  }

  function poll() {
    fetch("/api/new?limit=10&since=" + encodeURIComponent(since), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        if (firstVisit) { since = data.now; firstVisit = false; localStorage.setItem(KEY, String(data.now)); return; }
        show(data);
        localStorage.setItem(KEY, String(data.now));
      })
      .catch(function () { /* offline for a moment: try again on the next tick */ });
  }

  poll();
  setInterval(poll, 30000);
})();
