/**
 * @quichs/quic-transport
 * @packageDocumentation
 */
export {};
