// Pre-selects the browser's own time zone on a form that has not chosen one yet.
(function () {
  "use strict";
  var select = document.getElementById("Input_TimeZoneId");
  if (!select || select.value !== "Etc/UTC") { return; }
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && select.querySelector('option[value="' + zone + '"]')) { select.value = zone; }
  } catch (e) { /* older browsers: keep UTC */ }
})();
