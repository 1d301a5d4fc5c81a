/**
 * @quichs/tls-socket
 * @packageDocumentation
 */
export {};
