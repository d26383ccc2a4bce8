// Cube finds its containers by label, never by name alone: labels make every
// runtime call idempotent and let a restarted worker adopt what it started.

/** The task a container runs. */
export const TASK_LABEL = 'cube.task.id';
/** The worker that owns a container; several workers can share one engine. */
export const WORKER_LABEL = 'cube.worker';
