// Every header Cube adds to its answers and requests, in one place: routes
// set them by these names, clients read them by these names, and a follower
// passing the leader's answer back (src/manager/forward.ts) passes every one,
// so an answer through any manager is the answer of the leader.
// (test/unit/cube-headers.test.ts finds any other Cube-* name in src/.)
export const cubeHeaders = {
  /** GET /tasks?limit=N: the token of the next page; absent on the last page. */
  continue: 'Cube-Continue',
  /** GET /tasks: the newest change the list shows. Every answer has it: one without it lost Cube's headers on its way. */
  version: 'Cube-Version',
  /** GET /tasks: how many finished tasks retention pruned so far. */
  pruned: 'Cube-Pruned',
  /** POST /nodes: how long a join lasts without a renewal (ms). */
  joinTtl: 'Cube-Join-Ttl',
  /** Every answer of a manager on etcd: the leader it knows of. */
  leader: 'Cube-Leader',
  /** A request a follower passed on: the follower's name (one hop only). */
  forwardedBy: 'Cube-Forwarded-By',
  /** A manager's calls to a worker, and its answer to a join: the cluster's identity, which the worker takes (src/store/cluster-id.ts). */
  cluster: 'Cube-Cluster',
  /** Every answer of Cube's APIs: `manager` or `worker`, so a client that reached the wrong one can say so. */
  role: 'Cube-Role',
  /** A 503 after which nothing was done (no leader, a leader that refused the connection): the same request may be sent again as it is, and the `cube` command does. */
  retrySafe: 'Cube-Retry-Safe',
} as const;

/** Every Cube header, as a list. */
export const allCubeHeaders: readonly string[] = Object.values(cubeHeaders);
