// Drives a read model the way the live projector does, but with a seeded, hostile delivery: the
// log cut into batches, some messages duplicated, some lost (gaps), some redelivered late.
import { randomIntInclusive, Random } from '../../load/prng';
import { EventStore } from '../../src/ports/eventStore';
import { NewEvent, StoredEvent } from '../../src/ports/storedEvent';
import { AccountProjectionWriter } from '../../src/projections/accountBatch';
import { toAccountBatch } from '../../actors/projector/accountProjector';
import { appendAccounts, asMessage, consumed, deposited, frozen, opened, unfrozen, withdrawn } from './fixtures';

/** Random but legal account histories (the decider's rules hold), `accounts` of them. */
export function randomHistories(random: Random, accounts: number, eventsMax: number): Record<string, NewEvent[]> {
  const histories: Record<string, NewEvent[]> = {};
  for (let index = 0; index < accounts; index += 1) {
    const id = `acc-${index}`;
    const events = [opened(id, index % 3 === 0 ? 'USD' : 'EUR')];
    const currency = index % 3 === 0 ? 'USD' : 'EUR';
    let balance = 0;
    let isFrozen = false;
    const length = randomIntInclusive(random, 1, eventsMax);
    while (events.length < length) {
      const pick = random();
      if (isFrozen) {
        events.push(unfrozen(id));
        isFrozen = false;
      } else if (pick < 0.55 || balance === 0) {
        const amount = randomIntInclusive(random, 1, 100_000);
        events.push(deposited(id, amount, currency));
        balance += amount;
      } else if (pick < 0.9) {
        const amount = randomIntInclusive(random, 1, balance);
        events.push(withdrawn(id, amount, currency));
        balance -= amount;
      } else {
        events.push(frozen(id, `reason ${index}`));
        isFrozen = true;
      }
    }
    histories[id] = events;
  }
  return histories;
}

/** Appends histories in chunks the store accepts in one transaction. */
export async function appendHistories(store: EventStore, histories: Record<string, NewEvent[]>): Promise<void> {
  const entries = Object.entries(histories);
  for (let start = 0; start < entries.length; start += 200) {
    await appendAccounts(store, Object.fromEntries(entries.slice(start, start + 200)));
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
 * Delivers every account event of the log to the read model in batches, with ~5 % lost, ~10 %
 * duplicated and some delivered again much later; finally each stream's last event once more, so
 * a lost tail is repaired too. Returns the offset after the last message.
 */
export async function projectHostilely(store: EventStore, writer: AccountProjectionWriter, random: Random, firstOffset = 0): Promise<number> {
  const events = (await allEvents(store)).filter((event) => event.streamId.startsWith('account-'));
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
    await writer.applyAccountBatch(toAccountBatch(consumed(batch.map(asMessage), offset)));
    offset += batch.length;
  }
  return offset;
}
