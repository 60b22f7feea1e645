// The projector actor's life cycle with xstate's pure transition(): no bus, no timers.
import { expect } from 'chai';
import { initialTransition, transition } from 'xstate';
import { projectorMachine } from '../../actors/projector/projectorMachine';
import { Subscription } from '../../src/ports/messageBus';

const subscription: Subscription = { assignments: () => [], stop: async () => {} };
const subscribed = { type: 'xstate.done.actor.subscribe', output: subscription } as never;
const subscribeFailed = { type: 'xstate.error.actor.subscribe', error: new Error('broker down') } as never;
const unsubscribed = { type: 'xstate.done.actor.unsubscribe', output: undefined } as never;

function run(...events: unknown[]) {
  let [snapshot] = initialTransition(projectorMachine);
  for (const event of events) [snapshot] = transition(projectorMachine, snapshot, event as never);
  return snapshot;
}

describe('projector machine (pure transitions)', () => {
  it('starts by joining the group, then runs', () => {
    expect(run().value).to.equal('starting');
    const running = run(subscribed);
    expect(running.value).to.equal('running');
    expect(running.context.subscription).to.equal(subscription);
  });

  it('a STOP while joining waits for the join, then leaves the group it joined', () => {
    const stopping = run({ type: 'STOP' }, subscribed);
    expect(stopping.value).to.equal('stopping');
    expect(stopping.context.subscription).to.equal(subscription);
    expect(run({ type: 'STOP' }, subscribed, unsubscribed).status).to.equal('done');
  });

  it('backs off after a failed join and counts it; STOP then ends it at once', () => {
    const backingOff = run(subscribeFailed);
    expect(backingOff.value).to.equal('backingOff');
    expect(backingOff.context.subscribeFailures).to.equal(1);
    expect(run(subscribeFailed, { type: 'STOP' }).status).to.equal('done');
  });

  it('RESTART leaves the group and joins again, counting the restart', () => {
    const restarting = run(subscribed, { type: 'RESTART' });
    expect(restarting.value).to.equal('restarting');
    const rejoining = run(subscribed, { type: 'RESTART' }, unsubscribed);
    expect(rejoining.value).to.equal('starting');
    expect(rejoining.context).to.include({ restarts: 1, subscription: null });
  });

  it('counts applied batches and keeps each partition’s progress, in every state', () => {
    const progress = { topic: 'acta.account', partition: 2, nextOffset: '40', highWatermark: '45' };
    const outcome = { applied: 7, skipped: 2, gapsRepaired: 1, deadLettered: 1 };
    const snapshot = run(subscribed, { type: 'BATCH_APPLIED', progress, outcome }, { type: 'BATCH_FAILED' }, { type: 'RESTART' }, {
      type: 'BATCH_APPLIED',
      progress: { ...progress, nextOffset: '45' },
      outcome,
    });
    expect(snapshot.context).to.deep.include({ batches: 2, applied: 14, skipped: 4, gapsRepaired: 2, deadLettered: 2, batchFailures: 1 });
    expect(snapshot.context.partitions['acta.account/2']).to.deep.equal({ ...progress, nextOffset: '45' });
  });
});
