// Compiled by types.test.mjs with `moduleResolution: bundler`: the browser entry, which is
// ready on import, and `kubeclinic/web`, which is loaded by hand.

import { check } from 'kubeclinic';
import init, { initSync, check as checkWeb } from 'kubeclinic/web';
import type { Report } from 'kubeclinic/web';

await init({ module_or_path: new URL('https://docs.example/kubeclinic_bg.wasm') });
initSync({ module: new Uint8Array() });
const a: Report = check('kind: Pod\n');
const b: Report = checkWeb('kind: Pod\n', { profile: 'minimal' });

export { a, b };
