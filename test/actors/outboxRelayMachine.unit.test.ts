// The outbox relay machine alone, with xstate's pure transition()/initialTransition(): no round runs
// and no timer fires; each delayed transition is sent as its xstate.after event. A full round goes on
// at once, a round with work or a wake-up lingers first, an empty one idles until the poll or a
// wake-up, and a failed round backs off, doubling to its bound, ignoring wake-ups meanwhile.
import { expect } from 'chai';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { outboxRelayMachine } from '../../actors/outboxRelay/outboxRelayMachine';
import { relayLimits } from '../../src/config/limits';

type RelaySnapshot = SnapshotFrom<typeof outboxRelayMachine>;
type RelayEventOf = Parameters<typeof transition<typeof outboxRelayMachine>>[2];

const roundDone = (claimed: number, published = claimed): RelayEventOf =>
  ({ type: 'xstate.done.actor.0.outboxRelay.relaying', output: { claimed, published, failed: 0, publishedEvents: [], acknowledgedIds: [] } }) as unknown as RelayEventOf;
const roundFailed = { type: 'xstate.error.actor.0.outboxRelay.relaying', error: new Error('bus down') } as unknown as RelayEventOf;
const after = (delay: string, state: string): RelayEventOf => ({ type: `xstate.after.${delay}.outboxRelay.${state}` }) as unknown as RelayEventOf;

function step(snapshot: RelaySnapshot, ...events: RelayEventOf[]): RelaySnapshot {
  return events.reduce((current, event) => transition(outboxRelayMachine, current, event)[0], snapshot);
}

const start = (): RelaySnapshot => initialTransition(outboxRelayMachine)[0];

describe('outbox relay machine (pure transitions)', () => {
  it('starts with a round and counts what each round published', () => {
    expect(start().value).to.equal('relaying');
    const idle = step(start(), roundDone(0));
    expect([idle.value, idle.context.rounds, idle.context.published]).to.deep.equal(['idle', 1, 0]);
    const lingering = step(start(), roundDone(3, 5));
    expect([lingering.value, lingering.context.published, lingering.context.lastClaimed]).to.deep.equal(['lingering', 5, 3]);
  });

  it(`goes on at once after a full round (${relayLimits.eventsPerRoundMax} events), lingers after a partial one`, () => {
    expect(step(start(), roundDone(relayLimits.eventsPerRoundMax)).value).to.equal('relaying');
    const lingering = step(start(), roundDone(relayLimits.eventsPerRoundMax - 1));
    expect(lingering.value).to.equal('lingering');
    expect(step(lingering, after('linger', 'lingering')).value).to.equal('relaying');
  });

  it('a wake-up during an empty round lingers instead of idling; a wake-up while idle lingers; the poll relays', () => {
    const woken = step(start(), { type: 'WAKE' });
    expect(woken.context.woken).to.equal(true);
    expect(step(woken, roundDone(0)).value).to.equal('lingering');
    const idle = step(start(), roundDone(0));
    expect(step(idle, { type: 'WAKE' }).value).to.equal('lingering');
    expect(step(idle, after('poll', 'idle')).value).to.equal('relaying');
  });

  it('backs off after a failed round, doubling up to its bound, ignoring wake-ups, and resets on success', () => {
    const failed = step(start(), roundFailed);
    expect([failed.value, failed.context.failures, failed.context.backoffMs]).to.deep.equal(['backingOff', 1, relayLimits.backoffMinMs]);
    expect(step(failed, { type: 'WAKE' }).value, 'a wake-up does not cut the backoff short').to.equal('backingOff');
    let current = failed;
    const waits: number[] = [];
    for (let failure = 0; failure < 8; failure += 1) {
      current = step(current, after('backoff', 'backingOff'));
      waits.push(current.context.backoffMs);
      current = step(current, roundFailed);
    }
    expect(waits).to.deep.equal(waits.map((_, index) => Math.min(relayLimits.backoffMinMs * 2 ** (index + 1), relayLimits.backoffMaxMs)));
    const recovered = step(current, after('backoff', 'backingOff'), roundDone(1));
    expect([recovered.value, recovered.context.backoffMs]).to.deep.equal(['lingering', relayLimits.backoffMinMs]);
  });

  it('stops from any state and stays stopped', () => {
    for (const snapshot of [start(), step(start(), roundDone(0)), step(start(), roundFailed)]) {
      const stopped = step(snapshot, { type: 'STOP' });
      expect([stopped.value, stopped.status]).to.deep.equal(['stopped', 'done']);
    }
  });
});
