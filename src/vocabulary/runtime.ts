// What a container runtime answers, in the words the task machine records:
// a start (the container, its ports, notes for the history), a stop, and a
// failure with when it was seen and the exit code of a container that ran.
import type { PortBinding } from './task.js';

export interface Started {
  containerId: string;
  hostPorts: Record<string, PortBinding[]> | null;
  /** When Docker started the container (RFC 3339). */
  startedAt: string;
  /** Something the user should know, such as a host port that was taken. */
  notes: string[];
}

export interface Stopped {
  at: string;
}

/** What the container actors reject with: a reason, when, and an exit code if a container ran. */
export interface ActorFailure {
  message: string;
  at: string;
  exitCode?: number;
  /** The container that ran and exited during its start, when there was one. */
  containerId?: string;
}
