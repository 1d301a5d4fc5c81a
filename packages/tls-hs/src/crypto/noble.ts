/**
 * The pure-JS crypto provider: @noble/hashes, @noble/ciphers, @noble/curves, @noble/post-quantum and our bigint RSA.
 * Nothing this module imports uses a `node:` module, so it runs on any JS runtime with `crypto.getRandomValues`.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { checkRandomLength, constantTimeEqual, hashLengthOf } from './params.js';
import {
  nobleCreateAead,
  nobleCreateHash,
  nobleCreateHeaderProtection,
  nobleDigest,
  nobleHkdfExpand,
  nobleHkdfExtract,
  nobleHmac,
} from './nobleSymmetric.js';
import { generateKeyShareWith, respondKeyShareWith } from './keyShare.js';
import { nobleEcdh } from './nobleEcdh.js';
import { createNobleSignatureMethods } from './nobleSignature.js';
import type { CryptoProvider, KeyExchangeGroup } from './provider.js';

/** Creates the pure-JS (noble) crypto provider. */
export function createNobleProvider(): CryptoProvider {
  const signatures = createNobleSignatureMethods();
  return {
    name: 'noble',
    hashLength: hashLengthOf,
    hash: nobleDigest,
    createHash: nobleCreateHash,
    hmac: nobleHmac,
    hkdfExtract: nobleHkdfExtract,
    hkdfExpand: nobleHkdfExpand,
    createAead: nobleCreateAead,
    createHeaderProtection: nobleCreateHeaderProtection,
    generateKeyShare: (group: KeyExchangeGroup, privateKey?: Uint8Array) => generateKeyShareWith(nobleEcdh, group, privateKey),
    respondKeyShare: (group: KeyExchangeGroup, clientShare: Uint8Array, privateKey?: Uint8Array) =>
      respondKeyShareWith(nobleEcdh, group, clientShare, privateKey),
    ...signatures,
    randomBytes(length: number): Uint8Array {
      checkRandomLength(length);
      return randomBytes(length);
    },
    timingSafeEqual: constantTimeEqual,
  };
}
