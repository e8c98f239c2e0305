// Kubeclinic's service worker: after one visit the page opens and checks without a network.
// scripts/postbuild.mjs writes dist/sw.js from this file, with BUILD set to the page's files
// and a version made of their contents, so every new build installs a new cache.
//
// Cache-first for the page's own files only; every other request goes to the network as if
// there were no worker.

const BUILD = __KUBECLINIC_BUILD__;

// Several copies of the page may live on one origin (/docs/v1/, /docs/v2/): each keeps its own
// caches, named after its folder.
const SCOPE = new URL('./', self.location).pathname;
const PREFIX = `kubeclinic ${SCOPE} `;
const CACHE = PREFIX + BUILD.version;
const FILES = new Set([...BUILD.hashed, ...BUILD.named]);

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // Files with a content hash in their name never change: the HTTP cache may answer (the
      // page has just downloaded them). The others are revalidated.
      const request = (file, mode) => new Request(new URL(file, self.location), { cache: mode });
      await cache.addAll([
        ...BUILD.hashed.map((file) => request(file, 'default')),
        ...BUILD.named.map((file) => request(file, 'no-cache')),
      ]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith(SCOPE)) return;
  // The folder itself is index.html; a query (`?embed`) does not make another file.
  const file = url.pathname.slice(SCOPE.length) || 'index.html';
  if (!FILES.has(file)) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      return (await cache.match(new URL(file, self.location).href)) || fetch(request);
    })(),
  );
});
