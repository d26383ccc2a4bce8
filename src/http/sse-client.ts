// Reads a server-sent event stream as {type, data} pairs (JSON data), for the
// manager following its workers and for benchmarks and the CLI following Cube:
// the reader the live view uses too (src/ui/event-stream.js), capped.
import { readEventStream, type StreamEvent } from '../ui/event-stream.js';
import { CLIENT_MAX } from '../ui/lines.js';

export type { StreamEvent };
export { EventTooLarge } from '../ui/event-stream.js';

/** The events of `body`; one larger than `maxBytes` ends the reading with an EventTooLarge. */
export function readEvents(body: ReadableStream<Uint8Array>, maxBytes = CLIENT_MAX): AsyncGenerator<StreamEvent> {
  return readEventStream(body, maxBytes);
}
