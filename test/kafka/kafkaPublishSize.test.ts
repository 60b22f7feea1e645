// Publishing what an outbox holds after an outage: more than the broker takes in one record batch.
// The adapter splits a publish into requests of at most kafkaLimits.produceRequestBytesMax, in order;
// against the real broker (message.max.bytes 1 MiB) a 3 MiB publish of one key arrives whole and in
// order, where one request would be refused with MESSAGE_TOO_LARGE every time.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { byRequestSize, createKafkaBus } from '../../src/infra/kafka/kafkaBus';
import { kafkaLimits } from '../../src/config/limits';
import type { BusMessage, MessageBus, Subscription } from '../../src/ports/messageBus';
import { requireKafkaBrokers } from '../support/kafka';
import { eventually } from '../support/eventually';

const message = (seq: number, bytes: number): BusMessage => ({ key: 'stream-1', value: JSON.stringify({ seq, pad: 'x'.repeat(bytes) }) });

describe('Kafka publish size', function () {
  this.timeout(120_000);

  it('splits messages into consecutive runs of at most the byte bound, a larger message alone', () => {
    const messages = [message(1, 100), message(2, 100), message(3, 1_000), message(4, 100)];
    const chunks = byRequestSize(messages, 400);
    expect(chunks.map((chunk) => chunk.map((m) => (JSON.parse(m.value) as { seq: number }).seq))).to.deep.equal([[1, 2], [3], [4]]);
    expect(byRequestSize([], 400)).to.deep.equal([]);
  });

  describe('against the real broker', () => {
    const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    let bus: MessageBus;
    let subscription: Subscription | null = null;
    before(() => {
      bus = createKafkaBus({ brokers: requireKafkaBrokers(), clientId: `acta-test-${runId}` });
    });
    after(async () => {
      await subscription?.stop();
      await bus.close();
    });

    it('publishes 3 MiB for one key in one call, every message once and in order', async () => {
      const topic = `acta-test-${runId}-big`;
      const total = 3_000;
      const messages = Array.from({ length: total }, (_, i) => message(i + 1, 1_000));
      expect(byRequestSize(messages, kafkaLimits.produceRequestBytesMax).length, 'more than one request').to.be.greaterThan(4);
      await bus.publish(topic, messages);
      const seen: number[] = [];
      subscription = await bus.subscribe(`acta-test-${runId}-group`, [topic], async (batch) => {
        for (const m of batch.messages) seen.push((JSON.parse(m.value) as { seq: number }).seq);
      });
      await eventually('every message consumed', () => seen.length, { until: (count) => count >= total, timeoutMs: 60_000, intervalMs: 50 });
      expect(seen).to.deep.equal(messages.map((_, i) => i + 1));
    });
  });
});
