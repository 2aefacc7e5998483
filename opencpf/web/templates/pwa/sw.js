/* opencpf service worker v{{ version }}: last known copy of the holder's pages for offline reading.
   Money never moves offline: non-GET requests are never cached nor replayed. */
const STATIC_CACHE = "oc-static-v{{ version }}";
const PAGES_CACHE = "oc-pages-v{{ version }}";
const PRECACHE = {{ precache|safe }};
const OFFLINE_PREFIXES = {{ offline_prefixes|safe }};
const OFFLINE_URL = "/hors-ligne/";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(STATIC_CACHE).then((c) => c.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== STATIC_CACHE && k !== PAGES_CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  // Sent by every page viewed while logged out: private copies must not outlive the session.
  if (event.data === "clear-private") event.waitUntil(caches.delete(PAGES_CACHE));
});

function offlineCopy(response, savedAt) {
  return response.text().then((html) => {
    const date = new Date(savedAt).toLocaleString("fr-FR", { dateStyle: "full", timeStyle: "short" });
    const banner =
      '<div class="fr-alert fr-alert--warning fr-mb-3w" role="status"><h2 class="fr-alert__title">Vous êtes hors connexion</h2>' +
      "<p>Ces informations sont les dernières connues, du " + date + ". Aucune action n'est possible sans connexion.</p></div>";
    html = html.replace('<div class="fr-container fr-my-4w">', '<div class="fr-container fr-my-4w">' + banner);
    html = html.replace(/<form\b/g, '<form data-offline="1" hidden');
    return new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8" } });
  });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (request.method !== "GET") {
    // Let the network decide; offline, explain that nothing was sent.
    if (request.mode === "navigate") {
      event.respondWith(fetch(request).catch(() => caches.match(OFFLINE_URL)));
    }
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
    return;
  }
  if (request.mode !== "navigate") return;

  const readable = OFFLINE_PREFIXES.some((p) => url.pathname.startsWith(p));
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (readable && response.ok && !response.redirected) {
          const headers = new Headers(response.headers);
          headers.set("X-Oc-Saved-At", new Date().toISOString());
          response.clone().blob().then((body) =>
            caches.open(PAGES_CACHE).then((c) => c.put(url.pathname, new Response(body, { headers })))
          );
        }
        return response;
      })
      .catch(() =>
        caches.open(PAGES_CACHE).then((c) => c.match(url.pathname)).then((hit) =>
          hit ? offlineCopy(hit, hit.headers.get("X-Oc-Saved-At")) : caches.match(OFFLINE_URL)
        )
      )
  );
});
