/**
 * The synthetic message_hash handshake message of RFC 8446 §4.4.1: after a HelloRetryRequest, the first
 * ClientHello in the transcript is replaced by `message_hash(254) 00 00 Hash.length Hash(ClientHello1)`.
 */
import { TlsAlert } from '../alerts.js';
import { HandshakeType } from './constants.js';

/** Builds the message_hash message (header included) from the hash of ClientHello1. */
export function messageHash(clientHello1Hash: Uint8Array): Uint8Array {
  if (clientHello1Hash.length === 0 || clientHello1Hash.length > 255) {
    throw TlsAlert.of('internal_error', `message_hash: hash of ${clientHello1Hash.length} bytes`);
  }
  const out = new Uint8Array(4 + clientHello1Hash.length);
  out[0] = HandshakeType.message_hash;
  out[3] = clientHello1Hash.length;
  out.set(clientHello1Hash, 4);
  return out;
}
