// Cube finds its containers by label, never by name alone: labels make every
// runtime call idempotent and let a restarted worker adopt what it started.

/** The task a container runs. */
export const TASK_LABEL = 'cube.task.id';
/** The worker that owns a container; several workers can share one engine. */
export const WORKER_LABEL = 'cube.worker';
/** The placement of the task a container was created for (docs/architecture.md §7). */
export const PLACEMENT_LABEL = 'cube.placement';
/**
 * The Cube installation a container belongs to: made at first start and kept
 * in the data dir. Cube never touches a container of another installation,
 * even one with the same task ID and Name on a shared engine.
 */
export const CLUSTER_LABEL = 'cube.cluster';
