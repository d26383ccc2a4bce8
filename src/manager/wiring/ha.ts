// A manager on etcd, one of several (docs/ha.md). It always serves HTTP; it
// takes part in the election (ha/leadership.ts), and while it leads it runs the
// manager (run/run.ts) on the state it read from etcd at the start of its term,
// writing through the guarded writer (src/store/etcd-writer.ts). While it
// follows, it answers reads from etcd and passes the rest to the leader
// (ha/follower-api.ts, ha/forward.ts). When it stops leading, the manager it ran is
// stopped: waiting commands are answered 503, event streams it served are
// closed (their clients reconnect, and reach the new leader), and nothing it
// decided afterwards can reach etcd or a worker.
import type { Socket } from 'node:net';
import Router from '@koa/router';
import type { Watcher } from 'etcd3';
import type { Context, Next } from 'koa';
import { parseHostPort } from '../../config/host-port.js';
import { SettingsError, type Settings } from '../../config/settings.js';
import { createApp, listen, type Listening } from '../../http/app.js';
import { cubeHeaders } from '../../http/cube-headers.js';
import { createLog } from '../../log.js';
import { tlsClient } from '../../tls/client.js';
import { connectEtcd, etcdKeys, type EtcdConnection } from '../../store/etcd.js';
import { EtcdReads, loadLeaderState } from '../../store/etcd-reads.js';
import { etcdClusterId } from '../../store/etcd-cluster.js';
import { EtcdWriter } from '../../store/etcd-writer.js';
import { workersToStart } from '../../store/node-records.js';
import { addUiRoutes, isUiPath } from '../../http/ui-routes.js';
import { addFollowerRoutes } from '../ha/follower-api.js';
import { workerScheme } from '../views/node-view.js';
import { Leadership } from '../ha/leadership.js';
import { addManagerRoutes, managerRoutesHint } from '../http/api.js';
import { addMembershipRoutes } from '../http/membership-api.js';
import { ManagerMetrics } from '../../metrics/manager.js';
import { addMetricsRoute, apiMetrics } from '../../metrics/registry.js';
import { managerView, type ManagerIdentity, type ManagerView } from '../views/manager-view.js';
import { runManager, type ManagerRun } from '../run/run.js';
import { parseWorkerAddresses, type RunningManager, type StartManagerOptions } from './options.js';
import type { ManagerService } from '../run/service.js';

/** One term of this manager as the leader. */
interface Term {
  id: string;
  run: ManagerRun;
  /** Its routes, and the answers for wrong methods. */
  routes: ReturnType<Router['routes']>;
  allowed: ReturnType<Router['allowedMethods']>;
  writer: EtcdWriter;
  watcher: Watcher | undefined;
  /** Event streams it serves: closed when the term ends, so their clients go to the next leader. */
  streams: Set<Socket>;
}

