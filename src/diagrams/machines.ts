// The machines Cube documents and draws: task, worker, manager, service.
import type { AnyStateMachine } from 'xstate';
import { managerMachine } from '../../machines/manager.js';
import { serviceMachine } from '../../machines/service.js';
import { taskMachine } from '../../machines/task.js';
import { workerMachine } from '../../machines/worker.js';
import { machineGraph, type MachineGraph } from './machine-graph.js';
import { toMermaid } from './mermaid.js';

export const machines: Record<string, AnyStateMachine> = { task: taskMachine, worker: workerMachine, manager: managerMachine, service: serviceMachine };

export interface MachineExport {
  name: string;
  graph: MachineGraph;
  mermaid: string;
}

export function exportMachines(): MachineExport[] {
  return Object.entries(machines).map(([name, machine]) => {
    const graph = machineGraph(machine);
    return { name, graph, mermaid: toMermaid(graph) };
  });
}
