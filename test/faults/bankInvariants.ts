// The invariants a fault run must end with, checked from the event store (SQL on the database the
// server wrote to) and from the API, against the ledger of answers the careful clients got:
// - every acknowledged command is stored exactly once; nothing answered with a rejection is stored;
// - no transactionId and no transfer leg is applied twice; stream versions are 1..n;
// - per account, the folded events = the API's balance at that version = the read-model row;
// - money is conserved: each transfer moved its amount exactly once or not at all, and the balances
//   add up to the stored deposits minus the stored withdrawals;
// - every transfer is terminal and the outbox is drained.
// Each check returns the problems it found (empty = holds), so a failing run names all of them.
import type { Pool } from 'pg';
import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'chai';
import { BankWorkload, SentCommand } from './bankWorkload';

interface EventRow {
  stream_id: string;
  stream_version: number;
  event_type: string;
  data: Record<string, unknown>;
}

export interface StoreFacts {
  events: EventRow[];
  byStream: Map<string, EventRow[]>;
}

export async function readStore(pool: Pool): Promise<StoreFacts> {
  const { rows } = await pool.query<EventRow>('select stream_id, stream_version, event_type, data from events order by global_position');
  const byStream = new Map<string, EventRow[]>();
  for (const row of rows) {
    const list = byStream.get(row.stream_id) ?? [];
    list.push(row);
    byStream.set(row.stream_id, list);
  }
  return { events: rows, byStream };
}

const acked = (c: SentCommand) => c.status !== null && c.status >= 200 && c.status < 300;
const rejected = (c: SentCommand) => c.status !== null && c.status >= 400;

/** Acknowledged = stored exactly once; rejected = not stored; unknown = stored at most once. */
export function checkLedger(ledger: readonly SentCommand[], facts: StoreFacts): string[] {
  const problems: string[] = [];
  const movements = new Map<string, EventRow[]>();
  const requested = new Map<string, number>();
  const created = new Map<string, number>();
  for (const event of facts.events) {
    if (event.event_type === 'MoneyDeposited' || event.event_type === 'MoneyWithdrawn') {
      const id = String(event.data.transactionId);
      movements.set(id, [...(movements.get(id) ?? []), event]);
    }
    if (event.event_type === 'TransferRequested') requested.set(String(event.data.transferId), (requested.get(String(event.data.transferId)) ?? 0) + 1);
    if (event.event_type === 'AccountCreated') created.set(String(event.data.accountId), (created.get(String(event.data.accountId)) ?? 0) + 1);
  }
  for (const [id, events] of movements) if (events.length > 1) problems.push(`transactionId ${id} applied ${events.length} times`);
  for (const [id, n] of requested) if (n > 1) problems.push(`transfer ${id} requested ${n} times`);
  for (const [id, n] of created) if (n > 1) problems.push(`account ${id} created ${n} times`);
  for (const command of ledger) {
    const stored = storedCount(command, movements, requested, created);
    if (acked(command) && stored !== 1) problems.push(`acknowledged ${command.kind} ${command.key} stored ${stored} times`);
    if (rejected(command) && stored !== 0) problems.push(`rejected ${command.kind} ${command.key} (${command.status} ${String(command.response?.code)}) stored ${stored} times`);
    if (command.status === null && stored > 1) problems.push(`unknown ${command.kind} ${command.key} stored ${stored} times`);
    if (acked(command) && (command.kind === 'deposit' || command.kind === 'withdrawal')) {
      const event = movements.get(String(command.body.transactionId))?.[0];
      const type = command.kind === 'deposit' ? 'MoneyDeposited' : 'MoneyWithdrawn';
      if (event && (event.event_type !== type || event.data.amount !== command.body.amount || !command.path.includes(`/${String(event.data.accountId)}/`))) {
        problems.push(`acknowledged ${command.kind} ${command.key} stored as ${event.event_type} ${JSON.stringify(event.data)}`);
      }
    }
  }
  return problems;
}

function storedCount(command: SentCommand, movements: Map<string, EventRow[]>, requested: Map<string, number>, created: Map<string, number>): number {
  switch (command.kind) {
    case 'deposit':
    case 'withdrawal':
      return movements.get(String(command.body.transactionId))?.length ?? 0;
    case 'transfer':
      return requested.get(String(command.body.transferId)) ?? 0;
    case 'open':
      return created.get(String(command.body.accountId)) ?? 0;
  }
}

