// The page's CEL evaluator (web/cel), loaded only when a paste holds CEL: a wasm module with
// no imports, from the data block `kubeclinic-cel-wasm` of kubeclinic.html, else from
// `kubeclinic-cel.wasm` beside the page (or where `globalThis.kubeclinicCelUrl` says: the
// <kube-clinic> element points it beside its own script). Bound by web/src/cel.rs.

let exports = null;
let loading = null;
let failure = null;

function base64Bytes(text) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function moduleBytes() {
  const block = document.getElementById('kubeclinic-cel-wasm');
  if (block) return base64Bytes(block.textContent.trim());
  const url = globalThis.kubeclinicCelUrl || new URL('kubeclinic-cel.wasm', document.baseURI).href;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** True once the evaluator can answer. */
export function celReady() {
  return exports !== null;
}

/** Why loading failed, or an empty string. */
export function celFailure() {
  return failure ?? '';
}

/** Loads the evaluator once; resolves when it is ready, rejects with why it is not. */
export function celLoad() {
  loading ??= (async () => {
    try {
      const { instance } = await WebAssembly.instantiate(await moduleBytes(), {});
      exports = instance.exports;
    } catch (error) {
      failure = `the CEL module could not be loaded (${error && error.message ? error.message : error})`;
      throw new Error(failure);
    }
  })();
  return loading;
}

/** Evaluates a JSON list of jobs and returns the JSON list of outcomes. */
export function celEvaluate(jobs) {
  const bytes = new TextEncoder().encode(jobs);
  const input = exports.kubeclinic_cel_input(bytes.length);
  new Uint8Array(exports.memory.buffer, input, bytes.length).set(bytes);
  const length = exports.kubeclinic_cel_evaluate();
  const output = exports.kubeclinic_cel_output();
  return new TextDecoder().decode(new Uint8Array(exports.memory.buffer, output, length));
}
