// Entry file of the paced load client's worker thread. Worker threads do not inherit the main
// thread's tsx require hook, so register it here, then run the TypeScript worker.
'use strict';
require('tsx/cjs');
require('./pacedDepositsWorker.ts');
