// The Kafka adapter of the message bus against a real broker (bash scripts/kafka.sh start, then export
// KAFKA_BROKERS). Without KAFKA_BROKERS this suite fails; it never skips. Every run uses fresh topic and
// group names, so runs against the same broker do not see each other's messages or offsets.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Kafka, type Consumer } from 'kafkajs';
import sinon from 'sinon';
import { createKafkaBus } from '../../src/infra/kafka/kafkaBus';
import { kafkaLimits } from '../../src/config/limits';
import type { BusMessage, ConsumedBatch, MessageBus, Subscription } from '../../src/ports/messageBus';
import { eventually } from '../support/eventually';
import { requireKafkaBrokers } from '../support/kafka';

const waitTimeoutMs = 30_000;

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, index) => from + index);
}

function event(key: string, seq: number): BusMessage {
  return { key, value: JSON.stringify({ key, seq }), headers: { seq: String(seq) } };
}

function seqsOf(batches: readonly ConsumedBatch[], key?: string): number[] {
  return batches
    .flatMap((batch) => batch.messages)
    .filter((message) => key === undefined || message.key === key)
    .map((message) => (JSON.parse(message.value) as { seq: number }).seq);
}

describe('Kafka message bus (real broker)', function () {
  this.timeout(120_000);
  const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const name = (what: string): string => `acta-test-${runId}-${what}`;
  let bus: MessageBus | undefined;
  const subscriptions: Subscription[] = [];

  function openBus(): MessageBus {
    bus ??= createKafkaBus({ brokers: requireKafkaBrokers(), clientId: `acta-test-${runId}` });
    return bus;
  }

  async function subscribe(groupId: string, topic: string, handle: (batch: ConsumedBatch) => Promise<void>): Promise<Subscription> {
    const subscription = await openBus().subscribe(groupId, [topic], handle);
    subscriptions.push(subscription);
    return subscription;
  }

  before(() => {
    openBus();
  });

  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((subscription) => subscription.stop()));
  });

  after(async () => {
    await bus?.close();
  });

  it('is healthy while the broker answers', async () => {
    expect(await openBus().healthy()).to.equal(true);
  });

  it('delivers each key in publish order from a single partition, across several keys', async () => {
    const topic = name('order');
    const keys = range(0, 8).map((index) => `account-${index}`);
    const perKey = 25;
    const messages = range(0, perKey).flatMap((seq) => keys.map((key) => event(key, seq)));
    // Two publishes, so order must also hold across sends.
    await openBus().publish(topic, messages.slice(0, messages.length / 2));
    await openBus().publish(topic, messages.slice(messages.length / 2));

    const deliveries: ConsumedBatch[] = [];
    await subscribe(name('order-group'), topic, async (batch) => {
      deliveries.push(batch);
    });
    await eventually('every message is consumed', () => seqsOf(deliveries).length >= messages.length, { timeoutMs: waitTimeoutMs });

    expect(seqsOf(deliveries)).to.have.length(messages.length);
    for (const key of keys) {
      expect(seqsOf(deliveries, key), key).to.deep.equal(range(0, perKey));
      const partitions = new Set(deliveries.filter((batch) => batch.messages.some((m) => m.key === key)).map((b) => b.partition));
      expect(partitions.size, `partitions holding ${key}`).to.equal(1);
    }
    expect(new Set(deliveries.map((batch) => batch.partition)).size, 'keys spread over partitions').to.be.greaterThan(1);
    for (const batch of deliveries) {
      expect(batch.topic).to.equal(topic);
      const offsets = batch.messages.map((message) => BigInt(message.offset));
      expect(offsets, 'offsets increase').to.deep.equal([...offsets].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
      expect(new Set(offsets).size, 'offsets are distinct').to.equal(offsets.length);
      expect(BigInt(batch.highWatermark) > offsets[offsets.length - 1]).to.equal(true);
      for (const message of batch.messages) {
        const { key, seq } = JSON.parse(message.value) as { key: string; seq: number };
        expect(message.key).to.equal(key);
        expect(message.headers).to.deep.equal({ seq: String(seq) });
      }
    }
  });

  it('delivers a rejected batch again, and a later member resumes after the last committed offset', async () => {
    const topic = name('redelivery');
    const groupId = name('redelivery-group');
    const key = 'account-redelivery';
    await openBus().publish(topic, range(0, 10).map((seq) => event(key, seq)));

    const deliveries: ConsumedBatch[] = [];
    let failuresLeft = 1;
    const first = await subscribe(groupId, topic, async (batch) => {
      deliveries.push(batch);
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        throw new Error('the handler fails once');
      }
    });
    await eventually('the failed batch is delivered again', () => seqsOf(deliveries.slice(1)).length >= 10, { timeoutMs: waitTimeoutMs });

    const [failed, retried] = deliveries;
    expect(failed.messages[0].offset).to.equal('0');
    expect(retried.partition).to.equal(failed.partition);
    expect(retried.messages.slice(0, failed.messages.length)).to.deep.equal(failed.messages);
    expect(seqsOf(deliveries.slice(1))).to.deep.equal(range(0, 10));

    await first.stop();
    await openBus().publish(topic, range(10, 15).map((seq) => event(key, seq)));
    const resumed: ConsumedBatch[] = [];
    await subscribe(groupId, topic, async (batch) => {
      resumed.push(batch);
    });
    await eventually('the new messages are consumed', () => seqsOf(resumed).length >= 5, { timeoutMs: waitTimeoutMs });
    // Anything acknowledged before would come first, so the first offset proves there are no duplicates.
    expect(resumed[0].messages[0].offset).to.equal('10');
    expect(seqsOf(resumed)).to.deep.equal(range(10, 15));
  });

  it('commits nothing while the handler keeps failing', async () => {
    const topic = name('no-commit');
    const groupId = name('no-commit-group');
    const key = 'account-no-commit';
    await openBus().publish(topic, range(0, 5).map((seq) => event(key, seq)));

    let attempts = 0;
    const failing = await subscribe(groupId, topic, async () => {
      attempts += 1;
      throw new Error('the handler always fails');
    });
    await eventually('the failing batch has been delivered twice', () => attempts >= 2, { timeoutMs: waitTimeoutMs });
    await failing.stop();

    const later: ConsumedBatch[] = [];
    await subscribe(groupId, topic, async (batch) => {
      later.push(batch);
    });
    await eventually('the uncommitted messages are consumed again', () => seqsOf(later).length >= 5, { timeoutMs: waitTimeoutMs });
    expect(later[0].messages[0].offset).to.equal('0');
    expect(seqsOf(later)).to.deep.equal(range(0, 5));
  });

  it('keeps redelivering past the retry bound (the consumer restarts), even for a handler TypeError', async () => {
    const topic = name('restart');
    const key = 'account-restart';
    await openBus().publish(topic, range(0, 3).map((seq) => event(key, seq)));

    const failures = kafkaLimits.retriesMax + 2;
    const deliveries: ConsumedBatch[] = [];
    await subscribe(name('restart-group'), topic, async (batch) => {
      deliveries.push(batch);
      if (deliveries.length <= failures) (null as unknown as { bug(): void }).bug();
    });
    // retriesMax backoffs (300 ms doubling, jitter) plus one restart delay of at most retryBackoffMaxMs.
    await eventually('the batch succeeds after the consumer restarted', () => deliveries.length > failures, { timeoutMs: 60_000 });

    expect(deliveries.map((batch) => batch.messages[0].offset)).to.deep.equal(deliveries.map(() => '0'));
    expect(seqsOf(deliveries.slice(failures))).to.deep.equal(range(0, 3));
  });

  it('reports the partitions assigned to each member of a group', async () => {
    const topic = name('assignments');
    const groupId = name('assignments-group');
    const all = range(0, kafkaLimits.topicPartitionsDefault).map((partition) => ({ topic, partition }));
    const ignore = async (): Promise<void> => {};

    const a = await subscribe(groupId, topic, ignore);
    expect(a.assignments()).to.deep.equal(all);

    const b = await subscribe(groupId, topic, ignore);
    await eventually(
      'the two members share the partitions',
      () => a.assignments().length > 0 && b.assignments().length > 0 && a.assignments().length + b.assignments().length === all.length,
      { timeoutMs: waitTimeoutMs },
    );
    const shared = [...a.assignments(), ...b.assignments()].sort((x, y) => x.partition - y.partition);
    expect(shared).to.deep.equal(all);

    await b.stop();
    expect(b.assignments()).to.deep.equal([]);
    await eventually('the remaining member takes every partition back', () => a.assignments().length === all.length, { timeoutMs: waitTimeoutMs });
    expect(a.assignments()).to.deep.equal(all);
  });

  it('starts a new group member when kafkajs reports a crash it will not restart, and goes on consuming', async () => {
    // kafkajs gives up on some crashes (KafkaJSGroupCoordinatorNotFound while a restarted broker loads
    // its coordinator, for one): CRASH with restart false, and that consumer stays stopped. The broker is
    // real; only that CRASH is played to the adapter's listener, on the consumer kafkajs created.
    const crashListeners: Array<(event: { payload: { error: Error; groupId: string; restart: boolean } }) => void> = [];
    const created: Consumer[] = [];
    const createConsumer = Kafka.prototype.consumer;
    const stub = sinon.stub(Kafka.prototype, 'consumer').callsFake(function (this: Kafka, ...args: Parameters<Kafka['consumer']>) {
      const consumer = createConsumer.apply(this, args);
      created.push(consumer);
      const on = consumer.on.bind(consumer);
      sinon.stub(consumer, 'on').callsFake(((eventName: string, listener: (event: unknown) => void) => {
        if (eventName === consumer.events.CRASH) crashListeners.push(listener as (typeof crashListeners)[number]);
        return on(eventName as typeof consumer.events.CRASH, listener);
      }) as Consumer['on']);
      return consumer;
    });
    try {
      const topic = name('given-up');
      const groupId = name('given-up-group');
      const deliveries: ConsumedBatch[] = [];
      const subscription = await subscribe(groupId, topic, async (batch) => {
        deliveries.push(batch);
      });
      await openBus().publish(topic, [event('account-1', 1)]);
      await eventually('the first message is consumed', () => seqsOf(deliveries).includes(1), { timeoutMs: waitTimeoutMs });
      expect(created).to.have.length(1);
      expect(crashListeners).to.have.length(1);

      const error = Object.assign(new Error('Failed to find group coordinator'), { name: 'KafkaJSGroupCoordinatorNotFound' });
      crashListeners[0]!({ payload: { error, groupId, restart: false } });
      expect(subscription.assignments(), 'nothing is assigned to a member that gave up').to.deep.equal([]);

      await eventually('a new member joined and holds every partition', () => created.length === 2 && subscription.assignments().length === kafkaLimits.topicPartitionsDefault, {
        timeoutMs: waitTimeoutMs,
      });
      await openBus().publish(topic, [event('account-1', 2)]);
      await eventually('the new member consumes what is published after the crash', () => seqsOf(deliveries).includes(2), { timeoutMs: waitTimeoutMs });
      expect(seqsOf(deliveries, 'account-1').filter((seq) => seq === 2)).to.have.length(1);
    } finally {
      stub.restore();
    }
  });

  it('reports unhealthy within its bound when no broker answers, and closes', async () => {
    const unreachable = createKafkaBus({ brokers: ['127.0.0.1:1'], clientId: `acta-test-${runId}-unreachable` });
    const startedAt = Date.now();
    expect(await unreachable.healthy()).to.equal(false);
    expect(Date.now() - startedAt).to.be.below(kafkaLimits.healthCheckTimeoutMs + 1_000);
    await unreachable.close();
    expect(await unreachable.healthy()).to.equal(false);
  });
});
