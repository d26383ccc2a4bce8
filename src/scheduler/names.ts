// The order schedulers walk workers in: by name, with digits compared as
// numbers so w2 comes before w10. The collator's locale is fixed, and names the
// collator calls equal ("w01", "w1") fall back to code-unit order, so the order
// is total and never depends on the machine or on the input order.

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

export function compareNames(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}
