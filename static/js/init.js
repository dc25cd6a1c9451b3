// Starts GOV.UK Frontend's components; a separate file so that no inline script needs allowing.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();
