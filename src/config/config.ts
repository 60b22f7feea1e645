// Configuration: parsed and validated once from the environment with zod. A bad value stops
// start-up with a message naming the variable. Every variable is listed in .env.example. The
// defaults are the named bounds of the limits module; the relations those bounds assert are checked
// again on the parsed values, since an operator's value could break one.
import { hostname } from 'node:os';
import { z } from 'zod';
import { limits, postgresLimits, readPipelineLimits } from './limits';

const positiveInt = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

/** A node id is what logs, metrics and the console name a node by: visible ASCII, no spaces. */
export const nodeIdPattern = /^[\x21-\x7e]{1,64}$/;
const nodeIdLengthMax = 64;

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  EVENT_STORE_KIND: z.enum(['postgres', 'in-memory']).default('postgres'),
  DATABASE_URL: z.string().url().optional(),
  POSTGRES_HOST: z.string().min(1).optional(),
  POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(5432),
  POSTGRES_USER: z.string().min(1).default('postgres'),
  POSTGRES_PASSWORD: z.string().default(''),
  POSTGRES_DB: z.string().min(1).default('postgres'),
  EMBEDDED_PG_DATA_DIR: z.string().min(1).default('.data/postgres'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  KAFKA_BROKERS: z.string().min(1).optional(),
  KAFKA_BROKER: z.string().min(1).optional(),
  KAFKA_CLIENT_ID: z.string().min(1).default('acta'),
  ACCOUNT_IDLE_MS: positiveInt(limits.accountIdleMs, 24 * 3600_000),
  SNAPSHOT_INTERVAL: positiveInt(limits.snapshotIntervalVersions, 1_000_000),
  COMMAND_TIMEOUT_MS: positiveInt(limits.commandTimeoutMs, 600_000),
  READ_WAIT_MS: positiveInt(limits.readWaitMs, 60_000),
  PG_POOL_MAX: positiveInt(postgresLimits.poolConnectionsMax, 200),
  JOURNAL_CONCURRENT_TRANSACTIONS: positiveInt(limits.journalConcurrentTransactions, 64),
  /** Where the outbox relay and the projectors run: their own worker thread, or the HTTP thread. */
  READ_PIPELINE_THREAD: z.enum(['worker', 'main']).default('worker'),
  READ_PIPELINE_PG_POOL_MAX: positiveInt(readPipelineLimits.poolConnectionsMax, 200),
  ADMIN_TOKEN: z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters').optional(),
  /** Fault injection (crash tests): SIGKILL this process when it reaches the named point, e.g. transfer.credit.answered. */
  FAULT_KILL_AT: z.string().regex(/^[a-z]+\.[a-z]+\.[a-z]+$/, 'FAULT_KILL_AT looks like transfer.credit.answered').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** This node's name in logs, metrics and the console; default `<hostname>:<PORT>`. */
  NODE_ID: z.string().regex(nodeIdPattern, 'NODE_ID is 1 to 64 visible ASCII characters (no spaces)').optional(),
  /** Set by scripts/cluster.sh and docker-compose.yml on every node: refuse storage or a bus that only one process can use. */
  ACTA_CLUSTER: z.enum(['true', 'false']).default('false'),
});

export type StorageMode = { kind: 'in-memory' } | { kind: 'external'; url: string } | { kind: 'embedded'; dataDir: string; port: number };

export interface Config {
  /** Names this node in every log line (`nodeId`), metric (label `node`) and the console's system stats. */
  nodeId: string;
  /** ACTA_CLUSTER=true: one of several nodes sharing one Postgres and one Kafka. */
  cluster: boolean;
  port: number;
  host: string;
  storage: StorageMode;
  /** clientId = clientIdPrefix (KAFKA_CLIENT_ID) + '-' + nodeId. */
  kafka: { brokers: string[]; clientId: string; clientIdPrefix: string } | null;
  accountIdleMs: number;
  snapshotIntervalVersions: number;
  commandTimeoutMs: number;
  readWaitMs: number;
  pgPoolMax: number;
  journalConcurrentTransactions: number;
  /** 'worker' runs relay + bus + projectors on their own thread (Postgres storage only). */
  readPipelineThread: 'worker' | 'main';
  readPipelinePoolMax: number;
  adminToken: string | null;
  faultKillAt: string | null;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const brokers = (e.KAFKA_BROKERS ?? e.KAFKA_BROKER)?.split(',').map((broker) => broker.trim()).filter(Boolean);
  const nodeId = e.NODE_ID ?? defaultNodeId(hostname(), e.PORT);
  // The node id is part of the Kafka client id, so the broker's view of a consumer group (members by
  // client id) says which node holds which partition.
  const kafka = brokers && brokers.length > 0 ? { brokers, clientId: kafkaClientId(e.KAFKA_CLIENT_ID, nodeId), clientIdPrefix: e.KAFKA_CLIENT_ID } : null;
  const storage = storageMode(e);
  const cluster = e.ACTA_CLUSTER === 'true';
  if (cluster) checkClusterable(storage, kafka);
  checkRelations({ commandTimeoutMs: e.COMMAND_TIMEOUT_MS });
  return {
    nodeId,
    cluster,
    port: e.PORT,
    host: e.HOST,
    storage,
    kafka,
    accountIdleMs: e.ACCOUNT_IDLE_MS,
    snapshotIntervalVersions: e.SNAPSHOT_INTERVAL,
    commandTimeoutMs: e.COMMAND_TIMEOUT_MS,
    readWaitMs: e.READ_WAIT_MS,
    pgPoolMax: e.PG_POOL_MAX,
    journalConcurrentTransactions: e.JOURNAL_CONCURRENT_TRANSACTIONS,
    readPipelineThread: e.READ_PIPELINE_THREAD,
    readPipelinePoolMax: e.READ_PIPELINE_PG_POOL_MAX,
    adminToken: e.ADMIN_TOKEN ?? null,
    faultKillAt: e.FAULT_KILL_AT ?? null,
    logLevel: e.LOG_LEVEL,
  };
}

