// Reads what a book-protocol peer answers, checking every field before Cube
// uses it. The book's quirks are normal here: `null` for an empty list or a
// map, keys left out, Go's zero time. Anything else that does not fit (a
// string where a number goes, truncated JSON, an HTML page) is an AnswerError
// that names the field, so the worker can be marked suspect with a reason a
// person can act on; nothing here throws anything else.
import { TASK_ID, ValidationError } from '../task/codec.js';
import { ZERO_TIME } from '../vocabulary/task.js';
import { MEMINFO_KEYS, type BookCpuStats, type BookDiskStats, type BookLoadStats, type BookMemStats, type BookStats, type BookTask } from './shapes.js';

/** An answer that does not fit: a ValidationError, as Cube's own codec of worker answers throws. */
export class AnswerError extends ValidationError {
  override name = 'AnswerError';
}

const show = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return `${String(value)} (${typeof value})`;
};

/** The JSON of an answer's body. */
export function parseAnswer(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const start = text.trim().slice(0, 60).replace(/\s+/g, ' ');
    throw new AnswerError(`not JSON (${(error as Error).message}): ${start ? JSON.stringify(start) : 'an empty body'}`);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The fields of one JSON object, read with the path they came from. Missing keys read as `fallback`. */
class Fields {
  constructor(
    private readonly value: Record<string, unknown>,
    private readonly path: string,
  ) {}

  static of(value: unknown, path: string, what: string): Fields {
    if (!isRecord(value)) throw new AnswerError(`${path || 'the answer'}: expected ${what}, got ${show(value)}`);
    return new Fields(value, path);
  }

  private at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  number(key: string, { integer = false, fallback = 0 } = {}): number {
    const value = this.value[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
      throw new AnswerError(`${this.at(key)}: expected ${integer ? 'a whole number' : 'a number'} ≥ 0, got ${show(value)}`);
    }
    return value;
  }

  string(key: string, { pattern, fallback = '' }: { pattern?: RegExp; fallback?: string } = {}): string {
    const value = this.value[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || value.length > 4096) throw new AnswerError(`${this.at(key)}: expected a string, got ${show(value)}`);
    if (pattern && !pattern.test(value)) throw new AnswerError(`${this.at(key)}: ${show(value)} is not of the expected form`);
    return value;
  }

  time(key: string): string {
    const value = this.string(key, { fallback: ZERO_TIME });
    if (Number.isNaN(Date.parse(value))) throw new AnswerError(`${this.at(key)}: expected an RFC 3339 time, got ${show(value)}`);
    return value;
  }

  /** A nested object; `null` and a missing key read as null (Go's nil pointer or map). */
  object(key: string, what: string): Fields | null {
    const value = this.value[key];
    if (value === undefined || value === null) return null;
    return Fields.of(value, this.at(key), what);
  }

  /** A map keyed by port ("80/tcp") whose values `entry` reads; `null` or missing is null. */
  ports<T>(key: string, what: string, entry: (value: unknown, path: string) => T): Record<string, T> | null {
    const fields = this.object(key, what);
    if (!fields) return null;
    return Object.fromEntries(
      Object.entries(fields.value).map(([port, value]) => {
        const path = `${fields.path}[${JSON.stringify(port)}]`;
        if (!PORT.test(port)) throw new AnswerError(`${path}: not a port like "80/tcp"`);
        return [port, entry(value, path)];
      }),
    );
  }
}

const PORT = /^\d{1,5}\/(tcp|udp|sctp)$/;

const binding = (value: unknown, path: string) => {
  const fields = Fields.of(value, path, 'a binding {"HostIp", "HostPort"}');
  return { HostIp: fields.string('HostIp'), HostPort: fields.string('HostPort', { pattern: /^\d{0,5}$/ }) };
};

const bindings = (value: unknown, path: string) => {
  if (!Array.isArray(value)) throw new AnswerError(`${path}: expected a list of bindings, got ${show(value)}`);
  return value.map((item, i) => binding(item, `${path}[${i}]`));
};

const hostPort = (value: unknown, path: string) => {
  if (typeof value !== 'string' || !/^\d{0,5}$/.test(value)) throw new AnswerError(`${path}: expected a host port as a string like "8080", got ${show(value)}`);
  return value;
};

/** One task as a book worker reports it. */
export function readBookTask(value: unknown, path: string): BookTask {
  const fields = Fields.of(value, path, 'a task object');
  const ID = fields.string('ID');
  if (!TASK_ID.test(ID)) throw new AnswerError(`${path ? `${path}.` : ''}ID: expected a task ID (a UUID in the book), got ${show(ID)}`);
  const State = fields.number('State', { integer: true });
  if (State > 4) throw new AnswerError(`${path ? `${path}.` : ''}State: expected 0…4, got ${State}`);
  return {
    ID,
    ContainerID: fields.string('ContainerID', { pattern: /^[0-9a-f]{0,128}$/ }),
    Name: fields.string('Name'),
    State,
    Image: fields.string('Image'),
    Cpu: fields.number('Cpu'),
    Memory: fields.number('Memory', { integer: true }),
    Disk: fields.number('Disk', { integer: true }),
    ExposedPorts: fields.ports('ExposedPorts', 'a port set like {"80/tcp": {}}', () => ({})),
    HostPorts: fields.ports('HostPorts', 'a map of port → bindings', bindings),
    PortBindings: fields.ports('PortBindings', 'a map of port → host port', hostPort),
    RestartPolicy: fields.string('RestartPolicy'),
    StartTime: fields.time('StartTime'),
    FinishTime: fields.time('FinishTime'),
    HealthCheck: fields.string('HealthCheck'),
    RestartCount: fields.number('RestartCount', { integer: true }),
  };
}

/** A book worker's GET /tasks: a list, or `null` when it has none. */
export function readBookTasks(value: unknown): BookTask[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw new AnswerError(`expected a list of tasks (or null), got ${show(value)}`);
  return value.map((item, i) => readBookTask(item, `[${i}]`));
}

function memStats(fields: Fields | null): BookMemStats {
  return Object.fromEntries(Object.values(MEMINFO_KEYS).map((key) => [key, fields?.number(key) ?? 0])) as BookMemStats;
}

function diskStats(fields: Fields | null): BookDiskStats {
  const read = (key: string) => fields?.number(key) ?? 0;
  return { all: read('all'), used: read('used'), free: read('free'), freeInodes: read('freeInodes') };
}

function cpuStats(fields: Fields | null): BookCpuStats {
  const read = (key: string) => fields?.number(key) ?? 0;
  return {
    id: fields?.string('id', { fallback: 'cpu' }) ?? 'cpu',
    user: read('user'),
    nice: read('nice'),
    system: read('system'),
    idle: read('idle'),
    iowait: read('iowait'),
    irq: read('irq'),
    softirq: read('softirq'),
    steal: read('steal'),
    guest: read('guest'),
    guest_nice: read('guest_nice'),
  };
}

function loadStats(fields: Fields | null): BookLoadStats {
  const read = (key: string) => fields?.number(key) ?? 0;
  return {
    last1min: read('last1min'),
    last5min: read('last5min'),
    last15min: read('last15min'),
    process_running: read('process_running'),
    process_total: read('process_total'),
    last_pid: read('last_pid'),
  };
}

/** The book's keys beside Cube's in a Cube worker's stats, checked; none when it sends none. */
export function readBookKeys(value: Record<string, unknown>, path: string): Partial<Omit<BookStats, 'TaskCount'>> {
  if (value['MemStats'] === undefined) return {};
  try {
    const { MemStats, DiskStats, CpuStats, LoadStats } = readBookStats(value);
    return { MemStats, DiskStats, CpuStats, LoadStats };
  } catch (error) {
    throw new AnswerError(`${path}.${(error as Error).message}`);
  }
}

/**
 * A worker's stats in the book's keys. A part the worker leaves out (or sends
 * as null, as the book does when it could not read it) reads as zeros. A
 * `null` answer is not stats at all: the book's worker has not collected any yet.
 */
export function readBookStats(value: unknown): BookStats {
  if (value === null) throw new AnswerError('null: the worker has no stats yet');
  const fields = Fields.of(value, '', 'a stats object with MemStats, DiskStats, CpuStats and LoadStats');
  return {
    MemStats: memStats(fields.object('MemStats', '/proc/meminfo keys in kB')),
    DiskStats: diskStats(fields.object('DiskStats', '{"all", "used", "free", "freeInodes"}')),
    CpuStats: cpuStats(fields.object('CpuStats', '/proc/stat jiffies')),
    LoadStats: loadStats(fields.object('LoadStats', 'load averages')),
    TaskCount: fields.number('TaskCount', { integer: true }),
  };
}
