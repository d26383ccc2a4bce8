// The manager's sense of time: a tick every second (or four per heartbeat TTL
// when that is shorter), so liveness is judged without the machine reading a clock.
import { fromCallback, type AnyEventObject } from 'xstate';

export const tickInterval = (heartbeatTtlMs: number) => Math.max(10, Math.min(1000, Math.floor(heartbeatTtlMs / 4)));

export const clockActor = fromCallback<AnyEventObject, { heartbeatTtlMs: number }>(({ input, sendBack }) => {
  const timer = setInterval(() => sendBack({ type: 'tick', at: new Date().toISOString() }), tickInterval(input.heartbeatTtlMs));
  return () => clearInterval(timer);
});
