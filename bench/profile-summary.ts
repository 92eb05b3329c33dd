/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, e.g. from `npm run bench -- --cpu-prof DIR`):
 * self time by function, self time by file, and inclusive time of iamd's own functions.
 *
 *   node dist-bench/bench/profile-summary.js DIR/CPU.*.cpuprofile [--top N]
 */
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const top = topIndex >= 0 ? Number(args.splice(topIndex, 2)[1]) : 25;
if (args.length === 0) {
  console.error('usage: profile-summary.js FILE.cpuprofile [--top N]');
  process.exit(2);
}

for (const file of args) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const totalHits = profile.nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0);
  const msPerHit = (profile.endTime - profile.startTime) / 1000 / Math.max(1, totalHits);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const short = (url: string) => url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, '$1/').replace(/^node:/, 'node:');
  const frame = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
  const idle = profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').reduce((s, n) => s + (n.hitCount ?? 0), 0);
  const busy = totalHits - idle;

  const self = new Map<string, number>();
  const perFile = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits || n.callFrame.functionName === '(idle)') continue;
    self.set(frame(n), (self.get(frame(n)) ?? 0) + hits);
    const f = n.callFrame.url ? short(n.callFrame.url) : n.callFrame.functionName;
    perFile.set(f, (perFile.get(f) ?? 0) + hits);
    // inclusive: every distinct dist/ (iamd) frame on the stack, once per sample
    const seen = new Set<string>();
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
      const a = byId.get(id)!;
      if (!/\/dist(-bench)?\/src\//.test(a.callFrame.url) && !a.callFrame.url.includes('/dist/')) continue;
      const k = frame(a);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + hits);
    }
  }
  const pct = (h: number) => `${((h / busy) * 100).toFixed(1).padStart(5)} %`;
  const list = (title: string, m: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [k, h] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(h)}  ${(h * msPerHit).toFixed(0).padStart(7)} ms  ${k}`);
  };
  console.log(`${file}\n  ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s profiled, busy ${((busy / totalHits) * 100).toFixed(0)} % (percentages below are of busy time)`);
  list('self time by function', self);
  list('self time by file', perFile);
  list("inclusive time of iamd's functions (dist/)", inclusive);
}
