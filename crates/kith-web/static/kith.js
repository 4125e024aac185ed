// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Warn two minutes before the session ends for inactivity; any navigation renews it.
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-idle-seconds") || "0", 10);
  var banner = document.getElementById("idle-banner");
  if (idle > 0 && banner) {
    var warnAt = Math.max(idle - 120, 0) * 1000;
    setTimeout(function () {
      banner.hidden = false;
      banner.textContent = body.getAttribute("data-idle-warning") + " ";
      var a = document.createElement("a");
      a.href = window.location.pathname + window.location.search;
      a.textContent = body.getAttribute("data-idle-stay");
      banner.appendChild(a);
    }, warnAt);
    setTimeout(function () {
      banner.hidden = false;
      banner.textContent = body.getAttribute("data-idle-ended");
    }, idle * 1000);
  }

  // A form marked data-once cannot be sent twice by a double click (the server also refuses
  // duplicates through its idempotency key).
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute("data-once")) { return; }
    if (form.getAttribute("data-sent") === "1") { e.preventDefault(); return; }
    form.setAttribute("data-sent", "1");
    var buttons = form.querySelectorAll("button[type=submit]");
    for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = true; }
  }, true);
})();
