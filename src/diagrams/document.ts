// docs/machines.md and its files, generated from the machine definitions by
// `cube machines` (npm run machines). A test compares them with the code.
import type { MachineExport } from './machines.js';

const about: Record<string, string> = {
  task: 'The life cycle of one task (docs/spec.md §2). State integers follow the top-level states; `stopping` keeps the State it was stopped from, and `failed.restarting` waits out the restart delay. Its side effects are named: `startContainer`, `stopContainer`, `removeContainer`, `healthCheck` and the delay `restartDelay`.',
  worker:
    "The worker: the parent of its task actors (through shards). It decides what `task.run` and `task.stop` mean for each task, routes the container engine's facts to them, and reports every change. Its effects: `containerWatcher`, `reconciler`, `statsSampler`, `removeContainers`.",
  manager:
    'The manager: the parent of its workers (in-process worker machines or HTTP proxies). Every event updates its ledger of tasks, queue, workers and log; which way is in `handlers` of machines/manager.ts. Its effects: `localWorker`, `remoteWorker`, `clock`.',
};

export function machineFiles(exports: MachineExport[]): Record<string, string> {
  const files: Record<string, string> = {};
  const sections = exports.map((e) => {
    files[`machines/${e.name}.json`] = `${JSON.stringify(e.graph, null, 2)}\n`;
    files[`machines/${e.name}.mmd`] = e.mermaid;
    return [
      `## ${e.name}`,
      '',
      about[e.name] ?? '',
      '',
      `${e.graph.states.length} states, ${e.graph.transitions.length} transitions. Data: [machines/${e.name}.json](machines/${e.name}.json), Mermaid: [machines/${e.name}.mmd](machines/${e.name}.mmd).`,
      '',
      '```mermaid',
      e.mermaid.trimEnd(),
      '```',
      '',
    ].join('\n');
  });
  files['machines.md'] = [
    "# Cube's state machines",
    '',
    'Generated from the definitions in `machines/` by `npm run machines` (`cube machines`); do not edit by hand.',
    'A test fails when this page no longer matches the code. The live view at `/ui` draws the task and service machines the same way.',
    '',
    ...sections,
  ].join('\n');
  return files;
}
