// One line per event on stderr, with a time and who speaks. Quiet in tests
// unless CUBE_LOG=1, so test output stays the test runner's.

export type Log = (message: string) => void;

export function createLog(who: string, enabled = process.env['CUBE_LOG'] !== '0'): Log {
  if (!enabled) return () => undefined;
  return (message) => process.stderr.write(`${new Date().toISOString()} ${who}: ${message}\n`);
}

export const silentLog: Log = () => undefined;
