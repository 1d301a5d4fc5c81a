/**
 * The node:crypto provider: node:crypto wherever Node 20 has the primitive (it is many times faster), noble for the
 * rest (ML-KEM-768 of the X25519MLKEM768 hybrid).
 */
import { randomFillSync, timingSafeEqual as nodeTimingSafeEqual } from 'node:crypto';
import { assertBytes, checkRandomLength, hashLengthOf } from './params.js';
import {
  nodeCreateAead,
  nodeCreateHash,
  nodeCreateHeaderProtection,
  nodeDigest,
  nodeHkdfExpand,
  nodeHkdfExtract,
  nodeHmac,
} from './nodeSymmetric.js';
import { generateKeyShareWith, respondKeyShareWith } from './keyShare.js';
import { nodeEcdh } from './nodeEcdh.js';
import { createNodeSignatureMethods } from './nodeSignature.js';
import type { CryptoProvider, KeyExchangeGroup } from './provider.js';
import { RandomPool } from './randomPool.js';

/** Creates the node:crypto provider. */
export function createNodeProvider(): CryptoProvider {
  const signatures = createNodeSignatureMethods();
  const random = new RandomPool((buffer) => void randomFillSync(buffer));
  return {
    name: 'node',
    hashLength: hashLengthOf,
    hash: nodeDigest,
    createHash: nodeCreateHash,
    hmac: nodeHmac,
    hkdfExtract: nodeHkdfExtract,
    hkdfExpand: nodeHkdfExpand,
    createAead: nodeCreateAead,
    createHeaderProtection: nodeCreateHeaderProtection,
    generateKeyShare: (group: KeyExchangeGroup, privateKey?: Uint8Array) => generateKeyShareWith(nodeEcdh, group, privateKey),
    respondKeyShare: (group: KeyExchangeGroup, clientShare: Uint8Array, privateKey?: Uint8Array) =>
      respondKeyShareWith(nodeEcdh, group, clientShare, privateKey),
    ...signatures,
    randomBytes(length: number): Uint8Array {
      checkRandomLength(length);
      return random.take(length);
    },
    timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
      assertBytes(a, 'a');
      assertBytes(b, 'b');
      return a.length === b.length && nodeTimingSafeEqual(a, b);
    },
  };
}
