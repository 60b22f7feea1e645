// Entry file of the fold worker threads. Worker threads do not inherit the main thread's tsx
// require hook, so register it here, then hand piscina the TypeScript worker's exports.
'use strict';
require('tsx/cjs');
module.exports = require('./foldWorker.ts');
