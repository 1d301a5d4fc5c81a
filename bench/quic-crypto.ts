/**
 * quic-crypto benchmark (not a test). Per provider and per cipher suite, for 1200-byte 1-RTT packets:
 * seal into a datagram buffer (the transport's path), seal into a new array, open (header-protection removal +
 * AEAD open), seal+open, the provider's bare AEAD sealInto, header-protection masks/s; and, as the upper bound the node
 * provider builds on, the bare node:crypto loop (createCipheriv + setAAD + update + final + getAuthTag, alone and
 * followed by one AES-ECB mask) measured in the same run. Cases are interleaved round by round (the machine is
 * shared, so every figure is the median of the rounds; the best round is printed too). Also prints JS-heap
 * allocations per packet (V8 sampling heap profiler at a 1-byte interval) and node:crypto binding calls per packet.
 *
 * Run: pnpm bench:quic-crypto [msPerRound=250] [rounds=5]
 */
import { createCipheriv, createDecipheriv, createSecretKey, type CipherGCMTypes } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { performance } from 'node:perf_hooks';
import { createNobleProvider, createNodeProvider, type CryptoProvider } from '@quichs/tls-hs';
import { KeyPhaseManager, quicCipherSuite, type QuicCipherSuite } from '@quichs/quic-crypto';

const require = createRequire(import.meta.url);
const PACKET_SIZE = 1200;
const DCID_LENGTH = 8;
const PN_OFFSET = 1 + DCID_LENGTH;
const PN_LENGTH = 4;
const HEADER_LENGTH = PN_OFFSET + PN_LENGTH;
const TAG_LENGTH = 16;
const PAYLOAD_LENGTH = PACKET_SIZE - HEADER_LENGTH - TAG_LENGTH;
const TARGET_SEALS_PER_SECOND = 120_000;
const msPerRound = Number(process.argv[2] ?? 250);
const rounds = Math.max(1, Number(process.argv[3] ?? 5));
const SUITES = [0x1301, 0x1302, 0x1303] as const;

/** A short header (fixed bit, 4-byte packet number) for packet number `pn`, written into `h`. */
function writeHeader(h: Uint8Array, pn: number): Uint8Array {
  h[0] = 0x40 | (PN_LENGTH - 1);
  for (let i = 1; i <= DCID_LENGTH; i++) h[i] = i;
  h[PN_OFFSET] = (pn >>> 24) & 0xff;
  h[PN_OFFSET + 1] = (pn >>> 16) & 0xff;
  h[PN_OFFSET + 2] = (pn >>> 8) & 0xff;
  h[PN_OFFSET + 3] = pn & 0xff;
  return h;
}

interface Case {
  readonly label: string;
  readonly step: (i: number) => void;
  readonly rates: number[];
}

/** Benchmark cases, run interleaved: every round runs each case for `msPerRound`. */
class Runner {
  readonly cases: Case[] = [];
  add(label: string, step: (i: number) => void): Case {
    const c: Case = { label, step, rates: [] };
    this.cases.push(c);
    return c;
  }
  run(): void {
    for (const c of this.cases) for (let i = 0; i < 2000; i++) c.step(i); // warm-up: let the JIT optimise every path
    for (let r = 0; r < rounds; r++) {
      for (const c of this.cases) {
        let n = 0;
        const start = performance.now();
        let elapsed = 0;
        while (elapsed < msPerRound) {
          for (let k = 0; k < 128; k++) c.step(n++);
          elapsed = performance.now() - start;
        }
        c.rates.push((n * 1000) / elapsed);
      }
    }
  }
}

const median = (c: Case): number => [...c.rates].sort((a, b) => a - b)[c.rates.length >> 1];
const best = (c: Case): number => Math.max(...c.rates);
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US').padStart(10);
const mbs = (r: number): string => `${((r * PAYLOAD_LENGTH) / 1e6).toFixed(1).padStart(6)} MB/s`;

