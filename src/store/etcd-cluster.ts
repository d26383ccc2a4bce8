// The identity of a cluster of managers on etcd: the key `cluster` under the
// prefix, made by the first manager to lead, read by every leader after it.
// Workers take it as theirs (src/store/cluster-id.ts), so it must outlive any
// one manager and be the same whichever leads.
import { CLUSTER_ID, newClusterId } from './cluster-id.js';
import { etcdKeys, etcdProblem, type EtcdConnection } from './etcd.js';

export async function etcdClusterId(connection: EtcdConnection): Promise<string> {
  const { kv } = connection;
  const made = newClusterId();
  let text: string;
  try {
    // Made only if nobody made it before: two first leaders cannot make two.
    const result = await kv
      .if(etcdKeys.cluster, 'Version', '==', 0)
      .then(kv.put(etcdKeys.cluster).value(made))
      .else(kv.get(etcdKeys.cluster))
      .options(connection.deadline())
      .commit();
    text = result.succeeded ? made : (result.responses[0]?.response_range.kvs[0]?.value.toString() ?? '');
  } catch (error) {
    throw new Error(`cannot read the cluster's identity: ${etcdProblem(error, connection)}`);
  }
  if (!CLUSTER_ID.test(text))
    throw new Error(`etcd key ${etcdKeys.cluster} holds ${JSON.stringify(text.slice(0, 60))}, not a cluster id (12 lowercase letters or digits); restore it`);
  return text;
}
