// Makes sure an image is on the engine, pulling it only when missing. A pull
// can take minutes, so its progress is summed up into one line a second, and
// an error anywhere in the progress stream fails the pull with its reason.
import type Docker from 'dockerode';
import { dockerMessage, isUnreachable, statusOf, unreachableMessage } from './docker-errors.js';
import { RuntimeError } from './types.js';

/** Docker pulls every tag of a bare name; Cube means `:latest`, as `docker run` does. */
export function withDefaultTag(image: string): string {
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  return lastPart.includes(':') || lastPart.includes('@') ? image : `${image}:latest`;
}

interface PullEvent {
  id?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  progressDetail?: { current?: number; total?: number };
}

const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1);

/** Sums the per-layer progress events of a pull into one line. */
export class PullProgress {
  private layers = new Map<string, { current: number; total: number; done: boolean }>();
  private lastReport = 0;

  constructor(
    private readonly image: string,
    private readonly report: (message: string) => void,
    private readonly everyMs = 1000,
  ) {}

  add(event: PullEvent): void {
    if (!event.id || !event.status) return;
    const layer = this.layers.get(event.id) ?? { current: 0, total: 0, done: false };
    if (event.progressDetail?.total) {
      layer.current = event.progressDetail.current ?? layer.current;
      layer.total = event.progressDetail.total;
    }
    if (/complete|exists/i.test(event.status)) layer.done = true;
    this.layers.set(event.id, layer);
    const now = Date.now();
    if (now - this.lastReport >= this.everyMs) {
      this.lastReport = now;
      this.report(this.line());
    }
  }

  line(): string {
    const all = [...this.layers.values()];
    const done = all.filter((l) => l.done).length;
    const current = all.reduce((sum, l) => sum + (l.done ? l.total : l.current), 0);
    const total = all.reduce((sum, l) => sum + l.total, 0);
    const bytes = total > 0 ? `, ${megabytes(current)} of ${megabytes(total)} MB` : '';
    return `pulling ${this.image}: ${done} of ${all.length} layers${bytes}`;
  }
}

const cannotPull = (image: string, why: string) =>
  new RuntimeError(
    `image "${image}" is not on this worker and could not be pulled (${why}). ` +
      'Load it on the worker (docker load, docker import or docker build), or make its registry reachable',
  );

/**
 * `calls` answers the quick inspect (with an idle limit); `streams` follows the
 * pull, which may be quiet for long (no idle limit).
 */
export async function ensureImage(
  clients: { calls: Docker; streams: Docker },
  address: string,
  image: string,
  onProgress: (message: string) => void,
): Promise<void> {
  const docker = clients.streams;
  try {
    await clients.calls.getImage(image).inspect();
    return;
  } catch (error) {
    if (statusOf(error) !== 404) {
      throw new RuntimeError(isUnreachable(error) ? unreachableMessage(error, address) : `inspect image ${image}: ${dockerMessage(error)}`);
    }
  }
  const reference = withDefaultTag(image);
  onProgress(`pulling image ${reference}`);
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.pull(reference);
  } catch (error) {
    if (isUnreachable(error)) throw new RuntimeError(unreachableMessage(error, address));
    throw cannotPull(image, dockerMessage(error));
  }
  const progress = new PullProgress(reference, onProgress);
  await new Promise<void>((resolve, reject) => {
    let failure: string | undefined;
    docker.modem.followProgress(
      stream,
      (error: Error | null) => {
        const why = failure ?? (error ? dockerMessage(error) : undefined);
        if (why) reject(cannotPull(image, why));
        else resolve();
      },
      (event: PullEvent) => {
        if (event.error || event.errorDetail?.message) failure = event.errorDetail?.message ?? event.error;
        else progress.add(event);
      },
    );
  });
  onProgress(`pulled image ${reference}`);
}
