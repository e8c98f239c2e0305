// The engine for browsers and bundlers, ready when the import resolves: the wasm beside this
// file is fetched and compiled once, here. To load it yourself (another URL, bytes you
// already have), import `kubeclinic/web` and call its `init` first.
import init from './web.js';

await init();

export { check, fix, rules } from './web.js';