/** Every stream's versions are exactly 1..n. */
export function checkVersions(facts: StoreFacts): string[] {
  const problems: string[] = [];
  for (const [stream, events] of facts.byStream) {
    const versions = events.map((e) => e.stream_version).sort((a, b) => a - b);
    if (versions.some((v, i) => v !== i + 1)) problems.push(`${stream} has versions ${versions.join(',')}`);
  }
  return problems;
}

export interface FoldedAccount {
  accountId: string;
  balance: number;
  version: number;
}

/** Folds each account stream's money events (holds do not change the balance, captures do). */
export function foldAccounts(facts: StoreFacts): FoldedAccount[] {
  const accounts: FoldedAccount[] = [];
  for (const [stream, events] of facts.byStream) {
    if (!stream.startsWith('account-')) continue;
    let balance = 0;
    for (const event of events) {
      const amount = Number(event.data.amount ?? 0);
      if (event.event_type === 'MoneyDeposited' || event.event_type === 'TransferCredited') balance += amount;
      if (event.event_type === 'MoneyWithdrawn' || event.event_type === 'HoldCaptured') balance -= amount;
    }
    accounts.push({ accountId: stream.slice('account-'.length), balance, version: events.length });
  }
  return accounts;
}

/**
 * Each transfer is terminal and moved its money exactly once or not at all: COMPLETED has one hold,
 * one capture on the source and one credit on the destination, no release; FAILED has no capture
 * and no credit. Σ balances = Σ deposits − Σ withdrawals then follows from the fold.
 */
export function checkTransfers(facts: StoreFacts): string[] {
  const problems: string[] = [];
  const legs = new Map<string, Record<string, number>>();
  for (const event of facts.events) {
    if (!event.stream_id.startsWith('account-') || typeof event.data.transferId !== 'string') continue;
    const counts = legs.get(event.data.transferId) ?? {};
    counts[event.event_type] = (counts[event.event_type] ?? 0) + 1;
    legs.set(event.data.transferId, counts);
  }
  for (const [stream, events] of facts.byStream) {
    if (!stream.startsWith('transfer-')) continue;
    const transferId = stream.slice('transfer-'.length);
    const last = events[events.length - 1]!;
    const counts = legs.get(transferId) ?? {};
    const n = (type: string) => counts[type] ?? 0;
    if (last.event_type === 'TransferCompleted') {
      if (n('HoldPlaced') !== 1 || n('HoldCaptured') !== 1 || n('TransferCredited') !== 1 || n('HoldReleased') !== 0) {
        problems.push(`completed transfer ${transferId} has legs ${JSON.stringify(counts)}`);
      }
    } else if (last.event_type === 'TransferFailed') {
      if (n('HoldCaptured') !== 0 || n('TransferCredited') !== 0 || n('HoldPlaced') !== n('HoldReleased') || n('HoldPlaced') > 1) {
        problems.push(`failed transfer ${transferId} has legs ${JSON.stringify(counts)}`);
      }
    } else {
      problems.push(`transfer ${transferId} is not terminal (last event ${last.event_type}, legs ${JSON.stringify(counts)})`);
    }
  }
  return problems;
}

/** Σ folded balances = Σ stored deposits − Σ stored withdrawals (transfers move money, never make it). */
export function checkConservation(facts: StoreFacts): string[] {
  let deposits = 0;
  let withdrawals = 0;
  for (const event of facts.events) {
    if (event.event_type === 'MoneyDeposited') deposits += Number(event.data.amount);
    if (event.event_type === 'MoneyWithdrawn') withdrawals += Number(event.data.amount);
  }
  const total = foldAccounts(facts).reduce((sum, account) => sum + account.balance, 0);
  const negative = foldAccounts(facts).filter((account) => account.balance < 0);
  const problems = negative.map((account) => `${account.accountId} folds to a negative balance ${account.balance}`);
  if (total !== deposits - withdrawals) problems.push(`balances add up to ${total}, deposits − withdrawals = ${deposits - withdrawals}`);
  return problems;
}

