// The monthly return form, as an officer types:
// - shows the status a value would get, how far it moved on the previous period, and whether
//   submitting will need commentary (the same rules as kpis/status.py and kpis/returns.py);
// - flags a value its unit cannot hold (a percentage over 100, a negative or fractional count);
// - fills the boxes in order from a column of figures pasted from a spreadsheet.
// The server checks everything again; without this script the form works the same.
(function () {
  "use strict";
  var CLASSES = { Red: "govuk-tag--red", Amber: "govuk-tag--yellow", Green: "govuk-tag--green", "No status": "govuk-tag--grey" };

  function parse(text) {
    var cleaned = text.replace(/,/g, "").trim().replace(/%$/, "").trim();
    if (cleaned === "") { return null; }
    return /^-?\d+(\.\d+)?$/.test(cleaned) ? parseFloat(cleaned) : NaN;
  }

  function problem(unit, value) {
    if (unit === "percentage" && (value < 0 || value > 100)) { return "A percentage must be between 0 and 100"; }
    if ((unit === "rate_per_10000" || unit === "count") && value < 0) { return "This cannot be negative"; }
    if (unit === "count" && Math.floor(value) !== value) { return "A count must be a whole number"; }
    return "";
  }

  function judge(data, value) {
    if (data.polarity === "none") { return ["No status", "demand measure: no better or worse"]; }
    if (data.basisNone !== undefined) { return ["No status", data.basisNone]; }
    if (data.basisValue === undefined) { return ["No status", "no target or comparator"]; }
    var basis = parseFloat(data.basisValue);
    var shortfall = data.polarity === "higher" ? basis - value : value - basis;
    if (shortfall <= 0) { return ["Green", data.basisLabel]; }
    if (shortfall <= parseFloat(data.basisTolerance)) { return ["Amber", data.basisLabel]; }
    return ["Red", data.basisLabel];
  }

  function size(data, delta) {
    var places = data.unit === "count" ? 0 : parseInt(data.decimals, 10);
    var text = Math.abs(delta).toFixed(places);
    return data.unit === "percentage" ? text + " points" : text;
  }

  function movement(data, value) {
    if (data.previous === undefined) { return "No value for " + data.previousLabel + " to compare."; }
    var delta = value - parseFloat(data.previous);
    if (Math.abs(delta) <= parseFloat(data.band || "0")) { return "No change on " + data.previousLabel + "."; }
    return (delta > 0 ? "Up " : "Down ") + size(data, delta) + " on " + data.previousLabel + ".";
  }

  function commentaryReason(data, value, status) {
    // A correction that leaves a published value as it was is not checked again.
    if (data.published !== undefined && data.published !== "" && parseFloat(data.published) === value) { return ""; }
    if (status === "Red") { return "it is Red"; }
    if (data.variance === undefined || data.previous === undefined) { return ""; }
    var delta = value - parseFloat(data.previous);
    if (Math.abs(delta) > parseFloat(data.variance)) {
      return "it moved " + size(data, delta) + ", more than its significant variance of " + size(data, parseFloat(data.variance));
    }
    return "";
  }

  function update(entry) {
    var input = entry.querySelector(".js-return-value");
    var preview = entry.querySelector(".js-preview");
    var value = parse(input.value);
    if (value === null) { return; }
    preview.textContent = "";
    if (isNaN(value)) {
      preview.textContent = "Not a number: enter a number, like 85.2.";
      return;
    }
    var wrong = problem(entry.dataset.unit, value);
    if (wrong) {
      preview.textContent = wrong + ": this value cannot be saved.";
      return;
    }
    var result = judge(entry.dataset, value);
    preview.appendChild(document.createTextNode("Status if saved: "));
    var tag = document.createElement("strong");
    tag.className = "govuk-tag " + CLASSES[result[0]];
    tag.textContent = result[0];
    preview.appendChild(tag);
    preview.appendChild(document.createTextNode(" " + result[1] + ". " + movement(entry.dataset, value)));
    var why = commentaryReason(entry.dataset, value, result[0]);
    if (why) {
      preview.appendChild(document.createTextNode(" Commentary needed on submitting, because " + why + "."));
    }
  }

  // A column copied from a spreadsheet arrives as lines; fill this box and the ones after it.
  function pasteColumn(event, inputs, index) {
    var text = (event.clipboardData || window.clipboardData).getData("text");
    var lines = text.replace(/\r/g, "").split("\n");
    while (lines.length && lines[lines.length - 1].trim() === "") { lines.pop(); }
    if (lines.length < 2) { return; }
    event.preventDefault();
    var filled = 0;
    lines.forEach(function (line, offset) {
      var input = inputs[index + offset];
      if (!input) { return; }
      input.value = line.split("\t")[0].trim();
      update(input.closest(".app-return-entry"));
      filled += 1;
    });
    var first = inputs[index].closest(".app-return-entry").dataset.code;
    var last = inputs[index + filled - 1].closest(".app-return-entry").dataset.code;
    var note = "Filled " + filled + " value" + (filled === 1 ? "" : "s") + " from the pasted column, " + first + " to " + last + ".";
    if (lines.length > filled) { note += " " + (lines.length - filled) + " pasted line" + (lines.length - filled === 1 ? " was" : "s were") + " left over: there were no more boxes."; }
    var region = document.getElementById("paste-note");
    if (region) { region.textContent = note + " Check them, then save."; }
  }

  var inputs = Array.prototype.slice.call(document.querySelectorAll(".app-return-entry .js-return-value:not([disabled])"));
  inputs.forEach(function (input, index) {
    var entry = input.closest(".app-return-entry");
    input.addEventListener("input", function () { update(entry); });
    input.addEventListener("paste", function (event) { pasteColumn(event, inputs, index); });
  });
  var form = document.getElementById("return-form");
  if (form) { form.dataset.ready = "true"; }
})();
