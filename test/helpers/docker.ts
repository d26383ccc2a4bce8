// Talks to the real Docker engine from tests: the docker CLI for what a person
// would type (docker kill, docker stop), dockerode for inspection and cleanup.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Docker from 'dockerode';

export const docker = new Docker();
const exec = promisify(execFile);

/** Runs the docker CLI, as a person would. */
export async function dockerCli(...args: string[]): Promise<string> {
  const { stdout } = await exec('docker', args);
  return stdout.trim();
}

/** The containers a worker owns, by its label. */
export async function containersOf(worker: string) {
  return docker.listContainers({ all: true, filters: { label: [`cube.worker=${worker}`] } });
}

/** Removes every container of a worker: what a test leaves behind. */
export async function removeContainersOf(worker: string): Promise<void> {
  for (const c of await containersOf(worker))
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
}

/** The container's state, or undefined when it does not exist. */
export async function inspectContainer(idOrName: string) {
  try {
    return await docker.getContainer(idOrName).inspect();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/** The running containers that carry a task's label, on the whole engine (any worker, any installation). */
export async function runningCopiesOf(taskId: string) {
  return docker.listContainers({ filters: { label: [`cube.task.id=${taskId}`], status: ['running'] } });
}

/**
 * Waits until `check` holds, asking again after each container event of the
 * engine (start, die, destroy…) instead of polling; fails after `timeoutMs`.
 */
export async function untilEngine(check: () => Promise<boolean>, timeoutMs = 40_000, what = 'the engine to settle'): Promise<void> {
  if (await check()) return;
  const stream = (await docker.getEvents({ filters: { type: ['container'] } })) as NodeJS.ReadableStream & { destroy(): void };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`waited ${timeoutMs} ms for ${what}`)), timeoutMs);
      let asking = false;
      let again = false;
      const ask = async () => {
        if (asking) return void (again = true);
        asking = true;
        try {
          do {
            again = false;
            if (await check()) {
              clearTimeout(timer);
              return resolve();
            }
          } while (again);
        } catch (error) {
          clearTimeout(timer);
          reject(error);
        } finally {
          asking = false;
        }
      };
      stream.on('data', () => void ask());
      stream.on('error', reject);
      void ask(); // a change between the first check and the subscription
    });
  } finally {
    stream.destroy();
  }
}

/** Removes every volume a worker made (they carry its label, as its containers do): what a test leaves behind. */
export async function removeVolumesOf(worker: string): Promise<void> {
  const { Volumes } = await docker.listVolumes({ filters: { label: [`cube.worker=${worker}`] } });
  for (const v of Volumes ?? [])
    await docker
      .getVolume(v.Name)
      .remove({ force: true })
      .catch(() => undefined);
}
