// The read pipeline on the calling thread: projectors subscribe first (the in-process bus
// acknowledges a publish only once every subscribed group has handled it), then the outbox relay
// starts publishing. The worker pipeline runs exactly this inside its own thread.
import { OutboxRelay, startOutboxRelay } from '../../../actors/outboxRelay/outboxRelay';
import { Logger } from '../../infra/logger';
import { MessageBus } from '../../ports/messageBus';
import { Outbox } from '../../ports/outbox';
import { ProjectorTargets, Projectors, startProjectors } from '../startProjectors';
import { ReadPipeline, ReadPipelineEvents } from './readPipeline';

export interface InlinePipelineOptions {
  outbox: Outbox;
  bus: MessageBus;
  targets: ProjectorTargets;
  events: ReadPipelineEvents;
  logger: Logger;
  thread: 'main' | 'worker';
}

export interface InlinePipeline extends ReadPipeline {
  readonly projectors: Projectors;
  readonly relay: OutboxRelay;
}

export async function startInlinePipeline(options: InlinePipelineOptions): Promise<InlinePipeline> {
  const { bus, logger } = options;
  const projectors = await startProjectors(options.targets, bus, logger, options.events);
  const relay = startOutboxRelay({ outbox: options.outbox, bus, logger: logger.child({ component: 'outbox-relay' }) });
  let stopping: Promise<void> | null = null;
  return {
    projectors,
    relay,
    wake: () => relay.wake(),
    stats: () => ({ thread: options.thread, running: stopping === null, projectors: projectors.all().map((entry) => entry.stats()), relay: relay.stats() }),
    gaugeStats: () => projectors.gaugeStats(),
    restartProjector: (name) => projectors.restart(name),
    busHealthy: () => bus.healthy(),
    stop: () => {
      stopping ??= (async () => {
        await relay.stop();
        await projectors.stop();
        await bus.close();
      })();
      return stopping;
    },
  };
}
