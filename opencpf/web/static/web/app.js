/* Registers the service worker; tells it to forget private pages when nobody is logged in. */
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(() => navigator.serviceWorker.ready).then((reg) => {
    if (document.body.dataset.authenticated !== "1" && reg.active) reg.active.postMessage("clear-private");
  }).catch(() => {});
}

/* A table wider than the screen scrolls sideways: make it reachable by keyboard (WCAG 2.1.1). */
function focusableWideTables() {
  document.querySelectorAll(".fr-table table, .fr-table__content").forEach((el) => {
    if (el.scrollWidth > el.clientWidth + 1) {
      el.setAttribute("tabindex", "0");
    } else if (el.getAttribute("tabindex") === "0") {
      el.removeAttribute("tabindex");
    }
  });
}
focusableWideTables();
window.addEventListener("resize", focusableWideTables);
