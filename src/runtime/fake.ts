// FakeRuntime: a FAKE container engine, for trying Cube at scale without
// Docker (CUBE_RUNTIME=fake, `--runtime fake`), like Kubernetes' KWOK or
// kubemark's hollow nodes. Nothing runs: a "container" is a record in
// memory that starts a few milliseconds after it is asked for and runs until
// it is stopped, whatever its image and Cmd, but for a Cmd of ["exit", "N"]:
// that one exits with code N just after it starts, so failures and restart
// policies can be tried too.
//
// Every exposed port of a fake container is published on one loopback HTTP
// server of the runtime, which answers 200 to every path except those that
// contain "fail" (500), so health checks behave as they do with
// timboring/echo-server's /health and /healthfail.
//
// The worker, its API, the manager, the CLI and the live view are the real
// ones: only the engine is pretend. Never use it for anything that must run.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Started } from '../vocabulary/runtime.js';
import type { PortBinding, Task } from '../vocabulary/task.js';
import { MemoryRuntime } from './memory.js';
import { RuntimeError, type StartOptions } from './types.js';

/** How long a fake container takes to start, at most: "a few milliseconds". */
const START_MS = 4;

/** Container IDs drawn at once: one call for the randomness of many IDs (a call costs more than its bytes, ~5 µs). */
const IDS_PER_DRAW = 256;

/** The exit code a task asks for with Cmd ["exit", "N"], or undefined when it asks for none. */
export function fakeExitCode(task: Pick<Task, 'Cmd'>): number | undefined {
  if (task.Cmd.length !== 2 || task.Cmd[0] !== 'exit') return undefined;
  const code = Number(task.Cmd[1]);
  return Number.isInteger(code) && code >= 0 && code <= 255 ? code : undefined;
}

export class FakeRuntime extends MemoryRuntime {
  private server: Promise<Server> | undefined;
  private readonly starting = new Set<Promise<unknown>>();
  private randomness = Buffer.alloc(0);

  override async describe(): Promise<string> {
    return 'a FAKE runtime (CUBE_RUNTIME=fake): containers are simulated, nothing runs';
  }

  override async start(task: Task, options: StartOptions): Promise<Started> {
    const exitCode = fakeExitCode(task);
    if (task.Cmd.length > 0 && task.Cmd[0] === 'exit' && exitCode === undefined) {
      throw new RuntimeError(`the fake runtime reads Cmd ["exit", "N"] with N a whole number 0…255, got ${JSON.stringify(task.Cmd)}`);
    }
    const work = this.startLater(task, options, exitCode);
    this.starting.add(work);
    try {
      return await work;
    } finally {
      this.starting.delete(work);
    }
  }

  /** An ID like Docker's, so histories and tables tell containers apart by their first 12 characters. */
  protected override newContainerId(): string {
    if (this.randomness.length < 32) this.randomness = randomBytes(32 * IDS_PER_DRAW);
    const id = this.randomness.toString('hex', 0, 32);
    this.randomness = this.randomness.subarray(32);
    return id;
  }

  override async settle(): Promise<void> {
    while (this.starting.size > 0) await Promise.allSettled([...this.starting]);
  }

  private async startLater(task: Task, options: StartOptions, exitCode: number | undefined): Promise<Started> {
    await new Promise((resolve) => setTimeout(resolve, 1 + Math.floor(Math.random() * START_MS)));
    const started = await super.start(task, options);
    const hostPorts = await this.publish(task);
    // The process "runs" until the start is recorded, then exits as asked.
    if (exitCode !== undefined) setTimeout(() => this.exit(task.ID, exitCode), 1);
    return { ...started, hostPorts };
  }

  /** Every exposed port of the task, on the runtime's one loopback server. */
  private async publish(task: Task): Promise<Record<string, PortBinding[]> | null> {
    const ports = [...new Set([...Object.keys(task.ExposedPorts ?? {}), ...Object.keys(task.PortBindings ?? {})])];
    if (ports.length === 0) return null;
    const { port } = (await this.healthServer()).address() as AddressInfo;
    return Object.fromEntries(ports.map((p) => [p, [{ HostIp: '127.0.0.1', HostPort: String(port) }]]));
  }

  private healthServer(): Promise<Server> {
    this.server ??= new Promise((resolve, reject) => {
      const server = createServer((request, response) => {
        response.statusCode = (request.url ?? '').includes('fail') ? 500 : 200;
        response.end(response.statusCode === 200 ? 'ok (fake container)\n' : 'failing (fake container)\n');
      });
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
      server.unref();
    });
    return this.server;
  }
}
