// The identity of a Cube cluster, as a data dir keeps it. Every container a
// process of the dir starts carries it (the label cube.cluster), and the
// process lists, watches, adopts and removes only containers of its cluster,
// so another cluster on the same Docker engine is never touched.
//
// Each data dir makes an identity of its own at its first start (the file
// `cluster-id`, never changed after). A manager's own is its cluster's (on
// etcd the cluster's is a key instead: src/store/etcd-cluster.ts). A worker
// takes its manager's at the manager's first call or join (Cube-Cluster),
// keeps it (the file `cluster-joined`, unless it keeps nothing: CUBE_STORE=
// memory), and from then on refuses a manager of another cluster. So the
// workers of one cluster know each other's containers on a shared engine and
// hand a task over as within one process; before, each kept its own identity
// and took the other's container for a stranger's (issue 23). Containers a
// worker started under its own identity, before it joined, stay its own.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { customAlphabet } from 'nanoid';
import { DEFAULT_RECORD_MAX, readCappedFile } from '../read-file.js';

export const CLUSTER_ID = /^[a-z0-9]{12}$/;
export const newClusterId = customAlphabet('abcdefghijklmnopqrstuvwxyz0123456789', 12);

/** What a worker makes of a manager's identity. */
export type Joining = { joined: 'already' | 'now'; own?: string } | { refused: string };

/** The id in `file`; undefined when there is no file. Read with a cap (CUBE_RECORD_MAX). */
function read(file: string, max: number): string | undefined {
  let text: string;
  try {
    text = readCappedFile(file, max).toString('utf8').trim();
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
  if (CLUSTER_ID.test(text)) return text;
  throw new Error(
    `${file} holds ${JSON.stringify(text.slice(0, 40))}, not a cluster id (12 lowercase letters or digits); restore it from a backup, or remove it to start a new installation whose containers Cube will not adopt`,
  );
}

/** Made once: another process on the same dir may have made it first, and then theirs it is. */
function own(dataDir: string, max: number): string {
  const file = join(dataDir, 'cluster-id');
  const id = read(file, max);
  if (id) return id;
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(file, `${newClusterId()}\n`, { flag: 'wx' });
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
  }
  return own(dataDir, max);
}

export class ClusterIdentity {
  private constructor(
    /** Where the cluster taken from a manager is kept; undefined when nothing is kept. */
    private readonly joinedFile: string | undefined,
    private readonly own: string,
    private joined: string | undefined,
  ) {}

  /** The identity of `dataDir`; `keep`: whether a cluster it takes is kept there for the next start. */
  static open(dataDir: string, options: { keep: boolean; max?: number }): ClusterIdentity {
    const max = options.max ?? DEFAULT_RECORD_MAX;
    const joinedFile = join(dataDir, 'cluster-joined');
    return new ClusterIdentity(options.keep ? joinedFile : undefined, own(dataDir, max), options.keep ? read(joinedFile, max) : undefined);
  }

  /** The identity new containers carry: the cluster's once taken, else the dir's own. */
  get id(): string {
    return this.joined ?? this.own;
  }

  /** Whether a container labelled with cluster `label` is this dir's: of its cluster, or its own from before it joined. */
  isOurs(label: string | undefined): boolean {
    return label !== undefined && (label === this.own || label === this.joined);
  }

  /**
   * A manager of cluster `id` calls (or answered a join): the first one's
   * identity is taken and kept; one of another cluster after that is refused,
   * in words that name both.
   */
  join(id: string): Joining {
    if (this.joined !== undefined) {
      if (id === this.joined) return { joined: 'already' };
      const undo = this.joinedFile ? `stop it and remove ${this.joinedFile}` : 'restart it';
      return {
        refused: `this worker is of Cube cluster ${this.joined}, and a manager of cluster ${id} called it: a worker serves one cluster. If it should serve cluster ${id}, ${undo}`,
      };
    }
    if (this.joinedFile) {
      // Written whole, then renamed over: a crash leaves no half-written file.
      const temporary = `${this.joinedFile}.${process.pid}`;
      writeFileSync(temporary, `${id}\n`);
      renameSync(temporary, this.joinedFile);
    }
    this.joined = id;
    return { joined: 'now', ...(id === this.own ? {} : { own: this.own }) };
  }
}
