// A machine's states and transitions as plain data, read from its definition
// with toDirectedGraph (xstate/graph). Eventless `always` transitions, which
// toDirectedGraph leaves out, are added from the state nodes, so the diagram
// shows every way a state can be left.
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { toDirectedGraph } from 'xstate/graph';

export interface GraphState {
  /** Unique id, like "task.failed.restarting". */
  id: string;
  /** Its name inside its parent, like "restarting". */
  key: string;
  parent: string | null;
  initial: string | null;
  final: boolean;
}

export interface GraphTransition {
  source: string;
  target: string;
  /** The event, shortened for people: "after restartDelay", "start done", "always". */
  label: string;
  guard: string | null;
}

export interface MachineGraph {
  id: string;
  states: GraphState[];
  transitions: GraphTransition[];
}

/** `xstate.done.actor.start` → "start done"; `xstate.after.restartDelay.task…` → "after restartDelay". */
export function eventLabel(event: string): string {
  const done = /^xstate\.done\.actor\.(.+)$/.exec(event);
  if (done) return `${done[1]} done`;
  const error = /^xstate\.error\.actor\.(.+)$/.exec(event);
  if (error) return `${error[1]} failed`;
  const after = /^xstate\.after\.([^.]+)\./.exec(event);
  if (after) return `after ${after[1]}`;
  if (event === '*') return 'any other command (refused)';
  return event;
}

const guardName = (guard: unknown): string | null => {
  if (!guard) return null;
  if (typeof guard === 'string') return guard;
  const named = guard as { type?: string; params?: unknown };
  return named.type ? `${named.type}${named.params === undefined ? '' : `(${JSON.stringify(named.params)})`}` : 'guard';
};

export function machineGraph(machine: AnyStateMachine): MachineGraph {
  const states: GraphState[] = [];
  const transitions: GraphTransition[] = [];
  const visit = (node: AnyStateNode, parent: string | null) => {
    const children = Object.values(node.states) as AnyStateNode[];
    states.push({
      id: node.id,
      key: node.key,
      parent,
      initial: children.length > 0 && node.initial?.target?.[0] ? node.initial.target[0].id : null,
      final: node.type === 'final',
    });
    for (const [i, t] of (node.always ?? []).entries()) {
      for (const target of t.target ?? [])
        transitions.push({
          source: node.id,
          target: target.id,
          label: node.always!.length === 1 ? 'always' : `always, case ${i + 1}`,
          guard: guardName(t.guard),
        });
    }
    children.forEach((child) => visit(child, node.id));
  };
  visit(machine.root, null);
  const walk = (graphNode: ReturnType<typeof toDirectedGraph>) => {
    for (const edge of graphNode.edges) {
      transitions.push({
        source: edge.source.id,
        target: edge.target.id,
        label: eventLabel(edge.label.text),
        guard: guardName((edge.transition as { guard?: unknown }).guard),
      });
    }
    graphNode.children.forEach(walk);
  };
  walk(toDirectedGraph(machine));
  return { id: machine.id, states, transitions };
}
