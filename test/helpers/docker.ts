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
  for (const c of await containersOf(worker)) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
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
