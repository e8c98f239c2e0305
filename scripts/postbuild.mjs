// Trunk's post_build hook (Trunk.toml): finishes dist/ while it is still Trunk's staging folder.
//
// 1. index.html: Trunk writes its wasm loader as an inline <script type="module">, which a
//    strict Content-Security-Policy (no 'unsafe-inline' for scripts) refuses. The loader moves
//    into kubeclinic-loader-<hash>.js, with the service worker's registration added.
// 2. sw.js: the service worker (web/js/sw.js) with the exact list of the page's files and a
//    version made of their contents.
// 3. kubeclinic.html: the whole app in one file (CSS, wasm-bindgen glue and its snippets, the
//    wasm and the CEL module as base64), which runs from file:// with no other file and no
//    network; its own policy pins the inline script and styles by their SHA-256.
// 4. rule-docs.json: every rule's page of docs/rules/ by id, which the rule reference fetches
//    when it opens (in kubeclinic.html, a data block), so the wasm carries no docs text.
// 5. kube-clinic.js: the <kube-clinic> element (web/js/kube-clinic.js) with the names of the
//    files it loads from beside itself and the stylesheet web/embed.css.
// 6. kubeclinic-cel.wasm: the CEL evaluator, built by scripts/build-cel-wasm.sh (the pre_build
//    hook), copied in; the page fetches it only when a text holds CEL.
//
// Plain Node (20+), no dependencies. Also importable: the tests call the module bundler.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LOADER_PREFIX = 'kubeclinic-loader-';
/** Files this hook writes that the page itself never loads (not precached). */
const NOT_THE_PAGE = new Set(['sw.js', 'kubeclinic.html', 'kube-clinic.js']);

class BuildError extends Error {}

const fail = (message) => {
  throw new BuildError(message);
};

const sha256 = (data) => crypto.createHash('sha256').update(data).digest();
const shortHash = (data) => sha256(data).toString('hex').slice(0, 16);
const cspHash = (text) => `'sha256-${sha256(text).toString('base64')}'`;
const sri = (data) => `sha384-${crypto.createHash('sha384').update(data).digest('base64')}`;

function attribute(tag, name) {
  const match = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return match ? (match[2] ?? match[3] ?? match[4]) : undefined;
}

/** Every file below `dir`, as forward-slash paths relative to it. */
function listFiles(dir, prefix = '') {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix + entry.name;
    if (entry.isDirectory()) return listFiles(path.join(dir, entry.name), relative + '/');
    return entry.isFile() ? [relative] : [];
  });
}

/** Where `specifier`, imported by the staged file `from`, lives in the staging folder. */
function resolveImport(specifier, from, publicUrl) {
  if (specifier.startsWith('./') || specifier.startsWith('../')) {
    const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
    if (resolved.startsWith('../')) fail(`${from} imports ${specifier}, outside dist/`);
    return resolved;
  }
  if (publicUrl.startsWith('/') && specifier.startsWith(publicUrl)) {
    return specifier.slice(publicUrl.length);
  }
  return fail(`${from} imports "${specifier}", which cannot be inlined (only relative imports can)`);
}

