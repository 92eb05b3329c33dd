#!/usr/bin/env node
/** Copies the non-TypeScript files the server reads at run time into dist/ (tsc copies only .ts and imported .json). */
import fs from 'node:fs';

const ASSETS = ['domain/policy/aws-managed-policies.bin'];
for (const asset of ASSETS) fs.copyFileSync(new URL(`../src/${asset}`, import.meta.url), new URL(`../dist/${asset}`, import.meta.url));
