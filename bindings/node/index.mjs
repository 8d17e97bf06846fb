// ESM entry: the same module as `require('cloud-infinite')`, so that both
// loaders share one native library, one set of types and one CIError class.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ci = require('./index.js');

export const { Client, CIError, ErrorKind, Operation, PageIterator, sign, version, operations, liveObjects, debugPanic, abiVersion, libraryPath } = ci;
export default ci;
