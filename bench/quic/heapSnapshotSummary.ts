/**
 * Summarises a V8 heap snapshot (a tool for the memory benchmark, not a test): self size by constructor, and the
 * retained size of every instance of chosen classes broken down by property path (dominator tree), averaged per
 * instance. Used to find what an idle QUIC connection keeps alive.
 * Run: node --conditions=source --import tsx bench/quic/heapSnapshotSummary.ts FILE.heapsnapshot [--class Connection,TlsEngine] [--depth 3] [--top 40]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { class: { type: 'string' }, depth: { type: 'string' }, top: { type: 'string' }, min: { type: 'string' } },
});
const classes = (values.class ?? 'Connection').split(',');
const maxDepth = Number(values.depth ?? 3);
const top = Number(values.top ?? 40);
/** Smallest average retained bytes per instance printed in the breakdown. */
const minBytes = Number(values.min ?? 64);

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; edge_fields: string[]; node_types: [string[]]; edge_types: [string[]] }; node_count: number };
  nodes: number[];
  edges: number[];
  strings: string[];
}
const snap = JSON.parse(readFileSync(positionals[0], 'utf8')) as Snapshot;
const meta = snap.snapshot.meta;
const NF = meta.node_fields.length;
const EF = meta.edge_fields.length;
const nType = meta.node_fields.indexOf('type');
const nName = meta.node_fields.indexOf('name');
const nSelf = meta.node_fields.indexOf('self_size');
const nEdges = meta.node_fields.indexOf('edge_count');
const eType = meta.edge_fields.indexOf('type');
const eName = meta.edge_fields.indexOf('name_or_index');
const eTo = meta.edge_fields.indexOf('to_node');
const nodeTypes = meta.node_types[0];
const edgeTypes = meta.edge_types[0];
const N = snap.nodes.length / NF;
const nodes = snap.nodes;
const edges = snap.edges;
const strings = snap.strings;
const firstEdge = new Uint32Array(N + 1);
for (let i = 0, e = 0; i < N; i++) {
  firstEdge[i] = e;
  e += nodes[i * NF + nEdges] * EF;
}
firstEdge[N] = edges.length;
const WEAK = edgeTypes.indexOf('weak');
const SHORTCUT = edgeTypes.indexOf('shortcut');
const typeOf = (i: number): string => nodeTypes[nodes[i * NF + nType]];
const nameOf = (i: number): string => strings[nodes[i * NF + nName]];
const selfOf = (i: number): number => nodes[i * NF + nSelf];
const label = (i: number): string => {
  const t = typeOf(i);
  if (t === 'object' || t === 'closure' || t === 'native' || t === 'hidden' || t === 'synthetic') return `${t}:${nameOf(i).slice(0, 60)}`;
  return t;
};
const edgeLabel = (e: number): string => {
  const t = edgeTypes[edges[e + eType]];
  const n = edges[e + eName];
  return t === 'element' || t === 'hidden' ? `[${t === 'hidden' ? 'h' : ''}]` : t === 'context' ? `ctx.${strings[n]}` : strings[n];
};

// Self size by constructor.
const byCtor = new Map<string, { count: number; size: number }>();
for (let i = 0; i < N; i++) {
  const k = label(i);
  const r = byCtor.get(k) ?? { count: 0, size: 0 };
  r.count++;
  r.size += selfOf(i);
  byCtor.set(k, r);
}
let total = 0;
for (let i = 0; i < N; i++) total += selfOf(i);
console.log(`${N} nodes, ${(total / 1e6).toFixed(1)} MB self size`);
for (const [k, r] of [...byCtor].sort((a, b) => b[1].size - a[1].size).slice(0, top)) {
  console.log(`  ${(r.size / 1e6).toFixed(2).padStart(8)} MB ${String(r.count).padStart(9)}  ${k}`);
}

