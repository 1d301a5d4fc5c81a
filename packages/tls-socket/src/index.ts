/**
 * @quichs/tls-socket — TLS 1.3 over TCP on the @quichs/tls-hs engine (the seed's TLS_HS_GEN), and a handshake-agent API
 * modelled on Linux's kernel TLS handshake upcall.
 * @packageDocumentation
 */
export * from './codedError.js';
export * from './tlsConnection.js';
export * from './socket/tlsSocket.js';
export * from './socket/tlsSocketHandshake.js';
export * from './agent/keyring.js';
export * from './agent/handshakeStatus.js';
export * from './agent/requestMaterial.js';
export * from './agent/handshakeAgent.js';
