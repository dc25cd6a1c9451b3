// An import running in its own process: ask every few seconds whether it has finished, and show
// the page again when it has (its result, or its errors). Without this script the page says how
// to check by hand. The check is said in words, not announced: the new page is the news.
(function () {
  "use strict";
  var progress = document.getElementById("app-import-progress");
  if (!progress) { return; }
  var url = progress.getAttribute("data-status-url");
  var every = 3000;

  function say(text) {
    progress.textContent = text;
  }

  function check() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (status) {
        if (!status.running) {
          say("The import has finished: showing its result.");
          window.location.reload();
          return;
        }
        say("Still importing (checked at " + new Date().toLocaleTimeString("en-GB") + "). This page will show the result when it has finished.");
        window.setTimeout(check, every);
      })
      .catch(function () {
        say("Could not check the import just now; trying again.");
        window.setTimeout(check, every * 3);
      });
  }

  say("This page will show the result when the import has finished.");
  window.setTimeout(check, every);
})();
