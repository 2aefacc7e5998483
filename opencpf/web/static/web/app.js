/* Registers the service worker; tells it to forget private pages when nobody is logged in. */
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(() => navigator.serviceWorker.ready).then((reg) => {
    if (document.body.dataset.authenticated !== "1" && reg.active) reg.active.postMessage("clear-private");
  }).catch(() => {});
}
