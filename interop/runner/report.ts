/**
 * Results as a table like interop.seemann.io (✔ / ✘ / unsupported with the time), as the JSON array of the
 * interop issue, and as the README section the runner regenerates.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { CaseResult } from './runCase.js';

/** One entry of the --json output. */
export interface JsonResult {
  /** The other implementation (ours is quichs), or "client→server" for a pair without quichs. */
  peer: string;
  /** Our role: "client" (our client × peer server), "server" (peer client × our server), or "pair". */
  role: 'client' | 'server' | 'pair';
  /** Case name. */
  case: string;
  /** Outcome. */
  result: CaseResult['result'];
  /** Client run time in ms. */
  ms: number;
  /** Why it is not a pass ('' for a pass). */
  reason: string;
  /** Client implementation. */
  client: string;
  /** Server implementation. */
  server: string;
}

const US = 'quichs';

/** The peer/role view of a result. */
export function toJson(r: CaseResult): JsonResult {
  let peer: string;
  let role: JsonResult['role'];
  if (r.client === US && r.server !== US) [peer, role] = [r.server, 'client'];
  else if (r.server === US && r.client !== US) [peer, role] = [r.client, 'server'];
  else [peer, role] = [`${r.client}→${r.server}`, 'pair'];
  return { peer, role, case: r.case, result: r.result, ms: r.ms, reason: r.reason, client: r.client, server: r.server };
}

function column(r: CaseResult): string {
  const j = toJson(r);
  if (j.role === 'client') return `${j.peer} · our client`;
  if (j.role === 'server') return `${j.peer} · our server`;
  return j.peer;
}

function cell(r: CaseResult | undefined): string {
  if (!r) return '';
  const t = `${(r.ms / 1000).toFixed(1)}s`;
  if (r.result === 'pass') return `✔ ${t}`;
  if (r.result === 'fail') return `✘ ${t}`;
  return 'unsupported';
}

/** Markdown table (rows: cases, columns: pairs) followed by the reason of every non-pass. */
export function markdownTable(results: readonly CaseResult[]): string {
  const cols: string[] = [];
  const rows: string[] = [];
  const at = new Map<string, CaseResult>();
  for (const r of results) {
    const c = column(r);
    if (!cols.includes(c)) cols.push(c);
    if (!rows.includes(r.case)) rows.push(r.case);
    at.set(`${r.case}\u0000${c}`, r);
  }
  const lines = [`| case | ${cols.join(' | ')} |`, `|---|${cols.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row} | ${cols.map((c) => cell(at.get(`${row}\u0000${c}`))).join(' | ')} |`);
  const notes = results.filter((r) => r.result !== 'pass');
  if (notes.length > 0) {
    lines.push('', 'Not passing:', '');
    for (const r of notes) lines.push(`- **${r.case}**, ${column(r)} — ${r.result}: ${r.reason.replace(/\|/g, '\\|')}`);
  }
  const count = (o: CaseResult['result']) => results.filter((r) => r.result === o).length;
  lines.push('', `${count('pass')} passed, ${count('fail')} failed, ${count('unsupported')} unsupported.`);
  return lines.join('\n');
}

/** Writes the JSON array. */
export function writeJson(file: string, results: readonly CaseResult[]): void {
  writeFileSync(file, JSON.stringify(results.map(toJson), null, 2) + '\n');
}

const START = '<!-- interop-matrix:start (pnpm interop --readme regenerates this section) -->';
const END = '<!-- interop-matrix:end -->';

/** Replaces (or appends) the README's matrix section. */
export function updateReadme(file: string, results: readonly CaseResult[], note: string): void {
  const text = readFileSync(file, 'utf8');
  const section = `${START}\n${note}\n\n${markdownTable(results)}\n${END}`;
  const s = text.indexOf(START.slice(0, 30));
  const e = text.indexOf(END);
  const next = s >= 0 && e > s ? text.slice(0, s) + section + text.slice(e + END.length) : `${text.trimEnd()}\n\n## Interop matrix\n\n${section}\n`;
  writeFileSync(file, next);
}
