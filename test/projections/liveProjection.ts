// Drives a read model the way the live projector does, but with a seeded, hostile delivery: the
// log cut into batches, some messages duplicated, some lost (gaps), some redelivered late.
import { randomIntInclusive, Random } from '../../load/shared/prng';
import { EventStore } from '../../src/ports/eventStore';
import { ConsumedBatch } from '../../src/ports/messageBus';
import { NewEvent, StoredEvent } from '../../src/ports/storedEvent';
import { BatchOutcome } from '../../src/projections/projectionBatch';
import {
  appendAccounts,
  appendTransfers,
  asMessage,
  compensationStarted,
  consumed,
  deposited,
  destinationCredited,
  frozen,
  fundsHeld,
  holdCaptured,
  holdPlaced,
  holdReleased,
  opened,
  requested,
  transferCompleted,
  transferCredited,
  transferFailed,
  unfrozen,
  withdrawn,
} from './fixtures';
import { eventually } from '../support/eventually';

/** One account's running totals while its random history is drawn. */
interface Ledger {
  id: string;
  currency: string;
  balance: number;
  /** Open holds: transfer id → amount. */
  holds: Map<string, number>;
  isFrozen: boolean;
  transfers: number;
}

const held = (ledger: Ledger) => [...ledger.holds.values()].reduce((sum, amount) => sum + amount, 0);

/** The next legal event of an account (the decider's rules hold, evolve's invariants too). */
function nextEvent(random: Random, ledger: Ledger): NewEvent {
  const { id, currency } = ledger;
  const available = ledger.balance - held(ledger);
  const pick = random();
  if (ledger.isFrozen) {
    ledger.isFrozen = false;
    return unfrozen(id);
  }
  if (pick < 0.45 || ledger.balance === 0) {
    const amount = randomIntInclusive(random, 1, 100_000);
    ledger.balance += amount;
    return deposited(id, amount, currency);
  }
  if (pick < 0.65 && available > 0) {
    const amount = randomIntInclusive(random, 1, available);
    ledger.balance -= amount;
    return withdrawn(id, amount, currency);
  }
  if (pick < 0.75 && available > 0) {
    const transferId = `${id}-t${(ledger.transfers += 1)}`;
    const amount = randomIntInclusive(random, 1, available);
    ledger.holds.set(transferId, amount);
    return holdPlaced(id, transferId, amount, 'elsewhere', currency);
  }
  const [open] = ledger.holds;
  if (pick < 0.85 && open) {
    const [transferId, amount] = open;
    ledger.holds.delete(transferId);
    if (random() < 0.5) return holdReleased(id, transferId, amount, 'account_frozen', currency);
    ledger.balance -= amount;
    return holdCaptured(id, transferId, amount, 'elsewhere', currency);
  }
  if (pick < 0.92) {
    const amount = randomIntInclusive(random, 1, 50_000);
    ledger.balance += amount;
    return transferCredited(id, `${id}-in${(ledger.transfers += 1)}`, amount, 'elsewhere', currency);
  }
  ledger.isFrozen = true;
  return frozen(id, `reason ${id}`);
}

/** Random but legal account histories, holds and transfer legs included, `accounts` of them. */
export function randomHistories(random: Random, accounts: number, eventsMax: number): Record<string, NewEvent[]> {
  const histories: Record<string, NewEvent[]> = {};
  for (let index = 0; index < accounts; index += 1) {
    const ledger: Ledger = { id: `acc-${index}`, currency: index % 3 === 0 ? 'USD' : 'EUR', balance: 0, holds: new Map(), isFrozen: false, transfers: 0 };
    const events = [opened(ledger.id, ledger.currency)];
    const length = randomIntInclusive(random, 1, eventsMax);
    while (events.length < length) events.push(nextEvent(random, ledger));
    histories[ledger.id] = events;
  }
  return histories;
}

/** Random transfer streams: completed, refused at the hold, compensated after a refused credit, or still pending. */
export function randomTransfers(random: Random, transfers: number): Record<string, NewEvent[]> {
  const streams: Record<string, NewEvent[]> = {};
  for (let index = 0; index < transfers; index += 1) {
    const id = `tr-${index}`;
    const events = [requested(id, `acc-${index}`, `acc-${index + 1}`, randomIntInclusive(random, 1, 100_000))];
    const pick = random();
    if (pick < 0.4) events.push(fundsHeld(id), destinationCredited(id), transferCompleted(id));
    else if (pick < 0.6) events.push(transferFailed(id, 'insufficient_funds', 'hold'));
    else if (pick < 0.8) events.push(fundsHeld(id), compensationStarted(id, 'account_frozen', 'credit'), transferFailed(id, 'account_frozen', 'credit'));
    else if (pick < 0.9) events.push(fundsHeld(id));
    streams[id] = events;
  }
  return streams;
}

/** Appends histories in chunks the store accepts in one transaction. */
export async function appendHistories(store: EventStore, histories: Record<string, NewEvent[]>): Promise<void> {
  const entries = Object.entries(histories);
  for (let start = 0; start < entries.length; start += 200) {
    await appendAccounts(store, Object.fromEntries(entries.slice(start, start + 200)));
  }
}

export async function appendTransferStreams(store: EventStore, transfers: Record<string, NewEvent[]>): Promise<void> {
  const entries = Object.entries(transfers);
  for (let start = 0; start < entries.length; start += 200) {
    await appendTransfers(store, Object.fromEntries(entries.slice(start, start + 200)));
  }
}

export async function allEvents(store: EventStore): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (;;) {
    const page = await store.readAll(events.at(-1)?.globalPosition ?? '0', 5_000);
    if (page.length === 0) return events;
    events.push(...page);
  }
}

/**
 * Waits until readAll shows `count` events. readAll holds back events while any older transaction
 * of the cluster is open (its safe end), and other sessions share the test server: a feed read
 * straight after an append could otherwise miss its tail.
 */
export async function settledLog(store: EventStore, count: number, timeoutMs = 20_000): Promise<void> {
  await eventually(`readAll showing ${count} events`, async () => (await allEvents(store)).length, { until: (shown) => shown >= count, timeoutMs, intervalMs: 20 });
}

/** One projection's live feed: which streams its topic carries and its read model's batch write. */
export interface LiveFeed {
  owns(streamId: string): boolean;
  apply(batch: ConsumedBatch): Promise<BatchOutcome>;
}

/**
 * Delivers every event of the feed's streams to its read model in batches, with ~5 % lost, ~10 %
 * duplicated and some delivered again much later; finally each stream's last event once more, so
 * a lost tail is repaired too. Returns the offset after the last message.
 */
export async function projectHostilely(store: EventStore, feed: LiveFeed, random: Random, firstOffset = 0): Promise<number> {
  const events = (await allEvents(store)).filter((event) => feed.owns(event.streamId));
  const delivery: StoredEvent[] = [];
  const late: StoredEvent[] = [];
  for (const event of events) {
    const roll = random();
    if (roll < 0.05) continue;
    delivery.push(event);
    if (roll < 0.15) delivery.push(event);
    if (roll > 0.97) late.push(event);
  }
  const lastOfStream = new Map(events.map((event) => [event.streamId, event]));
  delivery.push(...late, ...lastOfStream.values());
  let offset = firstOffset;
  while (delivery.length > 0) {
    const batch = delivery.splice(0, randomIntInclusive(random, 1, 60));
    await feed.apply(consumed(batch.map(asMessage), offset));
    offset += batch.length;
  }
  return offset;
}