/** The address other managers and workers reach this one at. */
function advertised(settings: Settings, listening: Listening): string {
  if (settings.advertise) {
    if (!parseHostPort(settings.advertise)) {
      throw new SettingsError(`CUBE_ADVERTISE (--advertise): ${JSON.stringify(settings.advertise)} is not host:port`);
    }
    return settings.advertise;
  }
  if (listening.host === '0.0.0.0' || listening.host === '::') {
    throw new SettingsError(
      `the manager listens on every address (${listening.host}): say which one the others reach it at with --advertise host:port (CUBE_ADVERTISE)`,
    );
  }
  return listening.url.replace(/^https?:\/\//, '');
}

/** The managers that hold a lease now, the leader marked. */
async function listManagers(connection: EtcdConnection, leadership: Leadership): Promise<ManagerView[]> {
  const leader = leadership.leader();
  try {
    const found = await connection.kv.getAll().prefix(etcdKeys.managers).options(connection.deadline()).strings();
    const managers: ManagerIdentity[] = [];
    for (const text of Object.values(found)) {
      try {
        const value = JSON.parse(text) as ManagerIdentity;
        if (typeof value.name === 'string' && typeof value.url === 'string') managers.push(value);
      } catch {
        // not a manager's key
      }
    }
    if (!managers.some((m) => m.name === leadership.me.name)) managers.push(leadership.me);
    return managers.sort((a, b) => a.name.localeCompare(b.name)).map((m) => managerView(m, leader));
  } catch {
    return [managerView(leadership.me, leader)]; // etcd does not answer: this one, at least
  }
}

export async function startHaManager(options: StartManagerOptions, settings: Settings): Promise<RunningManager> {
  const log = options.log ?? createLog('manager');
  if (options.local && options.local.length > 0) {
    throw new SettingsError(
      "with CUBE_STORE=etcd, workers do not run in the manager's process: run `cube manager` and `cube worker --join MANAGER` (cube start keeps to sqlite or memory)",
    );
  }
  const remote = parseWorkerAddresses(options.workers ?? []);
  const connection = connectEtcd(settings);
  const reads = new EtcdReads(connection, settings.etcdPrefix, log);
  const stopWaitMs = settings.stopTimeoutMs + 5000;

  let term: Term | undefined;
  let closing = false;
  /** Told of each term's service (the servers' event log). */
  const serviceListeners: ((service: ManagerService) => void)[] = [];
  const router = new Router();
  const metrics = apiMetrics();
  let listening: Listening;
  try {
    listening = await listen(
      createApp(router, { settings, role: 'manager', log, routesHint: managerRoutesHint, isPublic: isUiPath, measure: metrics.measure }),
      options.host ?? '127.0.0.1',
      options.port ?? 5556,
    );
  } catch (error) {
    connection.close();
    throw error;
  }
  const address = (() => {
    try {
      return advertised(settings, listening);
    } catch (error) {
      void listening.close();
      connection.close();
      throw error;
    }
  })();
  const scheme = listening.url.startsWith('https:') ? 'https' : 'http';
  const me: ManagerIdentity = { name: address, url: `${scheme}://${address}`, startedAt: new Date().toISOString() };
  // With CUBE_TLS_DIR, a follower reaches the leader as a manager reaches a manager: its certificate, the cluster's CA.
  const toLeader = settings.tlsDir ? tlsClient(settings.tlsDir, 'manager', 'manager').fetch : fetch;

  const leadership: Leadership = new Leadership(connection, me, {
    leaseMs: settings.leaderLeaseMs,
    renewMs: settings.leaderRenewMs,
    log,
    elected: (id) => void lead(id),
    deposed: (reason) => endTerm(reason),
  });

  /** Starts a term: reads the state at one revision, then runs the manager on it. */
  async function lead(id: string): Promise<void> {
    try {
      const [state, cluster] = await Promise.all([loadLeaderState(connection, settings.etcdPrefix, id, log), etcdClusterId(connection)]);
      if (leadership.leading() !== id || closing) return;
      const writer = new EtcdWriter({
        connection,
        term: id,
        known: state.known,
        leases: state.leases,
        completed: state.completed,
        log,
        onLost: (reason) => leadership.stepDown(reason),
      });
      const workers = workersToStart(remote, state.nodes);
      const run = runManager({ settings, log, writes: writer, workers, restore: state, storeExpires: true, liveView: `${me.url}/ui`, cluster });
      const termRouter = new Router();
      termRouter.get('/nodes', async (ctx) => {
        ctx.body = [...run.service.nodes(), ...(await listManagers(connection, leadership))];
      });
      addMembershipRoutes(termRouter, run.registry);
      addManagerRoutes(termRouter, run.service, run.services, stopWaitMs, { local: [], token: settings.token, lineMax: settings.logLineMax });
      addUiRoutes(termRouter);
      term = { id, run, routes: termRouter.routes(), allowed: termRouter.allowedMethods(), writer, watcher: undefined, streams: new Set() };
      void watchRegistrations(term);
      for (const listener of serviceListeners) listener(run.service);
      const names = workers.map((w) => w.name).join(', ') || 'none yet (workers join with cube worker --join)';
      log(`manager ${me.name} leads (term ${id}): ${state.tasks.length} task(s) from etcd, ${state.done.size} completed; workers ${names}`);
    } catch (error) {
      leadership.stepDown(`could not start leading: ${(error as Error).message}`);
    }
  }

  /** A joined worker's registration that expired (its lease ran out) is forgotten by the leader. */
  async function watchRegistrations(current: Term): Promise<void> {
    try {
      const watcher = await connection.kv.watch().prefix(etcdKeys.nodes).create();
      if (term !== current) return void watcher.cancel().catch(() => undefined);
      current.watcher = watcher;
      watcher.on('delete', (kv) => {
        const name = kv.key.toString().split(etcdKeys.nodes).pop()!;
        if (term === current && current.run.service.ledger().workers.get(name)?.joined) current.run.registry.forget(name);
      });
      watcher.on('error', () => undefined); // the client reconnects it
    } catch (error) {
      log(`manager ${me.name}: cannot watch the workers' registrations (${(error as Error).message}); expired ones are forgotten by the next leader`);
    }
  }

  function endTerm(reason: string): void {
    const ending = term;
    if (!ending) return;
    term = undefined;
    ending.run.stop(`manager ${me.name} stopped leading (${reason}); send the request again: another manager takes it`);
    ending.writer.close();
    ending.watcher?.cancel().catch(() => undefined);
    for (const socket of ending.streams) socket.destroy();
  }

  const followerRouter = new Router();
  addUiRoutes(followerRouter);
  addFollowerRoutes(followerRouter, {
    reads,
    leader: () => leadership.leader(),
    managers: () => listManagers(connection, leadership),
    forward: () => ({ me: me.name, trouble: leadership.problem(), timeoutMs: stopWaitMs + 10_000, fetch: toLeader }),
    scheme: workerScheme(settings.tlsDir),
  });
  const asFollower = followerRouter.routes();
  const followerMethods = followerRouter.allowedMethods();

  // Every manager answers GET /metrics itself, leading or not: a follower says it follows.
  const managerMetrics = new ManagerMetrics(metrics.registry, () => {
    const leading = leadership.leading();
    return { leading: leading !== undefined, term: leading === undefined ? undefined : Number(leading) };
  });
  serviceListeners.push((service) => {
    managerMetrics.watch(service); // ends with the term's actor, whose events it follows
  });
  addMetricsRoute(router, metrics.registry);

  // Every request: to the manager of this term while this one leads, else as a follower.
  router.all('/{*rest}', async (ctx: Context, next: Next) => {
    const leader = leadership.leader();
    if (leader) ctx.set(cubeHeaders.leader, leader.url);
    const current = term;
    if (!current) return asFollower(ctx as never, () => followerMethods(ctx as never, next));
    await current.routes(ctx as never, () => current.allowed(ctx as never, next));
    if (ctx.response.type === 'text/event-stream') {
      const socket = ctx.req.socket;
      current.streams.add(socket);
      socket.once('close', () => current.streams.delete(socket));
      if (term !== current) socket.destroy();
    }
  });

  leadership.start();
  log(
    `manager ${me.name} serving on ${listening.url}, on etcd ${connection.members.join(',')} (prefix ${settings.etcdPrefix}); leader lease ${settings.leaderLeaseMs} ms`,
  );

  return {
    url: listening.url,
    get service(): ManagerService {
      if (!term) throw new Error(`manager ${me.name} does not lead`);
      return term.run.service;
    },
    local: [],
    inspectUrl: undefined,
    leads: () => term !== undefined,
    onService: (listener) => {
      serviceListeners.push(listener);
      if (term) listener(term.run.service);
    },
    close: async () => {
      closing = true;
      await listening.close();
      endTerm('it is stopping');
      await leadership.stop();
      connection.close();
    },
  };
}
