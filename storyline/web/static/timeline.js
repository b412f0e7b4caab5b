/* storyline timeline axis: dated entries on a zoomable, draggable time axis (vanilla JS, no deps).
   The entries themselves are plain HTML, readable without this script. */
(function () {
  "use strict";
  var axis = document.querySelector(".tl-axis");
  var entries = Array.prototype.slice.call(document.querySelectorAll(".tl-entry[data-date]"));
  if (!axis || !entries.length) return;
  var NS = "http://www.w3.org/2000/svg", DAY = 86400000;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var points = entries.map(function (li) {
    var p = li.getAttribute("data-date").split("-");
    return { t: Date.UTC(+p[0], +p[1] - 1, +p[2]), li: li, label: li.querySelector("time").textContent };
  });
  var tmin = Math.min.apply(null, points.map(function (p) { return p.t; }));
  var tmax = Math.max.apply(null, points.map(function (p) { return p.t; }));
  function fit() {
    var pad = Math.max((tmax - tmin) * 0.06, 3 * DAY);
    view = [tmin - pad, tmax + pad];
  }
  var view; fit();
  var tools = document.querySelector(".tl-tools");
  if (tools) tools.hidden = false;

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function ticks(t0, t1, width) {
    var span = t1 - t0, out = [], d, step;
    var years = span / (365.25 * DAY);
    if (years > 2.5) {
      step = Math.max(1, Math.ceil(years / Math.max(2, width / 90)));
      for (var y = new Date(t0).getUTCFullYear(); ; y += step) {
        var ty = Date.UTC(y, 0, 1); if (ty > t1) break;
        if (ty >= t0) out.push({ t: ty, label: String(y), major: true });
      }
    } else if (span > 75 * DAY) {
      var months = span / (30.4 * DAY);
      step = Math.max(1, Math.ceil(months / Math.max(2, width / 70)));
      d = new Date(t0);
      for (var m = d.getUTCFullYear() * 12 + d.getUTCMonth(); ; m += 1) {
        var tm = Date.UTC(Math.floor(m / 12), m % 12, 1); if (tm > t1) break;
        if (tm < t0 || (m % 12) % step) continue;
        out.push({ t: tm, label: (m % 12 === 0 ? Math.floor(m / 12) + " " : "") + MONTHS[m % 12], major: m % 12 === 0 });
      }
    } else {
      var days = span / DAY;
      step = Math.max(1, Math.ceil(days / Math.max(2, width / 60)));
      for (var t = Math.ceil(t0 / DAY) * DAY; t <= t1; t += DAY) {
        var dd = new Date(t);
        if ((Math.round(t / DAY)) % step) continue;
        out.push({ t: t, label: dd.getUTCDate() + " " + MONTHS[dd.getUTCMonth()] + (dd.getUTCDate() === 1 && dd.getUTCMonth() === 0 ? " " + dd.getUTCFullYear() : ""), major: dd.getUTCDate() === 1 });
      }
    }
    return out;
  }
  function draw() {
    var w = axis.clientWidth || 600, h = axis.clientHeight || 74;
    axis.textContent = "";
    var svg = el("svg", { viewBox: "0 0 " + w + " " + h, role: "presentation" }, axis);
    var x = function (t) { return (t - view[0]) / (view[1] - view[0]) * w; };
    var base = h - 26;
    ticks(view[0], view[1], w).forEach(function (tk) {
      var xx = x(tk.t);
      el("line", { x1: xx, x2: xx, y1: 6, y2: base, "class": tk.major ? "tick-major" : "tick-minor" }, svg);
      var tx = el("text", { x: xx + 3, y: h - 9 }, svg); tx.textContent = tk.label;
    });
    el("line", { x1: 0, x2: w, y1: base, y2: base, "class": "axis-line" }, svg);
    points.forEach(function (p, i) {
      var xx = x(p.t); if (xx < -10 || xx > w + 10) return;
      var c = el("circle", { cx: xx, cy: base - 12 - (i % 3) * 9, r: 6, "class": "dot" + (p.li.classList.contains("on") ? " on" : "") }, svg);
      var title = el("title", {}, c); title.textContent = p.label + ": " + (p.li.querySelector(".tl-body p") || {}).textContent;
      c.addEventListener("click", function () {
        entries.forEach(function (li) { li.classList.remove("on"); });
        p.li.classList.add("on"); p.li.scrollIntoView({ behavior: "smooth", block: "center" }); draw();
      });
    });
  }
  function zoom(factor, at) {
    var span = view[1] - view[0], pivot = at === undefined ? view[0] + span / 2 : at;
    var next = Math.min(Math.max(span * factor, 2 * DAY), 60 * 365.25 * DAY);
    var f = (pivot - view[0]) / span;
    view = [pivot - f * next, pivot + (1 - f) * next]; draw();
  }
  axis.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var r = axis.getBoundingClientRect(), at = view[0] + (ev.clientX - r.left) / r.width * (view[1] - view[0]);
    zoom(ev.deltaY > 0 ? 1.25 : 0.8, at);
  }, { passive: false });
  var drag = null;
  axis.addEventListener("pointerdown", function (ev) {
    if (ev.target.tagName === "circle") return;
    drag = { x: ev.clientX, view: view.slice() }; axis.classList.add("dragging"); axis.setPointerCapture(ev.pointerId);
  });
  axis.addEventListener("pointermove", function (ev) {
    if (!drag) return;
    var dt = (ev.clientX - drag.x) / axis.clientWidth * (drag.view[1] - drag.view[0]);
    view = [drag.view[0] - dt, drag.view[1] - dt]; draw();
  });
  function end() { drag = null; axis.classList.remove("dragging"); }
  axis.addEventListener("pointerup", end); axis.addEventListener("pointercancel", end);
  if (tools) tools.addEventListener("click", function (ev) {
    var z = ev.target.getAttribute("data-zoom");
    if (z === "in") zoom(0.5); else if (z === "out") zoom(2); else if (z === "fit") { fit(); draw(); }
  });
  window.addEventListener("resize", draw);
  draw();
})();
