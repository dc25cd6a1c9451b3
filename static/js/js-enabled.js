// Marks the page as having JavaScript before it is drawn, as GOV.UK Frontend expects. Loaded as a
// plain (blocking) script straight after <body> opens, instead of an inline script, so the content
// security policy can forbid inline scripts.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
