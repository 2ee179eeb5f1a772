// Resume reading where the trainee stopped: restore the saved scroll position, and save it when the page is
// hidden (sendBeacon survives the page closing, which matters on flaky links). Progressive enhancement only.
(function () {
  "use strict";
  var script = document.currentScript;
  var saved = parseFloat(script && script.getAttribute("data-position")) || 0;
  var form = document.getElementById("done-form");
  var token = form && form.querySelector("input[name=__RequestVerificationToken]");
  if (!token) { return; }

  function fraction() {
    var max = document.documentElement.scrollHeight - window.innerHeight;
    return max > 0 ? Math.min(1, Math.max(0, window.scrollY / max)) : 0;
  }

  if (saved > 0.02 && !location.hash) {
    window.addEventListener("load", function () {
      var max = document.documentElement.scrollHeight - window.innerHeight;
      window.scrollTo(0, saved * max);
    });
  }

  var last = saved;
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "hidden") { return; }
    var now = fraction();
    if (Math.abs(now - last) < 0.02) { return; }
    last = now;
    var data = new FormData();
    data.append("position", now.toFixed(3));
    data.append("__RequestVerificationToken", token.value);
    navigator.sendBeacon(location.pathname + "?handler=Position", data);
  });
})();
