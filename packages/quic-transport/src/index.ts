/**
 * @quichs/quic-transport
 * @packageDocumentation
 */
export {};
export * from './errors.js';
