// Versions only grow, across restarts too. A change of a record gets the next
// version; a process that starts continues from the highest version it finds
// on disk, or from its start time in microseconds if that is higher. The
// second matters when changes were reported but not written (a disk that
// refused them, then a kill): their versions were seen by others, and a
// counter restored from disk alone would hand them out again, lower than
// what was already seen. A process makes far fewer than a million changes a
// second, so its counter stays behind the clock, and the next start is ahead
// of it (a hybrid logical clock, reduced to what Cube needs).

/** The first version of a process started at `startedAt` (RFC 3339) that found `stored` on disk. */
export const firstVersion = (stored: number, startedAt: string): number => Math.max(stored, Date.parse(startedAt) * 1000);
