// What a manager that does not lead answers itself (docs/ha.md): the task
// records (the whole list; a page goes to the leader) and the log, read from
// etcd, and the live view's page; everything
// else (commands, the event stream, the workers' live state, joins) goes to
// the leader (forward.ts). When no manager leads, GET /nodes still lists the
// managers and the workers etcd knows, in state `unknown`.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { newWorkerEntry } from '../../../machines/manager/ledger.js';
import { cubeHeaders } from '../../http/cube-headers.js';
import { HttpError } from '../../http/errors.js';
import type { EtcdReads } from '../../store/etcd-reads.js';
import { emptyHeld, holdTask } from '../../scheduler/index.js';
import { forwardToLeader, type ForwardOptions } from './forward.js';
import type { LeaderInfo, ManagerView } from '../views/manager-view.js';
import { nodeView, type Scheme } from '../views/node-view.js';

export interface FollowerOptions {
  reads: EtcdReads;
  leader(): LeaderInfo | undefined;
  managers(): Promise<ManagerView[]>;
  forward(): ForwardOptions;
  /** How managers call workers. */
  scheme: Scheme;
}

/** A read from etcd that fails is answered 503 with etcd's trouble. */
async function fromEtcd<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new HttpError(503, `this manager does not lead and cannot read etcd: ${(error as Error).message}; ask again in a moment`);
  }
}

export function addFollowerRoutes(router: Router, options: FollowerOptions): void {
  const forward = (ctx: Context) => forwardToLeader(ctx, options.leader(), options.forward());

  router.get('/tasks', async (ctx) => {
    // A page or a filtered listing (?limit, ?continue, ?state, ?worker) is the leader's: its tokens name positions in its ledger.
    if (['limit', 'continue', 'state', 'worker', 'service'].some((p) => ctx.query[p] !== undefined)) return forward(ctx);
    const [tasks, pruned] = await fromEtcd(() => Promise.all([options.reads.tasks(), options.reads.pruned()]));
    // The leader's headers, from etcd: the newest change the list shows (its newest record) and what retention pruned.
    ctx.set(cubeHeaders.version, String(tasks.reduce((newest, task) => Math.max(newest, task.Version), 0)));
    ctx.set(cubeHeaders.pruned, String(pruned));
    ctx.body = tasks;
  });

  router.get('/tasks/:id', async (ctx) => {
    const task = await fromEtcd(() => options.reads.task(ctx.params['id']!));
    if (!task) throw new HttpError(404, `no task ${ctx.params['id']}; GET /tasks lists every task`);
    ctx.body = task;
  });

  router.get('/log', async (ctx) => {
    const limit = Number(ctx.query['limit'] ?? 100);
    if (!Number.isInteger(limit) || limit < 1) throw new HttpError(400, 'limit: expected a whole number ≥ 1');
    ctx.body = await fromEtcd(() => options.reads.log(limit));
  });

  router.get('/nodes', async (ctx) => {
    if (options.leader()) return forward(ctx);
    // Nobody leads: what etcd knows, without the live state only a leader has.
    const [records, managers] = await Promise.all([fromEtcd(() => options.reads.nodes()), options.managers()]);
    const policy = { scheduler: undefined as never, hold: holdTask, empty: emptyHeld };
    const workers = records
      .filter((r) => r.Joined)
      .map((r) => ({
        ...nodeView(
          {
            ...newWorkerEntry({ name: r.Name, address: r.Address, draining: r.Draining, joined: true, labelEdits: r.Labels }, r.Since, policy),
            problem: 'no manager leads right now',
          },
          options.scheme,
        ),
      }));
    ctx.body = [...workers, ...managers];
  });

  router.all('/{*rest}', forward);
}
