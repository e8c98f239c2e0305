// The app's wasm is built to stop at once on an internal error, without a message of its own
// (the code that would format one is left out of the download). The fault reaches the page as
// a WebAssembly.RuntimeError: say so, and that the text is kept. Put before Trunk's loader by
// scripts/postbuild.mjs, in the page and in kubeclinic.html.
const showFatal = (error) => {
  if (!(error instanceof WebAssembly.RuntimeError) || document.getElementById('fatal')) return;
  const banner = document.createElement('div');
  banner.id = 'fatal';
  banner.className = 'fatal';
  banner.setAttribute('role', 'alert');
  banner.textContent =
    'Kubeclinic stopped because of an internal error. Your text is kept in this browser: ' +
    `reload the page to continue. Details: ${error.message}`;
  document.body.prepend(banner);
  console.error('Kubeclinic stopped:', error);
};
addEventListener('error', (event) => showFatal(event.error));
addEventListener('unhandledrejection', (event) => showFatal(event.reason));
