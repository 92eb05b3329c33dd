/**
 * The suite's own hygiene, checked on its source.
 *
 * A loop over calls that were all sent before the first is awaited,
 *   for (const call of [iam.send(a), iam.send(b)]) expect(await awsError(call))…
 * leaves each later promise without a handler while an earlier one is awaited. When a later
 * refusal arrives first, Node reports an unhandled rejection, and vitest fails the whole run even
 * though every test passed (CI's retries do not cover it). A CI run was lost to exactly this. Such
 * loops take thunks, `() => iam.send(a)`, each sent when its turn comes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * A request sent: a client's `send(...)` (the SDKs and iamd's own client) or `fetch(...)`. Told
 * by name, without type information, so the check stays a quick parse; values built by other
 * calls (`uniqueName('a')`, `metadata()`) are not promises and do not count.
 */
function sendsRequest(node: ts.Node): boolean {
  if (!ts.isCallExpression(node)) return false;
  const callee = node.expression;
  const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
  return name === 'send' || name === 'fetch';
}

/** `file:line` of each for-of over an array literal of requests whose promises the body awaits. */
function eagerCallLoops(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isForOfStatement(node) &&
      ts.isArrayLiteralExpression(node.expression) &&
      node.expression.elements.some(sendsRequest) &&
      ts.isVariableDeclarationList(node.initializer)
    ) {
      const binding = node.initializer.declarations[0]?.name;
      if (binding && ts.isIdentifier(binding) && awaitsAsValue(node.statement, binding.text)) {
        found.push(`${fileName}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Whether an await in `body` uses `name` as a value (a promise), not as the callee `name()` (a thunk). */
function awaitsAsValue(body: ts.Node, name: string): boolean {
  let hit = false;
  const inAwait = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && node.text === name && !(ts.isCallExpression(node.parent) && node.parent.expression === node)) hit = true;
    ts.forEachChild(node, inAwait);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isAwaitExpression(node)) inAwait(node.expression);
    else ts.forEachChild(node, visit);
  };
  visit(body);
  return hit;
}

const TEST_DIR = path.dirname(fileURLToPath(import.meta.url));

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('test hygiene', () => {
  it('the check finds a loop over requests sent at once, and passes thunks and loops over values', () => {
    const eager = `for (const call of [\n  iam.send(a),\n  iam.send(b),\n]) {\n  expect(await awsError(call)).toEqual(x);\n}`;
    expect(eagerCallLoops('eager.ts', eager)).toEqual(['eager.ts:1']);
    expect(eagerCallLoops('direct.ts', 'for (const p of [fetch(a), fetch(b)]) await p;')).toEqual(['direct.ts:1']);
    expect(eagerCallLoops('thunks.ts', 'for (const call of [() => iam.send(a), () => iam.send(b)]) await awsError(call());')).toEqual([]);
    expect(eagerCallLoops('values.ts', "for (const name of [uniqueName('a'), uniqueName('b')]) await create(name);")).toEqual([]);
    expect(eagerCallLoops('plain.ts', 'for (const n of [1, 2]) await wait(n);')).toEqual([]);
  });

  it('no test file sends a loop of requests before awaiting the first', () => {
    const files = testFiles(TEST_DIR);
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((file) => eagerCallLoops(path.relative(TEST_DIR, file), fs.readFileSync(file, 'utf8')));
    expect(found).toEqual([]);
  });
});
