// The calls of node:test's test() and hooks (and a context's t.test()) in a
// test file, read as TypeScript without running it, with the `timeout` each
// declares. test/unit/test-limits.test.ts holds every test to having one;
// test/helpers/durations-reporter.ts adds them up per file to set beside
// what the file took.
import ts from 'typescript';

const LIMITED = new Set(['test', 'it', 'before', 'after', 'beforeEach', 'afterEach']);

export interface TestCall {
  line: number;
  /** Whether its options name a `timeout` at all. */
  limited: boolean;
  /** The limit in ms when it is a number literal (`60_000`), else undefined. */
  timeoutMs: number | undefined;
  /** The names it gives its test (a template's `${…}` matches anything); undefined for a hook or a computed name. */
  names: RegExp | undefined;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A test's name as written: a string, or a template whose substitutions can be anything. */
function namesOf(name: ts.Expression | undefined): RegExp | undefined {
  if (name === undefined) return undefined;
  if (ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return new RegExp(`^${escape(name.text)}$`);
  if (ts.isTemplateExpression(name)) {
    return new RegExp(`^${escape(name.head.text)}${name.templateSpans.map((span) => `.*${escape(span.literal.text)}`).join('')}$`, 's');
  }
  return undefined;
}

function timeoutOf(options: ts.Expression | undefined): ts.PropertyAssignment | ts.ShorthandPropertyAssignment | undefined {
  if (options === undefined || !ts.isObjectLiteralExpression(options)) return undefined;
  for (const p of options.properties) {
    if ((ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && ts.isIdentifier(p.name) && p.name.text === 'timeout') return p;
  }
  return undefined;
}

export function testCalls(path: string, source: string): TestCall[] {
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true);
  // The local names node:test's functions are imported under.
  const local = new Map<string, string>();
  for (const statement of file.statements) {
    if (!ts.isImportDeclaration(statement) || (statement.moduleSpecifier as ts.StringLiteral).text !== 'node:test') continue;
    const bindings = statement.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings))
      for (const element of bindings.elements) local.set(element.name.text, (element.propertyName ?? element.name).text);
  }
  const found: TestCall[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const args = node.arguments;
      const imported = ts.isIdentifier(callee) ? local.get(callee.text) : undefined;
      const isHook = imported !== undefined && imported !== 'test' && imported !== 'it';
      const subtest = ts.isPropertyAccessExpression(callee) && callee.name.text === 'test' && args.length >= 2 && ts.isFunctionLike(args.at(-1)!);
      if ((imported !== undefined && LIMITED.has(imported)) || subtest) {
        // test(name, options, fn) and t.test(name, options, fn); a hook is hook(fn, options).
        const timeout = timeoutOf(isHook ? args[1] : args.length >= 3 ? args[1] : undefined);
        const value = timeout && ts.isPropertyAssignment(timeout) && ts.isNumericLiteral(timeout.initializer) ? Number(timeout.initializer.text) : undefined;
        const { line } = file.getLineAndCharacterOfPosition(node.getStart());
        found.push({ line: line + 1, limited: timeout !== undefined, timeoutMs: value, names: isHook ? undefined : namesOf(args[0]) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}
