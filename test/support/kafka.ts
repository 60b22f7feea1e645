// Where the Kafka tests find their broker. They never skip: without KAFKA_BROKERS they fail, so a CI
// run that forgot to start Kafka cannot pass by testing nothing.
const brokerPattern = /^[^\s:,]+:\d{1,5}$/;

export function requireKafkaBrokers(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env.KAFKA_BROKERS?.trim();
  if (!raw) {
    throw new Error(
      'KAFKA_BROKERS is not set: start Kafka with scripts/kafka.sh start and export KAFKA_BROKERS ' +
        '(e.g. export KAFKA_BROKERS=127.0.0.1:19092)',
    );
  }
  const brokers = raw.split(',').map((broker) => broker.trim()).filter((broker) => broker.length > 0);
  const malformed = brokers.filter((broker) => !brokerPattern.test(broker));
  if (brokers.length === 0 || malformed.length > 0) {
    throw new Error(`KAFKA_BROKERS must be a comma-separated list of host:port, got '${raw}'`);
  }
  return brokers;
}
