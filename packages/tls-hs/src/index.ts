/**
 * @quichs/tls-hs — a sans-IO TLS 1.3 handshake engine for both roles with the message-level API of lxin/tls_hs.
 * @packageDocumentation
 */
export * from './crypto/errors.js';
export type * from './crypto/provider.js';
export * from './alerts.js';
export * from './keyschedule/hkdfExpandLabel.js';
export * from './crypto/params.js';
export * from './crypto/noble.js';
export * from './crypto/node.js';
export * from './crypto/default.js';
export * from './crypto/keyShare.js';
export * from './crypto/keys.js';
export * from './crypto/rsa.js';
export * from './crypto/ecdsaSignature.js';
