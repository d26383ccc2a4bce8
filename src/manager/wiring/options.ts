// What a start of a manager takes and gives, whichever store it runs on:
// the options behind `cube manager` and `npm start`, and the running manager
// the CLI and the tests hold. Both starts (local.ts, ha.ts) share them.
import { parseHostPort } from '../../config/host-port.js';
import type { Settings } from '../../config/settings.js';
import type { Log } from '../../log.js';
import type { ContainerRuntime } from '../../runtime/types.js';
import type { WorkerService } from '../../worker/service.js';
import type { ManagerService } from '../run/service.js';

export interface LocalWorkerOptions {
  name?: string;
  host?: string;
  /** Where its worker API listens; null for none. Default 5555. */
  port?: number | null;
  /** Default: Docker, as the Docker CLI finds it, or at `dockerHost`. */
  runtime?: ContainerRuntime;
  dockerHost?: string;
}

export interface StartManagerOptions {
  host?: string;
  port?: number;
  /** Remote workers, "host:port" each. */
  workers?: string[];
  /** Workers in this process. */
  local?: LocalWorkerOptions[];
  settings?: Partial<Settings>;
  log?: Log;
}

export interface RunningManager {
  url: string;
  /** The manager's service; with etcd, while this process leads (it throws otherwise). */
  service: ManagerService;
  /** With etcd: whether this process leads now. A manager on a local store always does. */
  leads?: () => boolean;
  /** Calls `listener` with the manager's service now (a local store), or each time this process starts leading (etcd). */
  onService(listener: (service: ManagerService) => void): void;
  local: { name: string; url: string | null; service: WorkerService }[];
  /** Where to watch its actors, when CUBE_INSPECT is on. */
  inspectUrl: string | undefined;
  close(): Promise<void>;
}

/** Checks "host:port" worker addresses, saying which one is wrong and why. */
export function parseWorkerAddresses(addresses: string[]): string[] {
  return addresses.map((address) => {
    if (!parseHostPort(address.trim())) {
      throw new Error(`worker address ${JSON.stringify(address)} is not host:port (like 127.0.0.1:5555 or worker-2:5555)`);
    }
    return address.trim();
  });
}