/** The per-packet operations of one provider and suite, on reusable buffers like the transport's. */
function packetCases(runner: Runner, provider: CryptoProvider, cs: QuicCipherSuite): Record<string, Case> {
  const a = new Uint8Array(cs.secretLength).fill(0x5a);
  const b = new Uint8Array(cs.secretLength).fill(0xa5);
  const payload = new Uint8Array(PAYLOAD_LENGTH).fill(0x01);
  const headers = Array.from({ length: 256 }, (_, i) => writeHeader(new Uint8Array(HEADER_LENGTH), i));
  const p = `${provider.name} ${cs.name}`;

  const sender = new KeyPhaseManager(cs, b, a, { provider });
  const datagram = new Uint8Array(1500);
  const sealInto = runner.add(`${p} seal into datagram`, (i) => {
    sender.protectInto(headers[i & 255], payload, PN_OFFSET, i & 255, datagram, 0);
  });
  const sealNew = runner.add(`${p} seal new array`, (i) => {
    sender.protect(headers[i & 255], payload, PN_OFFSET, i & 255);
  });

  // Receive path: 256 packets sealed once, opened over and over (HP removal + AEAD open + result object).
  const peerTx = new KeyPhaseManager(cs, b, a, { provider });
  const receiver = new KeyPhaseManager(cs, a, b, { provider });
  const sealed = headers.map((h, pn) => peerTx.protect(Uint8Array.from(h), payload, PN_OFFSET, pn));
  const open = runner.add(`${p} open`, (i) => {
    receiver.unprotect(sealed[i & 255], PN_OFFSET, 128);
  });

  const tx = new KeyPhaseManager(cs, b, a, { provider });
  const rx = new KeyPhaseManager(cs, a, b, { provider });
  const h = new Uint8Array(HEADER_LENGTH);
  let largest = -1;
  const round = runner.add(`${p} seal + open`, (pn) => {
    const len = tx.protectInto(writeHeader(h, pn), payload, PN_OFFSET, pn, datagram, 0);
    largest = rx.unprotect(datagram.subarray(0, len), PN_OFFSET, largest).packetNumber;
  });

  const bare = provider.createAead(cs.aead, new Uint8Array(cs.keyLength));
  const nonce = new Uint8Array(12);
  const aeadOut = new Uint8Array(1500);
  const aead = runner.add(`${p} provider AEAD sealInto`, (i) => {
    nonce[11] = i & 0xff;
    bare.sealInto(nonce, headers[0], payload, aeadOut, HEADER_LENGTH);
  });
  return { sealInto, sealNew, open, round, aead };
}

/** The bare node:crypto loop for one suite: the floor of any node:crypto AEAD (no per-packet work of ours). */
function bareNodeCases(runner: Runner, cs: QuicCipherSuite): Record<string, Case> {
  const name = cs.aead as CipherGCMTypes;
  const key = createSecretKey(new Uint8Array(cs.keyLength).fill(9));
  const nonce = new Uint8Array(12);
  const aad = writeHeader(new Uint8Array(HEADER_LENGTH), 7);
  const payload = new Uint8Array(PAYLOAD_LENGTH).fill(0x01);
  const opts = { authTagLength: TAG_LENGTH };
  const seal = runner.add(`bare node:crypto ${cs.aead} seal`, (i) => {
    nonce[11] = i & 0xff;
    const c = createCipheriv(name, key, nonce, opts);
    c.setAAD(aad);
    c.update(payload);
    c.final();
    c.getAuthTag();
  });
  const ecb = createCipheriv(cs.hpKeyLength === 16 ? 'aes-128-ecb' : 'aes-256-ecb', createSecretKey(new Uint8Array(cs.hpKeyLength)), null);
  ecb.setAutoPadding(false);
  const sealMask = runner.add(`bare node:crypto ${cs.aead} seal + ECB mask`, (i) => {
    nonce[11] = i & 0xff;
    const c = createCipheriv(name, key, nonce, opts);
    c.setAAD(aad);
    const body = c.update(payload);
    c.final();
    c.getAuthTag();
    ecb.update(body.subarray(0, 16));
  });
  const openNonce = new Uint8Array(12).fill(3);
  const c = createCipheriv(name, key, openNonce, opts);
  c.setAAD(aad);
  const ct = c.update(payload);
  c.final();
  const tag = c.getAuthTag();
  const open = runner.add(`bare node:crypto ${cs.aead} open`, () => {
    const d = createDecipheriv(name, key, openNonce, opts);
    d.setAuthTag(tag);
    d.setAAD(aad);
    d.update(ct);
    d.final();
  });
  const openMask = runner.add(`bare node:crypto ${cs.aead} ECB header mask + open`, () => {
    ecb.update(ct.subarray(0, 16));
    const d = createDecipheriv(name, key, openNonce, opts);
    d.setAuthTag(tag);
    d.setAAD(aad);
    d.update(ct);
    d.final();
  });
  return { seal, sealMask, open, openMask };
}

