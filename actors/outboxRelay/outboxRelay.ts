// Runs the outbox relay actor: provides its round (claim → publish → delete) and exposes wake(),
// stats() and stop() to the composition root.
import { randomUUID } from 'node:crypto';
import { createActor, fromPromise } from 'xstate';
import { RelayRound, relayOutbox } from '../../src/app/relayOutbox';
import { Logger } from '../../src/infra/logger';
import { MessageBus } from '../../src/ports/messageBus';
import { Outbox } from '../../src/ports/outbox';
import { outboxRelayMachine, relayLimits } from './outboxRelayMachine';

export interface OutboxRelay {
  wake(): void;
  stats(): { state: string; rounds: number; failures: number; published: number; owner: string };
  stop(): Promise<void>;
}

export function startOutboxRelay(options: { outbox: Outbox; bus: MessageBus; logger: Logger; leaseMs?: number }): OutboxRelay {
  const owner = `relay-${randomUUID()}`;
  const machine = outboxRelayMachine.provide({
    actors: {
      relayRound: fromPromise<RelayRound>(async () => {
        try {
          return await relayOutbox(options.outbox, options.bus, {
            owner,
            streamsMax: relayLimits.streamsPerRoundMax,
            leaseMs: options.leaseMs ?? relayLimits.leaseMs,
          });
        } catch (error) {
          options.logger.warn({ err: error }, 'outbox relay round failed; backing off');
          throw error;
        }
      }),
    },
  });
  const actor = createActor(machine);
  actor.start();
  return {
    wake: () => actor.send({ type: 'WAKE' }),
    stats: () => {
      const snapshot = actor.getSnapshot();
      const { rounds, failures, published } = snapshot.context;
      return { state: String(snapshot.value), rounds, failures, published, owner };
    },
    stop: async () => {
      // Let a round in flight finish (bounded) so its rows are deleted or released, not left leased.
      const deadline = Date.now() + relayLimits.backoffMaxMs;
      while (actor.getSnapshot().matches('relaying') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      actor.send({ type: 'STOP' });
      actor.stop();
    },
  };
}
