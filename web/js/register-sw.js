// Offline: after the app has started, a service worker (sw.js, beside this loader) keeps the
// page's files so that the next visit works without a network. Only over http(s): a file://
// page cannot have one (kubeclinic.html is the copy to open from a disk). Appended to Trunk's
// loader by scripts/postbuild.mjs.
if ('serviceWorker' in navigator && (location.protocol === 'https:' || location.protocol === 'http:')) {
  navigator.serviceWorker.register(new URL('sw.js', import.meta.url)).catch((error) => {
    console.warn('Kubeclinic cannot keep its files for offline use here:', error);
  });
}
