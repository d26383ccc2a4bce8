// A manager's store for tests of what waits on its writes: every intent waits
// until the test settles it (resolve or reject), as etcd answers later; the
// rest is written at once, and nowhere.
import type { ManagerWriter } from '../../src/store/manager-writes.js';
import type { Task } from '../../src/vocabulary/task.js';

/** A store whose every intent waits until the test settles it. */
export function laterStore() {
  const intents: { task: Task; stopRequested: boolean; resolve(): void; reject(e: Error): void }[] = [];
  const undone: [string, Task | undefined][] = [];
  const store: ManagerWriter = {
    intent: (task, stopRequested, done) => void intents.push({ task, stopRequested, resolve: () => done(''), reject: (e) => done(e.message) }),
    save: () => undefined,
    forget: () => undefined,
    read: () => undefined,
    metaFrom: () => undefined,
    writeMeta: () => undefined,
    appendLog: () => undefined,
    undo: (id, record) => void undone.push([id, record]),
    settled: () => Promise.resolve(),
    putNode: () => undefined,
    deleteNode: () => undefined,
    putService: () => undefined,
    deleteService: () => undefined,
    problem: () => '',
    close: () => undefined,
  };
  return { store, intents, undone };
}
