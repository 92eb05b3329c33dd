/**
 * SQLite is opened through src/storage/sqlite/better-sqlite3.ts, which loads the better-sqlite3
 * that is safe on the running Node (13 from Node 22 on, 12 on Node 20; see that file for why). A
 * plain `import Database from 'better-sqlite3'` elsewhere would load 13 on Node 20, where it
 * crashes, or hide a second copy from that choice: this suite refuses one in src/, test/ and
 * bench/, and checks that statements dropped by the thousand are collected without aborting the
 * process (better-sqlite3 12 built for Node 24.19 or later aborts there: CI runs this suite on Node
 * 24 and 26 as well).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const THE_MODULE = path.join('src', 'storage', 'sqlite', 'better-sqlite3.ts');

/** `file:line` of each import or require of better-sqlite3 that loads it at run time (a type-only import does not). */
function runtimeImports(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const names = (s: ts.Expression) => ts.isStringLiteral(s) && /^better-sqlite3(-node20)?$/.test(s.text);
  const visit = (node: ts.Node): void => {
    const hit =
      (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && names(node.moduleSpecifier)) ||
      (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier !== undefined && names(node.moduleSpecifier)) ||
      (ts.isCallExpression(node) && node.arguments.length > 0 && names(node.arguments[0]!) &&
        (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require')));
    if (hit) found.push(`${fileName}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'model' ? [] : sourceFiles(full);
    return /\.(ts|mts|mjs|js)$/.test(entry.name) ? [full] : [];
  });
}

describe('SQLite through one module', () => {
  it('the check finds a run-time import or require of better-sqlite3, and passes type-only ones', () => {
    expect(runtimeImports('a.ts', "import Database from 'better-sqlite3';")).toEqual(['a.ts:1']);
    expect(runtimeImports('b.ts', "const x = 1;\nconst D = require('better-sqlite3-node20');")).toEqual(['b.ts:2']);
    expect(runtimeImports('c.ts', "const D = await import('better-sqlite3');")).toEqual(['c.ts:1']);
    expect(runtimeImports('d.ts', "import type Database from 'better-sqlite3';\nimport { x } from 'better-sqlite3-extra';")).toEqual([]);
  });

  it('no file but src/storage/sqlite/better-sqlite3.ts loads better-sqlite3 itself', () => {
    const files = ['src', 'test', 'bench'].flatMap((d) => sourceFiles(path.join(ROOT, d)));
    expect(files.length).toBeGreaterThan(100);
    const found = files
      .map((file) => path.relative(ROOT, file))
      .filter((file) => file !== THE_MODULE)
      .flatMap((file) => runtimeImports(file, fs.readFileSync(path.join(ROOT, file), 'utf8')));
    expect(found).toEqual([]);
  });

  it(`on this Node (${process.version}), statements dropped by the thousand are collected without aborting the process`, () => {
    // In a process of its own: the abort takes the whole process (a vitest worker here).
    const script = `
      const { Database } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/storage/sqlite/better-sqlite3.js')).href)});
      const db = new Database(':memory:');
      for (let i = 0; i < 20000; i++) db.prepare('SELECT ' + i).get();
      await new Promise((resolve) => setTimeout(resolve, 300));
      db.close();
      console.log('collected');`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect({ status: run.status, signal: run.signal, stdout: run.stdout.trim(), stderr: run.stderr.trim() }).toEqual({ status: 0, signal: null, stdout: 'collected', stderr: '' });
  });
});
