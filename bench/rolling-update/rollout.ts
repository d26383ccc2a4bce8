// One measured rolling update, the same for Cube and for Swarm: a service of
// COUNT copies of the old image is made (untimed), a client starts picking
// its endpoints, the update to the new image is asked for, and the clock
// reads when the request was answered, when the orchestrator says the update
// is done, when the COUNT-th container of the new image started, and when the
// last container of the old image ended (from then on every copy runs the new
// image). Docker's container events give the last two, for both alike.
import Docker from 'dockerode';
import { followDocker } from '../docker-containers.js';
import { Condition } from './condition.js';
import { PickingClient, type Endpoint, type Failure } from './picking-client.js';

const docker = new Docker();

/** Copies of the service, and how many change at a time (Cube's Update.Parallelism, Swarm's --update-parallelism). */
export const COUNT = 10;
export const PARALLELISM = 2;

/** An image as each orchestrator is given it: Cube by tag, as a user writes it; Swarm by ID, which its agent never tries to pull. */
export interface Image {
  tag: string;
  id: string;
}

/** An orchestrator, as the measurement drives it. */
export interface Side {
  /** The label (key=value) Docker shows on the containers of service `name`. */
  label(name: string): string;
  /** Makes a service of COUNT copies of `image`; resolves once every copy is healthy and the orchestrator says it is done. */
  create(name: string, image: Image): Promise<void>;
  /** Tells `use` the service's endpoints now and at each change, until the service is removed. */
  feed(name: string, use: (endpoints: Endpoint[]) => void): void;
  /** Asks for the update to `image`: resolves when the request is answered, with when the orchestrator says the update is done. */
  update(name: string, image: Image): Promise<{ done: Promise<void> }>;
  /** Removes the service and every container of it (untimed). */
  remove(name: string): Promise<void>;
}

export interface Rollout {
  /** Milliseconds from the update request to: its answer, */
  answeredMs: number;
  /** the orchestrator saying the update is done, */
  doneMs: number;
  /** the COUNT-th container of the new image started, */
  allNewStartedMs: number;
  /** the last container of the old image ended: every copy runs the new image. */
  oldGoneMs: number;
  /** Most containers of the service running at once during the update. */
  peakRunning: number;
  /** The client's requests during the update, from just before the request until both the done and the last old container. */
  requests: number;
  failures: Failure[];
  /** The longest stretch in which every request failed (0 when none did). */
  gapMs: number;
}

const ROLLOUT_LIMIT_MS = 300_000;

export async function measureRollout(side: Side, name: string, from: Image, to: Image): Promise<Rollout> {
  await side.create(name, from);
  const label = side.label(name);
  const changes = new Condition();
  let close: () => void = () => undefined;
  try {
    const old = new Set((await docker.listContainers({ filters: { label: [label] } })).map((c) => c.Id));
    if (old.size !== COUNT) throw new Error(`${name}: ${old.size} containers run after the create, not ${COUNT}`);
    const started = new Map<string, number>(); // a container of the new image → when it started
    const ended = new Map<string, number>(); // a container of the old image → when it died
    const images = new Map<string, Image>(); // a container started during the update → the image it runs, if either
    const running = new Set(old);
    let peakRunning = running.size;
    close = await followDocker(
      { type: ['container'], label: [label], event: ['start', 'die'] },
      ({ id, Action, Actor }) => {
        if (!id) return;
        if (Action === 'start') {
          running.add(id);
          const image = [from, to].find((i) => i.tag === Actor.Attributes['image'] || i.id === Actor.Attributes['image']);
          if (image) images.set(id, image);
          peakRunning = Math.max(peakRunning, running.size);
          if (!old.has(id) && !started.has(id)) started.set(id, performance.now());
        } else {
          running.delete(id);
          if (old.has(id) && !ended.has(id)) ended.set(id, performance.now());
        }
        changes.changed();
      },
      (error) => changes.fail(error),
    );
    const client = new PickingClient();
    side.feed(name, (endpoints) => client.use(endpoints));
    client.start();
    const begin = performance.now();
    const { done } = await side.update(name, to);
    const answered = performance.now();
    let doneAt = 0;
    await done.then(() => (doneAt = performance.now()));
    await changes.until(
      () => started.size >= COUNT && ended.size === old.size,
      ROLLOUT_LIMIT_MS,
      () => `${name}: after 5 minutes ${started.size} of ${COUNT} new containers started and ${ended.size} of ${old.size} old ones ended`,
    );
    const { requests, failures, gapMs } = await client.stop();
    // Docker's events, not a listing: a container's `die` can come before `docker ps` shows it exited.
    const stray = [...running].filter((id) => !started.has(id) || images.get(id) !== to);
    if (running.size !== COUNT || stray.length > 0) {
      throw new Error(`${name}: after the update ${running.size} containers run, ${stray.length} of them not started by it with ${to.tag}`);
    }
    return {
      answeredMs: answered - begin,
      doneMs: doneAt - begin,
      allNewStartedMs: [...started.values()].sort((a, b) => a - b)[COUNT - 1]! - begin,
      oldGoneMs: Math.max(...ended.values()) - begin,
      peakRunning,
      requests,
      failures,
      gapMs,
    };
  } finally {
    close();
    await side.remove(name);
  }
}
