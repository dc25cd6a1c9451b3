// Starts GOV.UK Frontend's components; a separate file so that no inline script needs allowing.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();

// A printed page shows every data table, including those folded away on screen.
window.addEventListener("beforeprint", () => {
  document.querySelectorAll("details").forEach((details) => {
    details.open = true;
  });
});
