#!/usr/bin/env node
/**
 * Copies the non-TypeScript files the server reads at run time next to the compiled sources
 * (tsc copies only .ts and imported .json): into dist/, or into the folder given (the bench's
 * build, dist-bench/src, which compiles the sources again beside the bench).
 */
import fs from 'node:fs';
import path from 'node:path';

const ASSETS = ['domain/policy/aws-managed-policies.bin'];
const out = process.argv[2] ? path.resolve(process.argv[2]) : new URL('../dist/', import.meta.url).pathname;
for (const asset of ASSETS) fs.copyFileSync(new URL(`../src/${asset}`, import.meta.url), path.join(out, asset));
