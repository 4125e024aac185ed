// Drag a person to another ring of the closeness circle. Without this file the person's edit form
// does the same; with it, the marker is dragged and the change is saved through that very form
// (so the version check, the form token and every rule of the form still apply).
(function () {
  "use strict";

  var figure = document.querySelector("[data-circle-edit]");
  if (!figure || !window.fetch || !window.DOMParser || !window.URLSearchParams) { return; }
  var svg = figure.querySelector("svg.closeness-circle");
  if (!svg || !svg.createSVGPoint) { return; }
  var base = figure.getAttribute("data-circle-edit");
  var failedText = figure.getAttribute("data-drag-failed") || "";

  // The drawing's geometry: centre and the outer edge of rings 1, 2 and 3 (in SVG units).
  var box = svg.viewBox && svg.viewBox.baseVal;
  var size = box && box.width ? box.width : 640;
  var centre = size / 2;
  var edges = [120, 200, 280];

  function toSvg(evt) {
    var p = svg.createSVGPoint();
    p.x = evt.clientX;
    p.y = evt.clientY;
    var m = svg.getScreenCTM();
    return m ? p.matrixTransform(m.inverse()) : null;
  }

  function ringAt(pt) {
    var d = Math.sqrt(Math.pow(pt.x - centre, 2) + Math.pow(pt.y - centre, 2));
    for (var i = 0; i < edges.length; i++) {
      if (d <= edges[i]) { return i + 1; }
    }
    return 0;
  }

  function angleAt(pt) {
    // Degrees clockwise from twelve o'clock, as the drawing stores them.
    var a = Math.atan2(pt.x - centre, centre - pt.y) * 180 / Math.PI;
    return Math.round((a + 360) % 360) % 360;
  }

  function say(text) {
    var note = figure.querySelector(".drag-note");
    if (!note) {
      note = document.createElement("p");
      note.className = "drag-note notice";
      note.setAttribute("role", "status");
      figure.appendChild(note);
    }
    note.textContent = text;
  }

  // Loads the person's edit form, changes the ring and angle, and posts it as the form would.
  function save(personId, ring, angle) {
    var url = base + encodeURIComponent(personId);
    return fetch(url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("load"); } return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var form = doc.getElementById("person-form");
        if (!form) { throw new Error("form"); }
        form.querySelector("[name=ring]").value = String(ring);
        var angleField = form.querySelector("[name=angle]");
        if (angleField) { angleField.value = String(angle); }
        var body = new URLSearchParams(new FormData(form));
        return fetch(url, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: body.toString()
        });
      })
      .then(function (r) { if (!r.ok) { throw new Error("save"); } });
  }

  var dragging = null;

  svg.addEventListener("pointerdown", function (evt) {
    var g = evt.target.closest ? evt.target.closest("g.person[data-person-id]") : null;
    if (!g) { return; }
    var start = toSvg(evt);
    if (!start) { return; }
    dragging = { g: g, start: start, moved: false };
    g.classList.add("dragging");
    if (svg.setPointerCapture) { svg.setPointerCapture(evt.pointerId); }
    evt.preventDefault();
  });

  svg.addEventListener("pointermove", function (evt) {
    if (!dragging) { return; }
    var pt = toSvg(evt);
    if (!pt) { return; }
    var dx = pt.x - dragging.start.x;
    var dy = pt.y - dragging.start.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) { dragging.moved = true; }
    dragging.g.setAttribute("transform", "translate(" + dx.toFixed(1) + " " + dy.toFixed(1) + ")");
  });

  function finish(evt, cancelled) {
    if (!dragging) { return; }
    var d = dragging;
    dragging = null;
    d.g.classList.remove("dragging");
    var pt = toSvg(evt);
    var ring = pt ? ringAt(pt) : 0;
    if (cancelled || !d.moved || ring === 0) {
      d.g.removeAttribute("transform");
      if (!d.moved && !cancelled) {
        // A click without a drag opens the person, like the link in the table.
        window.location.href = base + encodeURIComponent(d.g.getAttribute("data-person-id"));
      }
      return;
    }
    save(d.g.getAttribute("data-person-id"), ring, angleAt(pt))
      .then(function () { window.location.reload(); })
      .catch(function () {
        d.g.removeAttribute("transform");
        say(failedText);
      });
  }

  svg.addEventListener("pointerup", function (evt) { finish(evt, false); });
  svg.addEventListener("pointercancel", function (evt) { finish(evt, true); });
})();
