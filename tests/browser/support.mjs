// What every browser test file shares: where things are, how Chromium starts, and a static
// server for dist/.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '..', '..');
export const dist = path.join(root, 'dist');

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.yaml': 'application/yaml; charset=utf-8',
};

/** A file of the repository, as text. */
export const readRepo = (relative) => fs.readFileSync(path.join(root, relative), 'utf8');

/** A server on 127.0.0.1 with a random port; `down` makes it drop every connection. */
export async function startServer(handler) {
  const server = http.createServer((req, res) => {
    if (server.down) {
      req.socket.destroy();
      return;
    }
    handler(req, res);
  });
  server.down = false;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.origin = `http://127.0.0.1:${server.address().port}`;
  return server;
}

/** Stops `server`, ending the browser's idle keep-alive connections rather than waiting on them. */
export function stopServer(server) {
  if (!server) return Promise.resolve();
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeAllConnections();
  return closed;
}

/**
 * Serves dist/ under `base` (`/` or `/docs/kc/`), never cached; `cors` lets pages of other
 * origins load the files.
 */
export function serveDist({ base = '/', cors = false } = {}) {
  return (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    if (!pathname.startsWith(base)) {
      res.writeHead(404).end();
      return;
    }
    const rest = pathname.slice(base.length);
    const file = path.resolve(dist, '.' + path.sep + (rest === '' || rest.endsWith('/') ? rest + 'index.html' : rest));
    if (!file.startsWith(dist + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    fs.readFile(file, (error, body) => {
      if (error) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      const headers = {
        'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
        'cache-control': 'no-store',
      };
      if (cors) headers['access-control-allow-origin'] = '*';
      res.writeHead(200, headers).end(body);
    });
  };
}

// The editor is CodeMirror: its host element (`.code-host`) carries a small handle for
// scripts (web/editor/index.js), since the text is not in the DOM as one value.

/** The editor's text. */
export const editorText = (page) => page.$eval('.code-host', (host) => host.editor.text());

/** Replaces the editor's text as an edit of the person's would (the app hears it). */
export const setEditorText = (page, text) =>
  page.$eval('.code-host', (host, next) => host.editor.setText(next), text);

/** Waits until the editor's text equals `equals`, or includes `includes`. */
export const waitForEditorText = (page, { equals, includes }) =>
  page.waitForFunction(
    ([equals, includes]) => {
      const text = document.querySelector('.code-host')?.editor?.text();
      if (text === undefined) return false;
      return equals !== undefined ? text === equals : text.includes(includes);
    },
    [equals, includes],
  );

/** The editor's selection: its text and start, the scroll, and whether it has the focus. */
export const editorSelection = (page) =>
  page.$eval('.code-host', (host) => {
    const [from, to] = host.editor.selection();
    return {
      text: host.editor.text().substring(from, to),
      start: from,
      length: to - from,
      scrollTop: host.editor.scrollTop(),
      focused: host.contains(document.activeElement),
    };
  });
