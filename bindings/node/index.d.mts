// ESM types of index.mjs: the same declarations as index.d.ts (the
// CommonJS entry's), re-exported, since index.mjs re-exports index.js.
import * as ci from './index.js';

export * from './index.js';
export default ci;
