/** Shared test helpers: hex, the RFC vector fixtures and both crypto providers. */
import { readFileSync } from 'node:fs';
import { createNobleProvider, createNodeProvider, type CryptoProvider } from '@quichs/tls-hs';

/** Hex string → bytes. */
export function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

/** Bytes → hex string. */
export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** The shape of vectors-rfc9001.json / vectors-rfc9369.json. */
export interface QuicVectors {
  constants: {
    version: string;
    initial_salt: string;
    retry_integrity_key: string;
    retry_integrity_nonce: string;
    client_dst_connection_id: string;
  };
  keys: Record<string, string> & { hkdf_labels: Record<string, string> };
  client_initial: {
    packet_number: number;
    packet_number_length: number;
    payload_length_with_padding: number;
    crypto_frame: string;
    unprotected_header: string;
    sample: string;
    mask: string;
    header_byte0_after_mask: string;
    packet_number_bytes_after_mask: string;
    protected_header: string;
    protected_packet: string;
  };
  server_initial: {
    packet_number: number;
    packet_number_length: number;
    payload: string;
    unprotected_header: string;
    sample: string;
    mask: string;
    protected_header: string;
    protected_packet: string;
  };
  retry: { original_destination_connection_id: string; integrity_tag: string; retry_packet: string };
  chacha20_short_header: {
    aead: string;
    packet_number_length: number;
    secret: string;
    key: string;
    iv: string;
    hp: string;
    ku: string;
    packet_number: number;
    nonce: string;
    unprotected_header: string;
    payload_plaintext: string;
    payload_ciphertext: string;
    sample: string;
    mask: string;
    protected_header: string;
    protected_packet: string;
  };
}

/** Loads a fixture JSON file from test/fixtures. */
export function loadVectors(name: 'vectors-rfc9001.json' | 'vectors-rfc9369.json'): QuicVectors {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as QuicVectors;
}

/** Both providers, built once. */
export const providers: readonly CryptoProvider[] = [createNodeProvider(), createNobleProvider()];

/** Offset of the Packet Number field in a long header with a Length varint (token length varint for Initial). */
export function longHeaderPnOffset(header: Uint8Array): number {
  let p = 5;
  p += 1 + header[p]; // DCID
  p += 1 + header[p]; // SCID
  const type = (header[0] >> 4) & 3;
  const version = ((header[1] << 24) | (header[2] << 16) | (header[3] << 8) | header[4]) >>> 0;
  const isInitial = version === 0x6b3343cf ? type === 1 : type === 0;
  const varint = (): number => {
    const first = header[p];
    const len = 1 << (first >> 6);
    let v = first & 0x3f;
    for (let i = 1; i < len; i++) v = v * 256 + header[p + i];
    p += len;
    return v;
  };
  if (isInitial) {
    const tokenLength = varint();
    p += tokenLength;
  }
  varint(); // Length
  return p;
}
