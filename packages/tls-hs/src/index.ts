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
export * from './keyschedule/cipherSuite.js';
export * from './keyschedule/deriveSecret.js';
export * from './keyschedule/keySchedule.js';
export * from './keyschedule/trafficKeys.js';
export * from './keyschedule/finishedKey.js';
export * from './keyschedule/exporter.js';
export * from './keyschedule/transcript.js';
export * from './record/recordType.js';
export * from './record/recordReader.js';
export * from './record/recordCipher.js';
export * from './record/alertMessage.js';
export * from './record/recordLayer.js';
