// The request bodies of docs/spec.md §7 (docs/examples/), as tests send them.
import { readFileSync } from 'node:fs';

export const example = (name: string): any => JSON.parse(readFileSync(new URL(`../../docs/examples/${name}`, import.meta.url), 'utf8'));

/** One answer recorded from the book's own code (docs/examples/book/), with its body parsed. */
export const bookRecording = (name: string): { request: string; requestBody: string | null; status: number; contentType: string; body: string; json: any } => {
  const recorded = example(`book/${name}`);
  return { ...recorded, json: JSON.parse(recorded.body) };
};