/** Per account: the API's balance at the stored version and the read-model row equal the fold. */
export async function checkReadSide(baseUrl: string, pool: Pool, facts: StoreFacts, readWaitMs: number): Promise<string[]> {
  const problems: string[] = [];
  for (const account of foldAccounts(facts)) {
    const response = await getWithRetry(`${baseUrl}/api/accounts/${account.accountId}/balance?minVersion=${account.version}`, readWaitMs);
    if (response.status !== 200 || response.body.balance !== account.balance || response.body.version !== account.version) {
      problems.push(`API ${account.accountId}: ${response.status} ${JSON.stringify(response.body)}, store folds ${account.balance} at v${account.version}`);
    }
    const { rows } = await pool.query<{ balance: string; version: number }>('select balance::text, version from account_summary where account_id = $1', [account.accountId]);
    const row = rows[0];
    if (!row || Number(row.balance) !== account.balance || row.version !== account.version) {
      problems.push(`read model ${account.accountId}: ${JSON.stringify(row ?? null)}, store folds ${account.balance} at v${account.version}`);
    }
  }
  return problems;
}

/** GET retried (bounded) while the answer is 503 (read model behind, or the node still starting). */
async function getWithRetry(url: string, timeoutMs: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await fetch(url).then(
      async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }),
      () => ({ status: 0, body: {} as Record<string, unknown> }),
    );
    if ((answer.status !== 503 && answer.status !== 0) || Date.now() >= deadline) return answer;
    await delay(100);
  }
}

/** Waits (bounded) until the outbox is empty; returns how long it took, or null if it never drained. */
export async function waitOutboxDrained(pool: Pool, timeoutMs: number): Promise<number | null> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from outbox_events');
    if (rows[0]!.n === 0) return Date.now() - started;
    await delay(100);
  }
  return null;
}

/** Waits (bounded) until every transfer stream ends in a terminal event; returns the ms it took, or null. */
export async function waitTransfersTerminal(pool: Pool, timeoutMs: number): Promise<number | null> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const { rows } = await pool.query<{ n: number }>(`
      select count(*)::int as n from events r
      where r.event_type = 'TransferRequested'
        and not exists (select 1 from events t where t.stream_id = r.stream_id and t.event_type in ('TransferCompleted', 'TransferFailed'))`);
    if (rows[0]!.n === 0) return Date.now() - started;
    await delay(200);
  }
  return null;
}

export interface SettleOptions {
  /** How the printed figures are introduced. */
  label: string;
  load: BankWorkload;
  pool: Pool;
  /** Every node whose API must agree with the store. */
  nodeUrls: readonly string[];
  settleMs: number;
  /** Figures of the run (kills, restart times) printed with the settle figures. */
  figures: Record<string, unknown>;
  /** Checks of the caller's own, run on the same store. */
  extraChecks?: (facts: StoreFacts) => string[];
}

/**
 * After the load has stopped: waits (bounded) for every transfer to end and the outbox to drain,
 * then checks every invariant above from the store and on every node, prints the run's figures and
 * fails naming the first problems found.
 */
export async function settleAndCheck(options: SettleOptions): Promise<void> {
  const started = Date.now();
  const terminalMs = await waitTransfersTerminal(options.pool, options.settleMs);
  const drainedMs = await waitOutboxDrained(options.pool, options.settleMs);
  const facts = await readStore(options.pool);
  const readSide = (await Promise.all(options.nodeUrls.map((url) => checkReadSide(url, options.pool, facts, 10_000)))).flat();
  const counts = options.load.counts();
  const figures = { ...options.figures, transfersTerminalMs: terminalMs, outboxDrainedMs: drainedMs, readSideRecoveredMs: Date.now() - started, events: facts.events.length, ...counts };
  process.stdout.write(`      ${options.label}: ${JSON.stringify(figures)}\n`);
  const problems = [
    ...(terminalMs === null ? ['transfers not terminal within the settle bound'] : []),
    ...(drainedMs === null ? ['outbox not drained within the settle bound'] : []),
    ...checkLedger(options.load.ledger, facts),
    ...checkVersions(facts),
    ...checkTransfers(facts),
    ...checkConservation(facts),
    ...(options.extraChecks?.(facts) ?? []),
    ...readSide,
  ];
  expect(problems, problems.slice(0, 20).join('\n')).to.deep.equal([]);
  expect(counts.acked, 'the run acknowledged commands').to.be.greaterThan(50);
  expect(counts.unknown, 'every command got a final answer').to.equal(0);
}
