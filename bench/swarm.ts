// Swarm mode for the benchmarks that compare Cube with Docker Swarm on the
// same engine. The engine is shared (other work may use it, a swarm too): the
// node is made a swarm manager only if it is not one, and leaves swarm mode
// again only if the benchmark made it one.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Docker from 'dockerode';

const run = promisify(execFile);
const docker = new Docker();

export interface SwarmMode {
  /** The benchmark ran `docker swarm init` (and `leave` undoes it). */
  initialised: boolean;
  /** Why Swarm cannot run here; undefined when it can. */
  error?: string;
  /** Leaves swarm mode if the benchmark entered it; never throws (it runs in `finally` blocks), it says what failed. */
  leave(): Promise<void>;
}

/** Makes this node a swarm manager if it is not; says whether it did, or why Swarm cannot run. */
export async function enterSwarm(): Promise<SwarmMode> {
  const networksBefore = new Set((await docker.listNetworks()).map((n) => n.Name));
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
  const untouched = (error?: string): SwarmMode => ({ initialised: false, ...(error ? { error } : {}), leave: () => Promise.resolve() });
  if (info.Swarm?.LocalNodeState === 'active' && info.Swarm.ControlAvailable) return untouched();
  if (info.Swarm?.LocalNodeState === 'active') return untouched('this node is a swarm worker, not a manager: it cannot create services');
  try {
    await run('docker', ['swarm', 'init']);
  } catch (error) {
    const text = ((error as { stderr?: string }).stderr ?? (error as Error).message).trim();
    return untouched(`docker swarm init failed: ${text}`);
  }
  return {
    initialised: true,
    leave: async () => {
      await run('docker', ['swarm', 'leave', '--force']).catch((error: Error) => console.log(`docker swarm leave failed: ${error.message}`));
      // swarm init makes docker_gwbridge; leave does not remove it.
      if (!networksBefore.has('docker_gwbridge'))
        await docker
          .getNetwork('docker_gwbridge')
          .remove()
          .catch(() => undefined);
    },
  };
}
