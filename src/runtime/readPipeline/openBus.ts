// The message bus of a configuration: Kafka when brokers are configured, else the in-process bus.
// Both the HTTP thread (pipeline on main) and the pipeline's worker thread open theirs here.
import { createKafkaBus } from '../../infra/kafka/kafkaBus';
import { Logger } from '../../infra/logger';
import { MemoryBus } from '../../infra/memory/memoryBus';
import { MessageBus } from '../../ports/messageBus';

export function openBus(kafka: { brokers: string[]; clientId: string } | null, logger: Logger): MessageBus {
  return kafka ? createKafkaBus({ brokers: kafka.brokers, clientId: kafka.clientId, logger: logger.child({ component: 'kafka' }) }) : new MemoryBus();
}
