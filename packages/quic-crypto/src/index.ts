/**
 * @quichs/quic-crypto — QUIC packet protection (RFC 9001, RFC 9369): Initial secrets, packet and header protection,
 * key update, Retry integrity, AEAD limits and per-level keys.
 * @packageDocumentation
 */
export * from './errors.js';
export * from './version.js';
export * from './aeadLimits.js';
export * from './cipherSuite.js';
export * from './packetKeys.js';
export * from './initialKeys.js';
export * from './keyUpdate.js';
export * from './packet/packetNumber.js';
export * from './headerProtection.js';
export * from './packetAead.js';
export * from './packetProtector.js';
export * from './keyPhaseManager.js';
export * from './retryIntegrity.js';
export * from './keyStore.js';
