// Shows, as an officer types, the status a value would get and whether it needs commentary.
// The same rules as kpis/status.py and kpis/returns.py; the server checks again on save,
// and without this script the form still works and shows statuses after saving.
(function () {
  "use strict";
  var CLASSES = { Red: "govuk-tag--red", Amber: "govuk-tag--yellow", Green: "govuk-tag--green", "No status": "govuk-tag--grey" };

  function parse(text) {
    var cleaned = text.replace(/,/g, "").replace(/%$/, "").trim();
    if (cleaned === "") { return null; }
    return /^-?\d+(\.\d+)?$/.test(cleaned) ? parseFloat(cleaned) : NaN;
  }

  function judge(entry, value) {
    var data = entry.dataset;
    if (data.polarity === "none") { return ["No status", "demand measure: no better or worse"]; }
    if (data.basisValue === undefined) { return ["No status", "no target or comparator"]; }
    var basis = parseFloat(data.basisValue);
    var shortfall = data.polarity === "higher" ? basis - value : value - basis;
    if (shortfall <= 0) { return ["Green", data.basisLabel]; }
    if (shortfall <= parseFloat(data.basisTolerance)) { return ["Amber", data.basisLabel]; }
    return ["Red", data.basisLabel];
  }

  function update(entry) {
    var input = entry.querySelector(".js-return-value");
    var preview = entry.querySelector(".js-preview");
    var value = parse(input.value);
    if (value === null) { return; }
    preview.textContent = "";
    if (isNaN(value)) {
      preview.textContent = "Enter a number, like 85.2";
      return;
    }
    var result = judge(entry, value);
    preview.appendChild(document.createTextNode("Status if saved: "));
    var tag = document.createElement("strong");
    tag.className = "govuk-tag " + CLASSES[result[0]];
    tag.textContent = result[0];
    preview.appendChild(tag);
    preview.appendChild(document.createTextNode(" " + result[1] + "."));
    var previous = entry.dataset.previous === undefined ? null : parseFloat(entry.dataset.previous);
    var moved = previous !== null && Math.abs(value - previous) > parseFloat(entry.dataset.band || "0");
    if (result[0] === "Red" || moved) {
      preview.appendChild(document.createTextNode(" Commentary needed, because " + (result[0] === "Red" ? "it is Red." : "it moved from last month's value.")));
    }
  }

  document.querySelectorAll(".app-return-entry").forEach(function (entry) {
    var input = entry.querySelector(".js-return-value");
    if (!input) { return; }
    input.addEventListener("input", function () { update(entry); });
  });
})();
