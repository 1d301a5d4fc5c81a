/**
 * quic-crypto benchmark (not a test): per provider, 1-RTT packet seal/s and seal+open/s for 1200-byte packets with
 * AES-128-GCM and ChaCha20-Poly1305, payload MB/s, and header-protection masks/s.
 * Run: node --conditions=source --import tsx bench/quic-crypto.ts [millisecondsPerCase]
 */
import { performance } from 'node:perf_hooks';
import { createNobleProvider, createNodeProvider, type CryptoProvider } from '@quichs/tls-hs';
import { KeyPhaseManager, quicCipherSuite } from '@quichs/quic-crypto';

const PACKET_SIZE = 1200;
const DCID_LENGTH = 8;
const PN_LENGTH = 4;
const HEADER_LENGTH = 1 + DCID_LENGTH + PN_LENGTH;
const PAYLOAD_LENGTH = PACKET_SIZE - HEADER_LENGTH - 16;
const msPerCase = Number(process.argv[2] ?? 400);

function header(pn: number): Uint8Array {
  const h = new Uint8Array(HEADER_LENGTH);
  h[0] = 0x40 | (PN_LENGTH - 1);
  for (let i = 1; i <= DCID_LENGTH; i++) h[i] = i;
  h[9] = (pn >>> 24) & 0xff;
  h[10] = (pn >>> 16) & 0xff;
  h[11] = (pn >>> 8) & 0xff;
  h[12] = pn & 0xff;
  return h;
}

/** Runs `step` in batches until `msPerCase` elapse; returns operations per second. */
function rate(step: (i: number) => void): number {
  for (let i = 0; i < 200; i++) step(i); // warm-up
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < msPerCase) {
    for (let k = 0; k < 256; k++) step(n++);
    elapsed = performance.now() - start;
  }
  return (n * 1000) / elapsed;
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US').padStart(10);

function benchProvider(provider: CryptoProvider): void {
  console.log(`\nprovider: ${provider.name}`);
  for (const code of [0x1301, 0x1303] as const) {
    const cs = quicCipherSuite(code);
    const a = new Uint8Array(cs.secretLength).fill(0x5a);
    const b = new Uint8Array(cs.secretLength).fill(0xa5);
    const payload = new Uint8Array(PAYLOAD_LENGTH).fill(0x01);
    const headers = Array.from({ length: 256 }, (_, i) => header(i));

    const sender = new KeyPhaseManager(cs, b, a, { provider });
    const sealRate = rate((i) => {
      sender.protect(headers[i & 255], payload, 1 + DCID_LENGTH, i & 255);
    });
    // The transport's path: seal into a reused datagram buffer.
    const datagram = new Uint8Array(1500);
    const sealIntoRate = rate((i) => {
      sender.protectInto(headers[i & 255], payload, 1 + DCID_LENGTH, i & 255, datagram, 0);
    });

    const tx = new KeyPhaseManager(cs, b, a, { provider });
    const rx = new KeyPhaseManager(cs, a, b, { provider });
    let largest = -1;
    const roundRate = rate((i) => {
      const pn = i;
      const h = header(pn);
      const packet = tx.protect(h, payload, 1 + DCID_LENGTH, pn);
      const got = rx.unprotect(packet, 1 + DCID_LENGTH, largest);
      largest = got.packetNumber;
    });

    // Baseline: the provider's bare AEAD seal of the same payload (the floor our packet path builds on).
    const bare = provider.createAead(cs.aead, new Uint8Array(cs.keyLength));
    const nonce = new Uint8Array(12);
    const aad = headers[0];
    const bareRate = rate((i) => {
      nonce[11] = i & 0xff;
      bare.seal(nonce, aad, payload);
    });
    const mb = (r: number): string => `${((r * PAYLOAD_LENGTH) / 1e6).toFixed(1).padStart(6)} MB/s`;
    console.log(`  ${cs.name}`);
    console.log(`    seal (new array)       /s ${fmt(sealRate)}  ${mb(sealRate)}`);
    console.log(`    seal (into datagram)   /s ${fmt(sealIntoRate)}  ${mb(sealIntoRate)}`);
    console.log(`    seal + open            /s ${fmt(roundRate)}  ${mb(roundRate)}`);
    console.log(`    provider AEAD seal only /s ${fmt(bareRate)}  ${mb(bareRate)}  (packet path = ${((100 * sealIntoRate) / bareRate).toFixed(0)}% of it)`);
  }
  for (const [alg, len] of [['aes-128-ecb', 16], ['chacha20', 32]] as const) {
    const hp = provider.createHeaderProtection(alg, new Uint8Array(len).fill(7));
    const sample = new Uint8Array(16).fill(3);
    const maskRate = rate((i) => {
      sample[0] = i & 0xff;
      hp.mask(sample);
    });
    console.log(`  header protection ${alg.padEnd(12)} masks/s ${fmt(maskRate)}`);
  }
}

console.log(`quic-crypto benchmark: ${PACKET_SIZE}-byte 1-RTT packets (${PAYLOAD_LENGTH}-byte payload), ${msPerCase} ms per case`);
for (const provider of [createNodeProvider(), createNobleProvider()]) benchProvider(provider);