// The import forms wasm-bindgen writes (`import { a, 'b' as c } from '...'`,
// `import * as import1 from "..."`) and Trunk's loader (`import init, * as bindings from`).
const IMPORT =
  /^[ \t]*import\s+(?:([\w$]+)\s*,\s*)?(?:\*\s*as\s+([\w$]+)|\{([^}]*)\}|([\w$]+))\s+from\s+(["'])([^"']+)\5[ \t]*;?[ \t]*$/gm;
const BARE_IMPORT = /^[ \t]*import\s*(["'])[^"']+\1/m;
const ANY_IMPORT = /^[ \t]*import\s*[\w${*]/m;
const EXPORT_DECLARATION = /^([ \t]*)export\s+((?:async\s+)?function\s*\*?\s*([\w$]+)|class\s+([\w$]+)|(?:const|let|var)\s+([\w$]+))/gm;
const EXPORT_LIST = /^[ \t]*export\s*\{([^}]*)\}\s*(from\b)?[^;\n]*;?[ \t]*$/gm;
const EXPORT_DEFAULT = /^([ \t]*)export\s+default\s+/gm;

/** `a`, `a as b`, `'a-b' as c`: the pairs of one `{ ... }` list. */
function specifiers(list) {
  return list
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const match = /^(?:([\w$]+)|(["'])(.*)\2)(?:\s+as\s+(?:([\w$]+)|(["'])(.*)\5))?$/.exec(item);
      if (!match) fail(`cannot read the import or export item "${item}"`);
      const name = match[1] ?? match[3];
      const alias = match[4] ?? match[6] ?? name;
      return { name, alias };
    });
}

const key = (name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));

/**
 * Turns ES modules into one script: each imported module becomes a function whose result is
 * its exports, in dependency order; the entry's own code stays at the top level (it may use
 * top-level await). Handles the forms wasm-bindgen's glue, its snippets and Trunk's loader
 * use; anything else (re-exports, bare specifiers, dynamic import) is a build error that
 * names the file, never silently broken output.
 */
export function bundle(entry, { read, publicUrl = './' }) {
  const ids = new Map();
  const out = [];
  const visiting = new Set();

  function rewriteImports(source, file) {
    const consts = [];
    const code = source.replace(IMPORT, (_, defaultName, namespace, list, single, _quote, specifier) => {
      const id = load(resolveImport(specifier, file, publicUrl));
      if (defaultName) consts.push(`const ${defaultName} = ${id}.default;`);
      if (namespace) consts.push(`const ${namespace} = ${id};`);
      if (single) consts.push(`const ${single} = ${id}.default;`);
      if (list !== undefined) {
        const pairs = specifiers(list).map(({ name, alias }) => (name === alias ? name : `${key(name)}: ${alias}`));
        consts.push(`const { ${pairs.join(', ')} } = ${id};`);
      }
      return '';
    });
    if (BARE_IMPORT.test(code) || ANY_IMPORT.test(code)) {
      fail(`${file} has an import this bundler cannot inline`);
    }
    if (/\bimport\s*\(/.test(code)) fail(`${file} uses a dynamic import(), which cannot be inlined`);
    return consts.join('\n') + '\n' + code;
  }

  function load(file) {
    if (ids.has(file)) return ids.get(file);
    if (visiting.has(file)) fail(`${file} is part of an import cycle, which cannot be inlined`);
    visiting.add(file);
    const source = read(file);
    const code = rewriteImports(source, file);
    const exports = [];
    let body = code.replace(EXPORT_LIST, (_, list, from) => {
      if (from) fail(`${file} re-exports from another module, which cannot be inlined`);
      for (const { name, alias } of specifiers(list)) exports.push(`${key(alias)}: ${name}`);
      return '';
    });
    body = body.replace(EXPORT_DECLARATION, (_, indent, declaration, fn, cls, variable) => {
      const name = fn ?? cls ?? variable;
      exports.push(name);
      return indent + declaration;
    });
    body = body.replace(EXPORT_DEFAULT, (_, indent) => {
      exports.push('default: __kc_default');
      return `${indent}const __kc_default = `;
    });
    if (/^[ \t]*export\b/m.test(body)) fail(`${file} has an export this bundler cannot inline`);
    const id = `__kc_module_${ids.size}`;
    out.push(`// ${file}\nconst ${id} = (() => {\n${body}\nreturn Object.freeze({ ${exports.join(', ')} });\n})();`);
    ids.set(file, id);
    visiting.delete(file);
    return id;
  }

  const entryCode = rewriteImports(read(entry), entry);
  if (/^[ \t]*export\b/m.test(entryCode)) fail(`${entry} is the entry and exports nothing it can give`);
  return `${out.join('\n\n')}\n\n// ${entry}\n${entryCode}`;
}

/** Text safe inside an inline <script>: the HTML parser never sees `</script` or `<!--`. */
function scriptText(code) {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

function styleText(css, file) {
  if (/<\/style/i.test(css)) fail(`${file} contains "</style", which cannot be inlined`);
  return css;
}

const INLINE_SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script>/gi;

/**
 * Replaces Trunk's inline scripts with files. The loader gets the service worker's
 * registration, except under `trunk serve`, whose autoreload script is the sign: there a
 * worker would answer with the files of the build before.
 */
function externalizeScripts(html, { staging, publicUrl, glue }) {
  const scripts = [...html.matchAll(INLINE_SCRIPT)].filter(([, attrs]) => attribute(`<s ${attrs}>`, 'src') === undefined);
  const autoreload = scripts.find(([, , code]) => code.includes('.well-known/trunk/ws'));
  const loaders = scripts.filter(([, attrs, code]) => attribute(`<s ${attrs}>`, 'type') === 'module' && code.includes(glue));
  if (loaders.length !== 1) fail(`expected one inline Trunk loader importing ${glue} in index.html, found ${loaders.length}`);
  const others = scripts.filter((s) => s !== autoreload && s !== loaders[0]);
  if (others.length > 0) fail(`index.html has an inline script the policy would refuse:\n${others[0][0].slice(0, 200)}`);

  const fatal = fs.readFileSync(path.join(ROOT, 'web/js/fatal.js'), 'utf8');
  const loaderSource = `${fatal}\n${loaders[0][2].trim()}`;
  const register = autoreload ? '' : fs.readFileSync(path.join(ROOT, 'web/js/register-sw.js'), 'utf8');
  const loaderCode = `${loaderSource}\n\n${register}`;
  const loaderName = `${LOADER_PREFIX}${shortHash(loaderCode)}.js`;
  fs.writeFileSync(path.join(staging, loaderName), loaderCode);
  let out = html.replace(
    loaders[0][0],
    `<script type="module" src="${publicUrl}${loaderName}" integrity="${sri(loaderCode)}" crossorigin="anonymous"></script>`,
  );

  if (autoreload) {
    // Trunk's server fills these in only inside HTML; in a file they are computed in the browser.
    const code = autoreload[2]
      .replace(/(['"`]){{__TRUNK_ADDRESS__}}\1/g, 'window.location.host')
      .replace(/(['"`]){{__TRUNK_WS_BASE__}}\1/g, "new URL('./', document.baseURI).pathname")
      .replace(/{{__TRUNK_WS_PROTOCOL__}}/g, '');
    const name = `trunk-autoreload-${shortHash(code)}.js`;
    fs.writeFileSync(path.join(staging, name), code);
    out = out.replace(autoreload[0], `<script src="${publicUrl}${name}"></script>`);
  }
  return { html: out, loaderName, loaderSource, serving: Boolean(autoreload) };
}

function writeServiceWorker(staging) {
  const files = listFiles(staging).filter((file) => !NOT_THE_PAGE.has(file) && !file.startsWith('trunk-autoreload-')).sort();
  const hashed = files.filter((file) => /-[0-9a-f]{16}(_bg)?\.[a-z]+$/.test(file));
  const named = files.filter((file) => !hashed.includes(file));
  const version = shortHash(files.map((file) => `${file}\0${sha256(fs.readFileSync(path.join(staging, file))).toString('hex')}\n`).join(''));
  const build = { version, hashed, named };
  const template = fs.readFileSync(path.join(ROOT, 'web/js/sw.js'), 'utf8');
  fs.writeFileSync(path.join(staging, 'sw.js'), fill(template, build, 'web/js/sw.js'));
  return { version, files };
}

function fill(template, build, name) {
  const marker = '__KUBECLINIC_BUILD__';
  if (template.split(marker).length !== 2) fail(`${name} must hold ${marker} exactly once`);
  return template.replace(marker, () => JSON.stringify(build, null, 2));
}

/**
 * `{ id: markdown }` from docs/rules/<id>.md (written and checked by the CLI's tests). Links
 * between pages become their text: the reference shows every rule on one page.
 */
export function ruleDocs(dir = path.join(ROOT, 'docs/rules')) {
  const docs = {};
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md').sort()) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    docs[file.slice(0, -3)] = text.replace(/\[(`[^`\]]+`)\]\([\w-]+\.md\)/g, '$1');
  }
  if (Object.keys(docs).length === 0) fail(`${dir} holds no rule pages`);
  return JSON.stringify(docs);
}

function writeElement(staging, { glue, wasm }) {
  const template = fs.readFileSync(path.join(ROOT, 'web/js/kube-clinic.js'), 'utf8');
  const css = fs.readFileSync(path.join(ROOT, 'web/embed.css'), 'utf8');
  const build = { glue: `./${glue}`, wasm: `./${wasm}`, cel: `./${CEL_WASM}`, css };
  fs.writeFileSync(path.join(staging, 'kube-clinic.js'), fill(template, build, 'web/js/kube-clinic.js'));
}

// The CEL evaluator (web/cel), which scripts/build-cel-wasm.sh builds before Trunk does (its
// pre_build hook); the page loads it only when a text holds CEL.
const CEL_WASM = 'kubeclinic-cel.wasm';

function copyCelModule(staging) {
  const built = path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target/wasm'), CEL_WASM);
  if (!fs.existsSync(built)) fail(`${built} is missing: scripts/build-cel-wasm.sh (Trunk's pre_build hook) builds it`);
  fs.copyFileSync(built, path.join(staging, CEL_WASM));
}

/** The whole page in one file: styles, scripts and the wasm inline, the policy by hashes. */
function writeSingleFile(staging, html, { loaderSource, publicUrl, wasm }) {
  const read = (file) => fs.readFileSync(path.join(staging, file), 'utf8');
  let out = html.replace(/<!--[\s\S]*?-->\s*/g, '');

  const styleHashes = [];
  out = out.replace(/<link\b[^>]*>/gi, (tag) => {
    const rel = (attribute(tag, 'rel') ?? '').toLowerCase();
    if (rel === 'modulepreload' || rel === 'preload') return '';
    if (rel !== 'stylesheet') return tag;
    const href = attribute(tag, 'href');
    const file = resolveImport(href.startsWith('/') ? href : `./${href.replace(/^\.\//, '')}`, 'index.html', publicUrl);
    const css = styleText(read(file), file);
    styleHashes.push(cspHash(css));
    return `<style>${css}</style>`;
  });

  const wasmLiteral = `'${publicUrl}${wasm}'`;
  if (loaderSource.split(wasmLiteral).length !== 2) fail(`Trunk's loader does not name ${wasmLiteral} once`);
  const entry = `${loaderSource.replace(wasmLiteral, 'wasmBytes()')}\n${WASM_BYTES}`;
  const code = scriptText(bundle('(loader)', { read: (file) => (file === '(loader)' ? entry : read(file)), publicUrl }));
  const loaderTag = new RegExp(`<script\\b[^>]*src="[^"]*${LOADER_PREFIX}[0-9a-f]+\\.js"[^>]*></script>`);
  if (!loaderTag.test(out)) fail('the loader script tag is missing from index.html');
  out = out.replace(loaderTag, () => `<script type="module">${code}</script>`);

  const base64 = fs.readFileSync(path.join(staging, wasm)).toString('base64');
  const celBase64 = fs.readFileSync(path.join(staging, CEL_WASM)).toString('base64');
  // `<\/` is the same JSON and never closes the element.
  const docs = read('rule-docs.json').replace(/<\//g, '<\\/');
  out = out.replace(
    /<\/body>/i,
    () =>
      `<script type="application/json" id="kubeclinic-rule-docs">${docs}</script>\n` +
      `<script type="application/wasm;base64" id="kubeclinic-wasm">${base64}</script>\n` +
      `<script type="application/wasm;base64" id="kubeclinic-cel-wasm">${celBase64}</script>\n</body>`,
  );

  const policy = [
    "default-src 'none'",
    `script-src ${cspHash(code)} 'wasm-unsafe-eval'`,
    // Style attributes only (the editor and the graph set some); <style> elements are pinned below.
    "style-src 'unsafe-inline'",
    `style-src-elem ${styleHashes.join(' ')}`,
    'img-src data: blob:',
    "connect-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="[^"]*"\s*\/?>/i;
  if (!meta.test(out)) fail('index.html has no Content-Security-Policy meta element to replace');
  out = out.replace(meta, () => `<meta http-equiv="Content-Security-Policy" content="${policy}" />`);
  fs.writeFileSync(path.join(staging, 'kubeclinic.html'), out);
}

// The single file's wasm lives in a data block (<script type="application/wasm;base64">),
// which the browser never runs and the policy does not govern.
const WASM_BYTES = `
function wasmBytes() {
  const text = document.getElementById('kubeclinic-wasm').textContent.trim();
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
`;

export function postbuild({ staging, publicUrl = './' }) {
  const indexPath = path.join(staging, 'index.html');
  const wasms = fs.readdirSync(staging).filter((file) => file.endsWith('_bg.wasm'));
  if (wasms.length !== 1) fail(`expected one *_bg.wasm in ${staging}, found ${wasms.join(', ') || 'none'}`);
  const wasm = wasms[0];
  const glue = wasm.replace(/_bg\.wasm$/, '.js');
  if (!fs.existsSync(path.join(staging, glue))) fail(`${glue} (the wasm-bindgen glue) is missing`);

  const page = externalizeScripts(fs.readFileSync(indexPath, 'utf8'), { staging, publicUrl, glue });
  fs.writeFileSync(indexPath, page.html);
  copyCelModule(staging);
  writeElement(staging, { glue, wasm });
  fs.writeFileSync(path.join(staging, 'rule-docs.json'), ruleDocs());
  writeSingleFile(staging, page.html, { loaderSource: page.loaderSource, publicUrl, wasm });
  const worker = writeServiceWorker(staging);

  const size = (file) => `${(fs.statSync(path.join(staging, file)).size / 1024).toFixed(0)} KiB`;
  console.log(
    `postbuild: ${page.loaderName}, sw.js (${worker.files.length} files, version ${worker.version}), ` +
      `kube-clinic.js (${size('kube-clinic.js')}), kubeclinic.html (${size('kubeclinic.html')})` +
      (page.serving ? '; trunk serve: no service worker' : ''),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const staging = process.env.TRUNK_STAGING_DIR;
  try {
    if (!staging) fail('TRUNK_STAGING_DIR is not set: this script runs as a Trunk post_build hook');
    postbuild({ staging, publicUrl: process.env.TRUNK_PUBLIC_URL || './' });
  } catch (error) {
    console.error(`postbuild: ${error instanceof BuildError ? error.message : error.stack}`);
    process.exit(1);
  }
}
