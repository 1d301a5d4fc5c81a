/** Prints every baseline once: `node --conditions=source --import tsx bench/baselines/run.ts`. */
import { makeBenchCert } from './certs.js';
import { nodeTlsHandshakesPerSecond, nodeTlsThroughput } from './nodeTls.js';
import { rawDgramThroughput } from './rawDgram.js';
import { ngtcp2Throughput } from './ngtcp2.js';

const cert = makeBenchCert('p256');
console.log(`node:tls handshakes/s (P-256, x25519, loopback): ${(await nodeTlsHandshakesPerSecond(cert, 300)).toFixed(0)}`);
console.log(`node:tls bulk throughput (loopback, 200 MB):     ${(await nodeTlsThroughput(cert, 200e6)).toFixed(1)} MB/s`);
console.log(`raw node:dgram (1200-byte datagrams, 200 MB):     ${(await rawDgramThroughput(200e6)).toFixed(1)} MB/s`);
console.log(`ngtcp2 gtlsserver→gtlsclient (100 MB, h3):        ${(await ngtcp2Throughput(cert, 100e6)).toFixed(1)} MB/s`);
