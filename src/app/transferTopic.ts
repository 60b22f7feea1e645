// The Kafka topic (aggregate kind) transfer events are published to.
export const transferTopic = 'acta.transfer';
