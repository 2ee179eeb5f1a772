// Saves answers in the background as the trainee answers, so a dropped connection loses little, and submits the
// attempt when the server's time limit is reached. The server enforces both; this only helps.
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) { return; }
  var status = document.getElementById("save-status");
  var saveUrl = form.querySelector("button[formaction*='handler=Save']").getAttribute("formaction");
  var submitButton = form.querySelector("button[formaction*='handler=Submit']");
  var timer = null;

  function save() {
    var data = new FormData(form);
    fetch(saveUrl, { method: "POST", body: data, headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then(function (r) {
        if (r.ok) { status.textContent = status.getAttribute("data-saved") || "✓"; return; }
        return r.json().then(function (body) { status.textContent = body.error; });
      })
      .catch(function () { status.textContent = "…"; });
  }

  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(save, 800);
  });

  var deadline = document.getElementById("deadline");
  if (deadline) {
    var left = parseInt(deadline.getAttribute("data-seconds-left"), 10);
    if (left >= 0) {
      setTimeout(function () { submitButton.click(); }, left * 1000);
    }
  }
})();
