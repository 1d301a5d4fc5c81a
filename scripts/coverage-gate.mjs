// Coverage gate: line coverage of each package's src/ must be >= QUICHS_COVERAGE_MIN (default 85%).
// Reads coverage/coverage-summary.json written by c8 (json-summary reporter).
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolve, sep } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const min = Number(process.env.QUICHS_COVERAGE_MIN ?? 85);
const summary = JSON.parse(readFileSync(resolve(root, 'coverage/coverage-summary.json'), 'utf8'));
let failed = false;
for (const pkg of readdirSync(resolve(root, 'packages')).sort()) {
  const srcDir = resolve(root, 'packages', pkg, 'src') + sep;
  if (!existsSync(srcDir)) continue;
  if (isPlaceholder(srcDir)) { console.log(`coverage ${pkg}: no code yet (placeholder index.ts only)`); continue; }
  let total = 0, covered = 0;
  for (const [file, m] of Object.entries(summary)) {
    if (file.startsWith(srcDir)) { total += m.lines.total; covered += m.lines.covered; }
  }
  if (total === 0) { console.log(`coverage ${pkg}: no source lines yet`); continue; }
  const pct = (100 * covered) / total;
  const ok = pct >= min;
  if (!ok) failed = true;
  console.log(`coverage ${pkg}: ${pct.toFixed(2)}% lines (${covered}/${total}) ${ok ? 'ok' : `FAIL (< ${min}%)`}`);
}
if (failed) process.exit(1);

/** A package not started yet: its src/ holds only an index.ts whose code (comments removed) is `export {};`. */
function isPlaceholder(dir) {
  const files = readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.ts'));
  if (files.length !== 1 || files[0] !== 'index.ts') return false;
  const code = readFileSync(join(dir, 'index.ts'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '').trim();
  return /^export \{\};?$/.test(code);
}
