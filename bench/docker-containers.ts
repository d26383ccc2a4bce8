// Docker helpers the benchmarks share: following containers' events by label,
// and removing what a measurement left, waiting until Docker destroyed it.
import Docker from 'dockerode';

const docker = new Docker();

/** One of Docker's events (a container's, a service's), as its event stream gives it. */
export interface DockerEvent {
  /** The container's ID (for a container). */
  id?: string;
  /** `start`, `kill`, `die`, `health_status: healthy`, `update`, … */
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
}

/**
 * Calls `onEvent` with each of Docker's events that pass `filters` (as
 * `docker events --filter` takes them), from now on, as they arrive; `onError`
 * when the stream fails. Answers how to stop following.
 */
export async function followDocker(
  filters: Record<string, string[]>,
  onEvent: (event: DockerEvent) => void,
  onError: (error: Error) => void,
): Promise<() => void> {
  const stream = await docker.getEvents({ filters });
  let buffer = '';
  stream.on('error', onError);
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let end: number;
    while ((end = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, end).trim();
      buffer = buffer.slice(end + 1);
      if (line) onEvent(JSON.parse(line) as DockerEvent);
    }
  });
  return () => (stream as unknown as { destroy(): void }).destroy();
}

/** Follows Docker's `action` events (start, destroy) of containers carrying `label`, from now on. */
export async function watchContainers(label: string, action: 'start' | 'destroy') {
  const seen = new Map<string, number>(); // container id → when its event arrived
  let wake: () => void = () => undefined;
  let failure: Error | undefined;
  const close = await followDocker(
    { type: ['container'], label: [label], event: [action] },
    ({ id }) => {
      if (id && !seen.has(id)) seen.set(id, performance.now());
      wake();
    },
    (error) => {
      failure = error;
      wake();
    },
  );
  return {
    seen,
    /** Resolves once `done` holds for the containers seen; fails after `timeoutMs` with `message`. */
    async until(done: (seen: Map<string, number>) => boolean, timeoutMs: number, message: () => string): Promise<void> {
      const deadline = setTimeout(() => {
        failure = new Error(message());
        wake();
      }, timeoutMs);
      try {
        while (!done(seen)) {
          if (failure) throw failure;
          await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        clearTimeout(deadline);
      }
    },
    close,
  };
}

/** Removes every container carrying `label` (key=value), and waits until Docker has destroyed each. */
export async function removeLabelled(label: string): Promise<void> {
  const destroyed = await watchContainers(label, 'destroy');
  try {
    const ids = (await docker.listContainers({ all: true, filters: { label: [label] } })).map((c) => c.Id);
    await Promise.all(
      ids.map((id) =>
        docker
          .getContainer(id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
    );
    await destroyed.until(
      (seen) => ids.every((id) => seen.has(id)),
      60_000,
      () => `containers labelled ${label} are still there after a minute`,
    );
  } finally {
    destroyed.close();
  }
}
