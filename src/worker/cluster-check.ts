// A manager names its cluster on every call to a worker (Cube-Cluster): the
// worker takes the first manager's identity as its own, and answers a manager
// of another cluster 409, naming both (src/store/cluster-id.ts). Calls without
// it (a person, the book's manager) are served as always.
import type { Middleware } from 'koa';
import { cubeHeaders } from '../http/cube-headers.js';
import { HttpError } from '../http/errors.js';
import type { Log } from '../log.js';
import { CLUSTER_ID, type ClusterIdentity } from '../store/cluster-id.js';

export function clusterCheck(cluster: ClusterIdentity, worker: string, log: Log): Middleware {
  /** The cluster last refused: said once in the log, not at every call. */
  let refused = '';
  return async (ctx, next) => {
    const id = ctx.get(cubeHeaders.cluster);
    if (id !== '') {
      if (!CLUSTER_ID.test(id))
        throw new HttpError(400, `${cubeHeaders.cluster}: ${JSON.stringify(id.slice(0, 40))} is not a cluster id (12 lowercase letters or digits)`);
      const joining = cluster.join(id);
      if ('refused' in joining) {
        if (refused !== id) log(`worker ${worker}: ${joining.refused}`);
        refused = id;
        throw new HttpError(409, joining.refused);
      }
      if (joining.joined === 'now')
        log(`worker ${worker} is of Cube cluster ${id} from now on${joining.own ? ` (the containers it started as ${joining.own} stay its own)` : ''}`);
    }
    await next();
  };
}