/** JS-heap allocations (count, bytes) per call of `step`, from V8's sampling heap profiler at a 1-byte interval. */
async function allocationsPerCall(step: (i: number) => void, calls = 2000): Promise<{ count: number; bytes: number }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 1,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    for (let i = 0; i < calls; i++) step(i);
    // `samples` (one per sampled allocation) is in the protocol but not in @types/node's SamplingHeapProfile.
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as {
      profile: { samples: readonly { readonly size: number }[] };
    };
    let bytes = 0;
    for (const s of profile.samples) bytes += s.size;
    return { count: profile.samples.length / calls, bytes: bytes / calls };
  } finally {
    session.disconnect();
  }
}

/**
 * Counts calls into node:crypto's cipher API per `step` (createCipheriv/createDecipheriv, setAAD, setAuthTag, update,
 * final, getAuthTag — each one crosses into C++; a create is two crossings, new CipherBase + initiv) by wrapping
 * them for a while. `syncBuiltinESMExports` makes the providers' ESM imports see the wrappers.
 */
function nodeCryptoCallsPerCall(step: (i: number) => void, calls = 1000): number {
  let count = 0;
  const wrap = (owner: Record<string, unknown>, m: string): (() => void) => {
    const original = owner[m] as (...a: unknown[]) => unknown;
    owner[m] = function (this: unknown, ...args: unknown[]) {
      count++;
      return original.apply(this, args);
    };
    return () => { owner[m] = original; };
  };
  const cryptoModule = require('node:crypto') as Record<string, unknown>;
  const key = new Uint8Array(16);
  const cipherProto = Object.getPrototypeOf(createCipheriv('aes-128-gcm', key, new Uint8Array(12))) as Record<string, unknown>;
  const decipherProto = Object.getPrototypeOf(createDecipheriv('aes-128-gcm', key, new Uint8Array(12))) as Record<string, unknown>;
  const restore = [
    wrap(cryptoModule, 'createCipheriv'),
    wrap(cryptoModule, 'createDecipheriv'),
    ...['setAAD', 'update', 'final', 'getAuthTag'].map((m) => wrap(cipherProto, m)),
    ...['setAAD', 'update', 'final', 'setAuthTag'].map((m) => wrap(decipherProto, m)),
  ];
  syncBuiltinESMExports();
  try {
    for (let i = 0; i < calls; i++) step(i);
  } finally {
    for (const r of restore) r();
    syncBuiltinESMExports();
  }
  return count / calls;
}

const providers = [createNodeProvider(), createNobleProvider()];
const runner = new Runner();
const bareBySuite = new Map<number, Record<string, Case>>();
const packetBy = new Map<string, Record<string, Case>>();
for (const code of SUITES) {
  const cs = quicCipherSuite(code);
  bareBySuite.set(code, bareNodeCases(runner, cs));
  for (const provider of providers) packetBy.set(`${provider.name}/${code}`, packetCases(runner, provider, cs));
}
const hpCases = providers.flatMap((provider) =>
  (['aes-128-ecb', 'aes-256-ecb', 'chacha20'] as const).map((alg) => {
    const hp = provider.createHeaderProtection(alg, new Uint8Array(alg === 'aes-128-ecb' ? 16 : 32).fill(7));
    const sample = new Uint8Array(16).fill(3);
    return runner.add(`${provider.name} header protection ${alg}`, (i) => {
      sample[0] = i & 0xff;
      hp.mask(sample);
    });
  }),
);

