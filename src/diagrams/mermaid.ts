// A machine graph as a Mermaid state diagram: for docs/machines.md and the
// live view, which highlights the current state by adding a class to it.
import type { MachineGraph } from './machine-graph.js';

/** Mermaid ids cannot hold dots: "task.failed.restarting" → "failed_restarting". */
export function mermaidId(graph: MachineGraph, stateId: string): string {
  return stateId === graph.id ? graph.id : stateId.slice(graph.id.length + 1).replace(/[^a-zA-Z0-9]/g, '_');
}

const label = (text: string) => text.replace(/[:;#]/g, ' ').replace(/"/g, "'");

export function toMermaid(graph: MachineGraph): string {
  const lines = ['stateDiagram-v2'];
  const id = (stateId: string) => mermaidId(graph, stateId);
  const root = graph.states[0]!;
  const childrenOf = (parent: string) => graph.states.filter((s) => s.parent === parent);
  const declare = (parentId: string, indent: string) => {
    const parent = graph.states.find((s) => s.id === parentId)!;
    if (parent.initial) lines.push(`${indent}[*] --> ${id(parent.initial)}`);
    for (const state of childrenOf(parentId)) {
      const nested = childrenOf(state.id);
      if (nested.length === 0) {
        lines.push(`${indent}state "${state.key}" as ${id(state.id)}`);
      } else {
        lines.push(`${indent}state "${state.key}" as ${id(state.id)} {`);
        declare(state.id, `${indent}  `);
        lines.push(`${indent}}`);
      }
      if (state.final) lines.push(`${indent}${id(state.id)} --> [*]`);
    }
  };
  declare(root.id, '  ');
  // Transitions of the machine itself (root) are taken in any state: drawn as one note.
  const rootEvents = [...new Set(graph.transitions.filter((t) => t.source === root.id).map((t) => t.label))];
  // One arrow per pair of states, its events stacked: parallel arrows draw their labels on top of each other.
  const arrows = new Map<string, string[]>();
  for (const t of graph.transitions) {
    if (t.source === root.id) continue;
    const key = `${id(t.source)} --> ${id(t.target)}`;
    arrows.set(key, [...(arrows.get(key) ?? []), label(t.guard ? `${t.label} [${t.guard}]` : t.label)]);
  }
  for (const [arrow, texts] of arrows) lines.push(`  ${arrow}: ${texts.join('<br/>')}`);
  if (rootEvents.length > 0) {
    const first = childrenOf(root.id)[0];
    if (first) lines.push(`  note right of ${id(first.id)}`, `    in every state: ${label(rootEvents.join(', '))}`, '  end note');
  }
  lines.push('  classDef current fill:#ffd166,stroke:#c77d00,stroke-width:3px,color:#000');
  return `${lines.join('\n')}\n`;
}
