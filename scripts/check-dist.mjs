// Checks what `pnpm build` produced, as a consumer of the published packages would see it (run after the build):
// every package is ESM with engines.node >= 20.19, every export target (.js and .d.ts) exists, every src/*.ts has
// its dist .js and .d.ts, and a consumer outside the workspace — plain `node`, no `source` condition, no tsx —
// imports @quichs/tls-hs, @quichs/tls-hs/noble, @quichs/quic-crypto, @quichs/quic-transport and @quichs/tls-socket
// from dist, reproduces the RFC 9001 A.1 client Initial keys and type-checks against the emitted .d.ts.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const problems = [];
const packages = readdirSync(join(root, 'packages')).filter((d) => existsSync(join(root, 'packages', d, 'package.json'))).sort();

for (const dir of packages) {
  const base = join(root, 'packages', dir);
  const pkg = JSON.parse(readFileSync(join(base, 'package.json'), 'utf8'));
  if (pkg.type !== 'module') problems.push(`${pkg.name}: "type" is not "module"`);
  if (pkg.engines?.node !== '>=20.19') problems.push(`${pkg.name}: engines.node is ${pkg.engines?.node}, not >=20.19`);
  for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
    for (const cond of ['types', 'default']) {
      if (typeof target[cond] !== 'string') problems.push(`${pkg.name} exports["${sub}"] has no "${cond}"`);
      else if (!existsSync(join(base, target[cond]))) problems.push(`${pkg.name} exports["${sub}"].${cond} → ${target[cond]} missing`);
    }
  }
  const src = join(base, 'src');
  for (const f of readdirSync(src, { recursive: true }).map(String).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))) {
    for (const ext of ['.js', '.d.ts']) {
      const out = join(base, 'dist', f.replace(/\.ts$/, ext));
      if (!existsSync(out)) problems.push(`${pkg.name}: ${relative(root, out)} missing`);
    }
  }
}

const consumer = mkdtempSync(join(tmpdir(), 'quichs-consumer-'));
try {
  mkdirSync(join(consumer, 'node_modules', '@quichs'), { recursive: true });
  for (const dir of packages) symlinkSync(join(root, 'packages', dir), join(consumer, 'node_modules', '@quichs', dir), 'dir');
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'quichs-consumer', private: true, type: 'module' }));
  writeFileSync(
    join(consumer, 'consumer.mjs'),
    `import { createNodeProvider, createNobleProvider, createTlsEngine, TlsState } from '@quichs/tls-hs';
import { createNobleProvider as nobleOnly } from '@quichs/tls-hs/noble';
import { initialKeys, QuicVersion, INITIAL_CIPHER_SUITE, PacketProtector } from '@quichs/quic-crypto';
import * as transport from '@quichs/quic-transport';
import * as socket from '@quichs/tls-socket';
const hex = (b) => Buffer.from(b).toString('hex');
const fail = (m) => { console.error(m); process.exit(1); };
for (const spec of ['@quichs/tls-hs', '@quichs/tls-hs/noble', '@quichs/quic-crypto', '@quichs/quic-transport', '@quichs/tls-socket']) {
  const url = import.meta.resolve(spec);
  if (!/\\/dist\\/.*\\.js$/.test(url)) fail(spec + ' resolved to ' + url + ', not dist');
}
if (QuicVersion.V1 !== 1 || QuicVersion.V2 !== 0x6b3343cf) fail('QuicVersion');
for (const provider of [createNodeProvider(), createNobleProvider(), nobleOnly()]) {
  const k = initialKeys(QuicVersion.V1, Uint8Array.from(Buffer.from('8394c8f03e515708', 'hex')), provider).client;
  if (hex(k.key) !== '1f369613dd76d5467730efcbe3b1a22d' || hex(k.iv) !== 'fa044b2f42a3fd3b46fb255c' || hex(k.hp) !== '9f50449e04a0e810283a1e9933adedd2')
    fail('RFC 9001 A.1 client keys differ with ' + provider.name);
  new PacketProtector(INITIAL_CIPHER_SUITE, k, { provider });
}
if (typeof createTlsEngine !== 'function' || TlsState === undefined) fail('tls-hs engine exports');
if (Object.keys(transport).length === 0 || Object.keys(socket).length === 0) fail('empty package exports');
console.log('consumer: dist imports ok');
`,
  );
  writeFileSync(
    join(consumer, 'consumer.ts'),
    `import { initialKeys, QuicVersion, PacketProtector, INITIAL_CIPHER_SUITE, type PacketKeys } from '@quichs/quic-crypto';
import { createNodeProvider, type CryptoProvider, type Aead } from '@quichs/tls-hs';
import { createNobleProvider } from '@quichs/tls-hs/noble';
const provider: CryptoProvider = createNodeProvider();
const noble: CryptoProvider = createNobleProvider();
const keys: PacketKeys = initialKeys(QuicVersion.V1, new Uint8Array(8), provider).client;
const aead: Aead = noble.createAead('aes-128-gcm', keys.key);
const n: number = aead.sealInto(new Uint8Array(12), new Uint8Array(0), new Uint8Array(4), new Uint8Array(20), 0);
const protector = new PacketProtector(INITIAL_CIPHER_SUITE, keys, { provider });
const tag: string = protector.suite.name;
export { n, tag };
`,
  );
  const run = (cmd, args) => execFileSync(cmd, args, { cwd: consumer, stdio: 'pipe', encoding: 'utf8' });
  try {
    process.stdout.write(run(process.execPath, ['consumer.mjs']));
  } catch (e) {
    problems.push(`consumer.mjs failed: ${e.stderr || e.stdout || e.message}`);
  }
  try {
    run(process.execPath, [
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--typeRoots', join(root, 'node_modules', '@types'), '--types', 'node', 'consumer.ts',
    ]);
    console.log('consumer: types from the emitted .d.ts ok');
  } catch (e) {
    problems.push(`consumer.ts does not type-check against dist: ${e.stdout || e.stderr || e.message}`);
  }
} finally {
  rmSync(consumer, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`check-dist: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-dist: ${packages.length} packages ok (ESM, engines >=20.19, exports, .js + .d.ts for every source file)`);
