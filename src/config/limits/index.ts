// The one limits module: every named bound of Acta, one file per area, gathered here. Import bounds
// from here (or, inside src/config/limits, from the file that defines them, so the files never import
// this index and no import loop can form). Each file asserts its relations when it loads.
export { limits } from './limits';
export { outboxLimits, postgresLimits } from './storageLimits';
export { projectionLimits } from './projectionLimits';
export { kafkaLimits } from './kafkaLimits';
export { readPipelineLimits } from './readPipelineLimits';
export { relayLimits } from './relayLimits';
export { memoryBusLimits, memoryReadModelLimits } from './memoryLimits';
export { adminLimits } from './adminLimits';
export { readWaitLimits } from './readWaitLimits';