console.log(
  `quic-crypto benchmark: ${PACKET_SIZE}-byte 1-RTT packets (${HEADER_LENGTH}-byte header, ${PAYLOAD_LENGTH}-byte payload, ` +
    `${TAG_LENGTH}-byte tag); ${rounds} interleaved rounds of ${msPerRound} ms per case; median of rounds (best round)`,
);
console.log(`node ${process.version}, OpenSSL ${process.versions.openssl}`);
runner.run();

const line = (label: string, c: Case, extra = ''): void =>
  console.log(`    ${label.padEnd(30)} /s ${fmt(median(c))} (${fmt(best(c)).trim()})  ${mbs(median(c))}${extra}`);
for (const code of SUITES) {
  const cs = quicCipherSuite(code);
  const bare = bareBySuite.get(code)!;
  console.log(`\n${cs.name}`);
  console.log('  upper bound: bare node:crypto, no per-packet work of ours');
  line('seal', bare.seal);
  line('seal + ECB header mask', bare.sealMask);
  line('open', bare.open);
  line('ECB header mask + open', bare.openMask);
  for (const provider of providers) {
    const c = packetBy.get(`${provider.name}/${code}`)!;
    console.log(`  provider ${provider.name}`);
    const ofBare = (x: Case, y: Case): string => `  = ${((100 * median(x)) / median(y)).toFixed(0)}% of bare`;
    line('seal into datagram', c.sealInto, provider.name === 'node' ? ofBare(c.sealInto, bare.sealMask) + ' seal+mask' : '');
    line('seal (new array)', c.sealNew);
    line('open (HP removal + AEAD)', c.open, provider.name === 'node' ? ofBare(c.open, bare.openMask) + ' mask+open' : '');
    line('seal + open', c.round);
    line('provider AEAD sealInto only', c.aead, provider.name === 'node' ? ofBare(c.aead, bare.seal) + ' seal' : '');
  }
}
console.log('\nheader-protection masks');
for (const c of hpCases) console.log(`  ${c.label.padEnd(36)} /s ${fmt(median(c))} (${fmt(best(c)).trim()})`);

console.log('\nper-packet allocations (JS heap objects and bytes; Buffers made inside node:crypto included, their malloc backing stores not)');
const cs = quicCipherSuite(0x1301);
for (const provider of providers) {
  const { sealInto, open } = packetBy.get(`${provider.name}/${0x1301}`)!;
  for (const [label, c] of [['seal into datagram', sealInto], ['open', open]] as const) {
    const a = await allocationsPerCall(c.step);
    console.log(`  ${provider.name} ${cs.name} ${label.padEnd(20)} ${a.count.toFixed(1).padStart(5)} objects ${a.bytes.toFixed(0).padStart(6)} bytes`);
  }
}
{
  const { sealInto, open } = packetBy.get(`node/${0x1301}`)!;
  console.log(
    `  node:crypto API calls per packet (node provider, AES-ECB mask included; each create is 2 C++ crossings): ` +
      `seal into datagram ${nodeCryptoCallsPerCall(sealInto.step)}, open ${nodeCryptoCallsPerCall(open.step)}`,
  );
}

const headline = packetBy.get(`node/${0x1301}`)!.sealInto;
const bound = bareBySuite.get(0x1301)!.sealMask;
console.log(
  `\ntarget: node provider >= ${TARGET_SEALS_PER_SECOND.toLocaleString('en-US')} sealed 1200-byte 1-RTT packets/s (AES-128-GCM): ` +
    `median ${Math.round(median(headline)).toLocaleString('en-US')}/s, best round ${Math.round(best(headline)).toLocaleString('en-US')}/s — ` +
    `${median(headline) >= TARGET_SEALS_PER_SECOND ? 'met' : 'NOT met'} (bare node:crypto seal + mask in this run: ` +
    `${Math.round(median(bound)).toLocaleString('en-US')}/s)`,
);
