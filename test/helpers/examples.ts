// The request bodies of docs/spec.md §7 (docs/examples/), as tests send them.
import { readFileSync } from 'node:fs';

export const example = (name: string): any => JSON.parse(readFileSync(new URL(`../../docs/examples/${name}`, import.meta.url), 'utf8'));
