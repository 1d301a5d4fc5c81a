/**
 * Child process of crypto-keyshare-stress.test.ts (not a test file itself): makes fresh key shares with the node
 * provider in a tight loop (completing every 1000th against a fixed peer), then prints "ok <count> <checksum>". argv: group, count.
 * Run as its own process because the failure it guards against is a deadlock inside node:crypto, which neither a
 * timer nor worker.terminate() can interrupt; only killing the process can.
 */
import { createNodeProvider } from '../src/crypto/node.js';
import type { KeyExchangeGroup } from '../src/crypto/provider.js';

const group = process.argv[2] as KeyExchangeGroup;
const count = Number(process.argv[3]);
const p = createNodeProvider();
const peer = p.generateKeyShare(group).publicKey;
let sink = 0;
for (let i = 0; i < count; i++) {
  const share = p.generateKeyShare(group);
  sink ^= share.publicKey[1];
  // completing every share would add allocations that make the collection inside the export rarer
  if (i % 1000 === 0) sink ^= share.complete(peer)[0];
}
process.stdout.write(`ok ${count} ${sink}\n`); // printing sink keeps the loop's work observable