// Dominator tree (Cooper–Harvey–Kennedy over a reverse postorder from the root, weak edges ignored).
const order = new Int32Array(N).fill(-1); // postorder number
const post: number[] = [];
{
  const stack = [0];
  const iter = new Uint32Array(N);
  const seen = new Uint8Array(N);
  seen[0] = 1;
  iter[0] = firstEdge[0];
  while (stack.length) {
    const v = stack[stack.length - 1];
    let pushed = false;
    while (iter[v] < firstEdge[v + 1]) {
      const e = iter[v];
      iter[v] += EF;
      const t = edges[e + eType];
      if (t === WEAK || t === SHORTCUT) continue;
      const w = edges[e + eTo] / NF;
      if (!seen[w]) {
        seen[w] = 1;
        iter[w] = firstEdge[w];
        stack.push(w);
        pushed = true;
        break;
      }
    }
    if (!pushed) {
      stack.pop();
      order[v] = post.length;
      post.push(v);
    }
  }
}
// predecessors
const predCount = new Uint32Array(N + 1);
for (let v = 0; v < N; v++) {
  if (order[v] < 0) continue;
  for (let e = firstEdge[v]; e < firstEdge[v + 1]; e += EF) {
    const t = edges[e + eType];
    if (t === WEAK || t === SHORTCUT) continue;
    predCount[edges[e + eTo] / NF + 1]++;
  }
}
for (let i = 0; i < N; i++) predCount[i + 1] += predCount[i];
const preds = new Uint32Array(predCount[N]);
const fill = predCount.slice(0, N);
for (let v = 0; v < N; v++) {
  if (order[v] < 0) continue;
  for (let e = firstEdge[v]; e < firstEdge[v + 1]; e += EF) {
    const t = edges[e + eType];
    if (t === WEAK || t === SHORTCUT) continue;
    const w = edges[e + eTo] / NF;
    preds[fill[w]++] = v;
  }
}
const idom = new Int32Array(N).fill(-1);
idom[0] = 0;
const intersect = (a: number, b: number): number => {
  while (a !== b) {
    while (order[a] < order[b]) a = idom[a];
    while (order[b] < order[a]) b = idom[b];
  }
  return a;
};
for (let changed = true; changed; ) {
  changed = false;
  for (let k = post.length - 2; k >= 0; k--) {
    const v = post[k];
    let d = -1;
    for (let p = predCount[v]; p < predCount[v + 1]; p++) {
      const u = preds[p];
      if (idom[u] < 0) continue;
      d = d < 0 ? u : intersect(u, d);
    }
    if (d >= 0 && idom[v] !== d) {
      idom[v] = d;
      changed = true;
    }
  }
}
const retained = new Float64Array(N);
for (const v of post) retained[v] += selfOf(v);
for (const v of post) if (v !== 0 && idom[v] >= 0) retained[idom[v]] += retained[v];

// Breakdown: for each instance of a class, walk its dominated children through edges, grouping by property path.
for (const cls of classes) {
  const inst: number[] = [];
  for (let i = 0; i < N; i++) if (typeOf(i) === 'object' && nameOf(i) === cls) inst.push(i);
  if (!inst.length) {
    console.log(`\n${cls}: no instances`);
    continue;
  }
  let sum = 0;
  for (const i of inst) sum += retained[i];
  console.log(`\n${cls}: ${inst.length} instances, retained ${(sum / inst.length).toFixed(0)} B each (self ${selfOf(inst[0])})`);
  const paths = new Map<string, number>();
  const walk = (v: number, path: string, depth: number): void => {
    for (let e = firstEdge[v]; e < firstEdge[v + 1]; e += EF) {
      const t = edges[e + eType];
      if (t === WEAK || t === SHORTCUT) continue;
      const w = edges[e + eTo] / NF;
      if (idom[w] !== v) continue;
      const p = `${path}.${edgeLabel(e)}(${label(w)})`;
      paths.set(p, (paths.get(p) ?? 0) + retained[w]);
      if (depth < maxDepth) walk(w, p, depth + 1);
    }
  };
  for (const i of inst) walk(i, '', 1);
  const rows = [...paths].map(([p, s]) => [p, s / inst.length] as const).filter(([, s]) => s >= minBytes);
  rows.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  for (const [p, s] of rows) {
    const depth = p.split(').').length;
    console.log(`  ${s.toFixed(0).padStart(7)} ${'  '.repeat(depth - 1)}${p.slice(p.lastIndexOf(').') + 2 || 1)}`);
  }
}
// Who dominates the bulk: top dominators of class instances by retained size among other objects.
console.log('\nlargest retained (objects with >= 100 instances, average retained):');
const agg = new Map<string, { n: number; r: number }>();
for (let i = 0; i < N; i++) {
  const t = typeOf(i);
  if (t !== 'object' && t !== 'closure') continue;
  const k = label(i);
  const a = agg.get(k) ?? { n: 0, r: 0 };
  a.n++;
  a.r += retained[i];
  agg.set(k, a);
}
for (const [k, a] of [...agg].filter(([, a]) => a.n >= 100).sort((x, y) => y[1].r - x[1].r).slice(0, top)) {
  console.log(`  ${(a.r / 1e6).toFixed(2).padStart(8)} MB ${String(a.n).padStart(8)} × ${(a.r / a.n).toFixed(0).padStart(7)} B  ${k}`);
}

