// <kube-clinic>: Kubeclinic's diagnosis inside any page, from one script:
//
//   <script type="module" src="https://example.com/kubeclinic/kube-clinic.js"></script>
//   <kube-clinic>
//     apiVersion: v1
//     kind: Pod
//     ...
//   </kube-clinic>
//
// The text to check (manifests, kubectl output, or both) is, in this order: the file named by
// `src` (fetched relative to the page), the `manifest` attribute itself, or the element's text
// (indentation common to its lines removed). Text holding `<` (kubectl's `<none>`) is safest
// inside `<script type="text/plain">...</script>` in the element. `settings` takes the settings
// as JSON (`{"profile": "strict"}`), as the CLI's settings file holds them.
//
// The element shows a compact diagnosis in its shadow root and dispatches `kubeclinic-report`
// (bubbles, composed) with the JSON report as `detail`, the document that
// `kubeclinic check --format json` prints; `element.report` holds the last one. Failures show
// in the element and dispatch `kubeclinic-error` with `{message}`.
//
// The wasm and its glue are loaded from beside this script (relative to import.meta.url), so
// the files can live under any path; a page on another origin needs them served with CORS
// (`Access-Control-Allow-Origin`). User text is only ever set with textContent.
//
// scripts/postbuild.mjs writes dist/kube-clinic.js from this file, with BUILD set to the
// built file names and the stylesheet web/embed.css.

const BUILD = __KUBECLINIC_BUILD__;

let engine;

/** The wasm module's exports, loaded once for every element of the page. */
function loadEngine() {
  engine ??= (async () => {
    // The CEL module, loaded when a text holds CEL, lives beside this script too.
    globalThis.kubeclinicCelUrl ??= new URL(BUILD.cel, import.meta.url).href;
    const glue = await import(new URL(BUILD.glue, import.meta.url).href);
    await glue.default({ module_or_path: new URL(BUILD.wasm, import.meta.url) });
    return glue;
  })();
  return engine;
}

let sheet;

/** Constructed style sheets are not subject to the page's style-src; a <style> is the fallback. */
function adoptStyles(root) {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(BUILD.css);
    }
    root.adoptedStyleSheets = [sheet];
  } else {
    const style = document.createElement('style');
    style.textContent = BUILD.css;
    root.append(style);
  }
}

/** The element's own text without the indentation the page's markup gave it. */
function dedent(text) {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length > 0 && lines[0].trim() === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) return '';
  const indents = lines.filter((line) => line.trim() !== '').map((line) => /^[ \t]*/.exec(line)[0].length);
  const indent = Math.min(...indents);
  return lines.map((line) => line.slice(indent)).join('\n') + '\n';
}

function node(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

function counted(n, one, many) {
  return n === 0 ? `no ${one}` : n === 1 ? `1 ${one}` : `${n} ${many}`;
}

/** Worded as `Compact::summary` in web/src/embed.rs, which the ?embed page shows. */
function summary(report) {
  const count = (severity) => report.findings.filter((f) => f.severity === severity).length;
  const [errors, warnings, infos] = [count('error'), count('warning'), count('info')];
  const suppressed = report.suppressed.length ? ` (${report.suppressed.length} suppressed)` : '';
  if (!report.understood && errors + warnings === 0) {
    return 'Nothing was diagnosed: no line was read as a manifest or as kubectl output.';
  }
  if (report.findings.length === 0) return `No problems found${suppressed}.`;
  return `${counted(errors, 'error', 'errors')}, ${counted(warnings, 'warning', 'warnings')}, ${counted(infos, 'info', 'infos')}${suppressed}`;
}

function findingItem(finding) {
  const item = node('li', 'kc-finding');
  item.dataset.severity = finding.severity;
  item.dataset.rule = finding.rule;
  item.dataset.line = String(finding.line);
  const head = node('p', 'kc-head');
  head.append(
    node('span', 'kc-severity', finding.severity),
    node('span', 'kc-line', `line ${finding.line}`),
    node('code', 'kc-rule', finding.rule),
  );
  item.append(head, node('p', 'kc-message', finding.message));
  const todo = finding.help ?? finding.fix?.title;
  if (todo) {
    const line = node('p', 'kc-todo');
    line.append(node('span', 'kc-todo-label', 'What to do: '), document.createTextNode(todo));
    item.append(line);
  }
  return item;
}

class KubeClinic extends HTMLElement {
  static observedAttributes = ['src', 'manifest', 'settings'];

  #root;
  #view;
  #observer;
  #queued = false;
  #run = 0;
  #report = null;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    adoptStyles(this.#root);
    this.#view = node('section', 'kc-embed');
    this.#view.setAttribute('aria-label', 'Kubeclinic diagnosis');
    this.#root.append(this.#view);
  }

  /** The last report, or null. */
  get report() {
    return this.#report;
  }

  connectedCallback() {
    // Frameworks often fill the element after inserting it: check again when its text changes.
    this.#observer ??= new MutationObserver(() => this.#queue());
    this.#observer.observe(this, { childList: true, characterData: true, subtree: true });
    this.#queue();
  }

  disconnectedCallback() {
    this.#observer?.disconnect();
  }

  attributeChangedCallback() {
    if (this.isConnected) this.#queue();
  }

  #queue() {
    if (this.#queued) return;
    this.#queued = true;
    queueMicrotask(() => {
      this.#queued = false;
      this.#check();
    });
  }

  async #check() {
    const run = ++this.#run;
    this.#show('checking', [node('p', 'kc-summary', 'Checking…')]);
    let report;
    try {
      const text = await this.#input();
      const glue = await loadEngine();
      if (run !== this.#run) return;
      // CRD validation rules and patterns, and admission policies, need the CEL module; a failure to load
      // it leaves them reported as not evaluated.
      if (/x-kubernetes-validations|ValidatingAdmissionPolicy|openAPIV3Schema[\s\S]*pattern:/.test(text)) await glue.loadCel().catch(() => {});
      report = JSON.parse(glue.checkJson(text, this.getAttribute('settings') ?? ''));
      if (typeof report.error === 'string') throw new Error(report.error);
    } catch (error) {
      if (run !== this.#run) return;
      const message = error instanceof Error ? error.message : String(error);
      const line = node('p', 'kc-summary kc-failed', `Kubeclinic could not check this: ${message}`);
      line.setAttribute('role', 'alert');
      this.#show('failed', [line]);
      this.dispatchEvent(new CustomEvent('kubeclinic-error', { bubbles: true, composed: true, detail: { message } }));
      return;
    }
    if (run !== this.#run) return;
    this.#report = report;
    const parts = [node('p', 'kc-summary', summary(report))];
    if (report.findings.length > 0) {
      const list = node('ol', 'kc-findings');
      list.append(...report.findings.map(findingItem));
      parts.push(list);
    }
    this.#show('checked', parts);
    this.dispatchEvent(new CustomEvent('kubeclinic-report', { bubbles: true, composed: true, detail: report }));
  }

  async #input() {
    const src = this.getAttribute('src');
    if (src) {
      const response = await fetch(new URL(src, document.baseURI));
      if (!response.ok) throw new Error(`${src} answered ${response.status}`);
      return response.text();
    }
    const manifest = this.getAttribute('manifest');
    if (manifest !== null) return manifest;
    return dedent(this.textContent);
  }

  #show(state, parts) {
    this.#view.dataset.state = state;
    this.#view.replaceChildren(
      ...parts,
      node('p', 'kc-credit', 'Checked in this browser by Kubeclinic; nothing was uploaded.'),
    );
  }
}

if (!customElements.get('kube-clinic')) customElements.define('kube-clinic', KubeClinic);
