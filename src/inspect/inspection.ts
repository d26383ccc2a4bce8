// --inspect / CUBE_INSPECT=1: Stately's inspector for the actor systems of the
// manager and the workers in this process. A relay (relay.ts) listens on
// CUBE_INSPECT_PORT and serves a page that embeds stately.ai/inspect (which
// needs internet in the browser, and says so when it has none); the actors
// send it their events over a WebSocket. With CUBE_INSPECT_URL, events go to that WebSocket instead and
// no relay starts. Off by default; stopping never hangs.
import { createInspector } from '@statelyai/inspect';
import type { InspectionEvent, Observer } from 'xstate';
import type { Settings } from '../config/settings.js';
import type { Log } from '../log.js';
import { startRelay } from './relay.js';
import { ReconnectingWebSocketAdapter } from './websocket-adapter.js';

export interface Inspection {
  inspect: Observer<InspectionEvent>;
  /** Where a person looks: the relay's page, or the WebSocket events go to. */
  url: string;
  stop(): void;
}

/** `liveView`: the manager's live view, which the relay's page points to when stately.ai cannot be reached. */
export function startInspection(settings: Settings, log: Log, liveView?: string): Inspection | undefined {
  if (!settings.inspect) return undefined;
  const relay = settings.inspectUrl
    ? undefined
    : startRelay(settings.inspectPort, liveView, settings.allowedHosts, (error) => log(`inspector relay on port ${settings.inspectPort}: ${error.message}`));
  const url = settings.inspectUrl || `ws://127.0.0.1:${settings.inspectPort}`;
  let announced = '';
  const adapter = new ReconnectingWebSocketAdapter({
    url,
    onState: (state, detail) => {
      if (state !== announced) log(state === 'open' ? `inspector connected to ${detail}` : detail);
      announced = state;
    },
  });
  const inspector = createInspector(adapter);
  adapter.start();
  const page = relay ? `http://127.0.0.1:${settings.inspectPort}` : url;
  log(
    relay
      ? `inspector: open ${page} in a browser with internet access (it embeds stately.ai/inspect; without internet, use the live view)`
      : `inspector: sending events to ${url}`,
  );
  return {
    inspect: inspector.inspect,
    url: page,
    stop: () => {
      adapter.stop();
      relay?.stop();
    },
  };
}
