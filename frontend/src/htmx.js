// htmx for templates that want it, sending Django's CSRF token with every request it makes.
import htmx from "htmx.org";
import { csrfToken } from "./dom.js";

window.htmx = htmx;

document.addEventListener("htmx:configRequest", (event) => {
  const token = csrfToken(event.detail.elt?.closest?.("form") ?? document);
  if (token) event.detail.headers["X-CSRFToken"] = token;
});
