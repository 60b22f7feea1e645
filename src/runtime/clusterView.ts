// The console's cluster view: which nodes are alive and what each holds, read from Postgres (live
// lock-backed owners, transfers driven, outbox streams claimed) and, with Kafka, from the broker's
// view of the projector consumer groups (members by client id, their partitions).
import type { PgPool as Pool } from '../infra/postgres/connection/pool';
import { kafkaClientId } from '../config/config';
import { nodeOwnership } from '../infra/postgres/presence/clusterView';
import { ClusterNode } from '../ports/clusterView';
import { MessageBus } from '../ports/messageBus';
import { accountProjectorGroup, transferProjectorGroup } from './startProjectors';
import { accountTopic } from '../app/runAccountTurn';
import { transferTopic } from '../app/transfers/loadTransfer';

export interface ClusterViewDeps {
  pool: Pool;
  /** A bus used for its admin view only (null without Kafka). */
  bus: MessageBus | null;
  /** The Kafka client id prefix every node uses (KAFKA_CLIENT_ID). */
  kafkaClientPrefix: string | null;
}

export async function clusterView(deps: ClusterViewDeps): Promise<{ nodes: ClusterNode[] }> {
  const [owned, groups] = await Promise.all([
    nodeOwnership(deps.pool),
    deps.bus?.consumerGroups
      ? deps.bus.consumerGroups([
          { groupId: accountProjectorGroup, topic: accountTopic },
          { groupId: transferProjectorGroup, topic: transferTopic },
        ])
      : Promise.resolve([]),
  ]);
  const nodes = owned.map((node) => {
    const clientId = deps.kafkaClientPrefix === null ? null : kafkaClientId(deps.kafkaClientPrefix, node.nodeId);
    const partitions: Record<string, number[]> = {};
    for (const group of groups) {
      partitions[group.groupId] = group.members.filter((member) => member.clientId === clientId).flatMap((member) => member.partitions);
    }
    return { ...node, partitions };
  });
  return { nodes };
}
