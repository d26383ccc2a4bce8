// Reads a server-sent event stream as {type, data} pairs (JSON data), for the
// manager following its workers and for benchmarks and the CLI following Cube.

export interface StreamEvent {
  type: string;
  data: any;
  /** The event's id (a version), when the server gave one. */
  id?: number;
}

export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<StreamEvent> {
  const reader = body.pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        const id = /^id: (\d+)$/m.exec(block)?.[1];
        if (type && data) yield { type, data: JSON.parse(data), ...(id === undefined ? {} : { id: Number(id) }) };
      }
    }
  } finally {
    reader.releaseLock();
  }
}