// Who dominates the instances of the --class classes (by the dominator's label and the edge name from it).
console.log('\ndominators of the instances:');
for (const cls of classes) {
  const hist = new Map<string, number>();
  for (let i = 0; i < N; i++) {
    if (typeOf(i) !== 'object' || nameOf(i) !== cls) continue;
    const d = idom[i];
    let edge = '?';
    for (let e = firstEdge[d]; e < firstEdge[d + 1]; e += EF) if (edges[e + eTo] / NF === i) edge = edgeLabel(e);
    const k = `${label(d)} .${edge}`;
    hist.set(k, (hist.get(k) ?? 0) + 1);
  }
  for (const [k, n] of [...hist].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`  ${cls}: ${n} × ${k}`);
}

// Dominator chains of a few instances of each --class class (what keeps them alive).
console.log('\ndominator chains (3 instances each):');
for (const cls of classes) {
  let shown = 0;
  for (let i = 0; i < N && shown < 3; i++) {
    if (typeOf(i) !== 'object' || nameOf(i) !== cls || i % 7 !== 0) continue;
    shown++;
    const chain: string[] = [];
    for (let v = i, k = 0; v !== 0 && k < 12; v = idom[v], k++) {
      const d = idom[v];
      let edge = '?';
      for (let e = firstEdge[d]; e < firstEdge[d + 1]; e += EF) if (edges[e + eTo] / NF === v) edge = edgeLabel(e);
      chain.push(`${label(v)} ←.${edge}`);
    }
    console.log(`  ${chain.join(' ')}`);
  }
}

// The largest single objects by retained size, with the edge that holds them.
console.log('\nlargest single objects:');
{
  const idx: number[] = [];
  for (let i = 1; i < N; i++) if (retained[i] > 100_000 && typeOf(i) !== 'synthetic' && typeOf(i) !== 'hidden') idx.push(i);
  idx.sort((a, b) => retained[b] - retained[a]);
  for (const i of idx.slice(0, top)) {
    const d = idom[i];
    let edge = '?';
    for (let e = firstEdge[d]; e < firstEdge[d + 1]; e += EF) if (edges[e + eTo] / NF === i) edge = edgeLabel(e);
    console.log(`  ${(retained[i] / 1e6).toFixed(2).padStart(7)} MB  ${label(i)}  ← ${label(d)}.${edge}`);
  }
}

// ArrayBuffer backing stores by size and by what dominates their ArrayBuffer (edge name + holder label).
console.log('\narray buffer backing stores by holder:');
{
  const hist = new Map<string, { n: number; bytes: number }>();
  for (let i = 0; i < N; i++) {
    if (typeOf(i) !== 'native' || nameOf(i) !== 'system / JSArrayBufferData') continue;
    const ab = idom[i];
    const holder = idom[ab];
    const viaEdge = (from: number, to: number): string => {
      for (let e = firstEdge[from]; e < firstEdge[from + 1]; e += EF) if (edges[e + eTo] / NF === to) return edgeLabel(e);
      return '?';
    };
    const up = idom[holder];
    const k = `${label(up)}.${viaEdge(up, holder)} → ${label(holder)}.${viaEdge(holder, ab)} (${selfOf(i) >= 1024 ? '>=1K' : '<1K'})`;
    const h = hist.get(k) ?? { n: 0, bytes: 0 };
    h.n++;
    h.bytes += selfOf(i);
    hist.set(k, h);
  }
  for (const [k, h] of [...hist].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top)) {
    console.log(`  ${(h.bytes / 1e6).toFixed(2).padStart(7)} MB ${String(h.n).padStart(7)}  ${k}`);
  }
}
