/**
 * @quichs/quic-crypto
 * @packageDocumentation
 */
export {};