function storageMode(e: z.infer<typeof envSchema>): StorageMode {
  if (e.EVENT_STORE_KIND === 'in-memory') return { kind: 'in-memory' };
  if (e.DATABASE_URL) return { kind: 'external', url: e.DATABASE_URL };
  if (e.POSTGRES_HOST) {
    const auth = e.POSTGRES_PASSWORD ? `${encodeURIComponent(e.POSTGRES_USER)}:${encodeURIComponent(e.POSTGRES_PASSWORD)}` : encodeURIComponent(e.POSTGRES_USER);
    return { kind: 'external', url: `postgres://${auth}@${e.POSTGRES_HOST}:${e.POSTGRES_PORT}/${encodeURIComponent(e.POSTGRES_DB)}` };
  }
  return { kind: 'embedded', dataDir: e.EMBEDDED_PG_DATA_DIR, port: e.EMBEDDED_PG_PORT };
}

/** The configured values that a relation asserted in the limits module involves. */
type RelatedValues = Pick<Config, 'commandTimeoutMs'>;

/**
 * Each relation the limits module asserts on a default that configuration can override, restated
 * for the configured value. A value that breaks one would not fail at once but later, e.g. a
 * SIGTERM whose drain ends before a command in flight has timed out (its caller is cut off
 * unanswered), so start-up refuses it.
 */
const configRelations: ReadonlyArray<{ holds: (values: RelatedValues) => boolean; message: (values: RelatedValues) => string }> = [
  {
    holds: ({ commandTimeoutMs }) => commandTimeoutMs <= limits.shutdownDrainMs,
    message: ({ commandTimeoutMs }) =>
      `COMMAND_TIMEOUT_MS=${commandTimeoutMs} is longer than the shutdown drain (${limits.shutdownDrainMs} ms, limits.shutdownDrainMs): ` +
      'a command still in flight at SIGTERM would be cut off before it could time out; set at most that',
  },
];

function checkRelations(values: RelatedValues): void {
  const broken = configRelations.filter((relation) => !relation.holds(values)).map((relation) => `  ${relation.message(values)}`);
  if (broken.length > 0) throw new ConfigError(`Invalid configuration:\n${broken.join('\n')}`);
}

/**
 * `<hostname>:<port>`, shortened and cleaned so that it is always a valid NODE_ID: a host name
 * longer than the bound keeps its start, and a character NODE_ID refuses becomes `-`.
 */
export function defaultNodeId(host: string, port: number): string {
  const suffix = `:${port}`;
  const cleaned = host.replace(/[^\x21-\x7e]/g, '-').slice(0, nodeIdLengthMax - suffix.length);
  return `${cleaned || 'acta'}${suffix}`;
}

/**
 * Several nodes share their state through Postgres and their projection work through Kafka's
 * consumer groups. Embedded Postgres belongs to one process (its data folder, its port), in-memory
 * storage to one process's heap, and the in-process bus cannot hand partitions to other nodes, so a
 * cluster on any of them would run but be wrong; start-up refuses instead.
 */
function checkClusterable(storage: StorageMode, kafka: Config['kafka']): void {
  if (storage.kind === 'embedded') {
    throw new ConfigError('ACTA_CLUSTER=true: the embedded default runs one node; set DATABASE_URL and KAFKA_BROKERS to run several (scripts/cluster.sh)');
  }
  if (storage.kind === 'in-memory') {
    throw new ConfigError('ACTA_CLUSTER=true: EVENT_STORE_KIND=in-memory keeps state in one process; set DATABASE_URL and KAFKA_BROKERS to run several nodes (scripts/cluster.sh)');
  }
  if (!kafka) {
    throw new ConfigError('ACTA_CLUSTER=true needs KAFKA_BROKERS: the in-process bus cannot share projection work across nodes (scripts/cluster.sh starts Kafka with scripts/kafka.sh)');
  }
}

/** The Kafka client id of a node: the configured prefix, then the node id. */
export function kafkaClientId(prefix: string, nodeId: string): string {
  return `${prefix}-${nodeId}`;
}
