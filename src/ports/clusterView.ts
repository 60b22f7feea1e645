// What the console shows of the cluster: the nodes alive right now, each with what it drives. It is
// read from the engines that already know (Postgres: lock-backed owners and what they claim; Kafka:
// the consumer groups' members and their partitions), never from a membership protocol of our own.

export interface ClusterNode {
  nodeId: string;
  /** Where the node serves HTTP (as it reported itself), when known. */
  address: string | null;
  startedAt: string;
  /** Live lock-backed owners of the node: node, relay (outbox), transfers. */
  owners: Array<{ kind: string; ownerId: string }>;
  /** Unfinished transfers the node's transfer registry drives now (transfer_owners). */
  transfersDriven: number;
  /** Outbox streams leased to the node's relays now. */
  outboxStreamsClaimed: number;
  /** Projector partitions the node's consumers hold, per consumer group (empty without Kafka). */
  partitions: Record<string, number[]>;
}

export interface NodeOwnership {
  nodeId: string;
  address: string | null;
  startedAt: string;
  owners: Array<{ kind: string; ownerId: string }>;
  transfersDriven: number;
  outboxStreamsClaimed: number;
}
