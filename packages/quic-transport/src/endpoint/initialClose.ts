/**
 * A stateless CONNECTION_CLOSE in an Initial packet, sent by a server that refuses a client Initial before creating
 * any connection state: INVALID_TOKEN for a bad Retry token (RFC 9000 §8.1.3) or CONNECTION_REFUSED when it takes
 * no more connections. Protected with the server Initial keys derived from the client's DCID (RFC 9001 §5.2).
 */
import type { CryptoProvider } from '@quichs/tls-hs';
import { defaultProvider } from '@quichs/tls-hs';
import { INITIAL_CIPHER_SUITE, initialKeys, PacketProtector } from '@quichs/quic-crypto';
import { encodeConnectionCloseFrame } from '../frame/connectionCloseFrame.js';
import { FrameType } from '../frame/frameType.js';
import { QuicWriter } from '../frame/quicWriter.js';
import { buildLongHeader } from '../packet/headerBuilder.js';

/** What the refused Initial looked like. */
export interface InitialCloseFields {
  /** Version of the client's Initial. */
  version: number;
  /** DCID of the client's Initial (the Initial keys come from it; also used as our SCID). */
  clientDcid: Uint8Array;
  /** SCID of the client's Initial (our DCID). */
  clientScid: Uint8Array;
  /** Transport error code (e.g. INVALID_TOKEN 0x0b, CONNECTION_REFUSED 0x02). */
  errorCode: number;
  /** Reason phrase (keep it short; it is sent in the clear-ish Initial). */
  reason: string;
  /** Crypto provider (default tls-hs defaultProvider()). */
  provider?: CryptoProvider;
}

/** Builds the protected Initial packet (packet number 0) carrying CONNECTION_CLOSE (type 0x1c). */
export function buildInitialClose(f: InitialCloseFields): Uint8Array {
  const provider = f.provider ?? defaultProvider();
  const w = new QuicWriter(64 + f.reason.length * 3);
  encodeConnectionCloseFrame(w, { type: FrameType.CONNECTION_CLOSE, errorCode: f.errorCode, frameType: 0, reason: f.reason });
  while (w.length < 4) w.u8(0); // PADDING so that the header-protection sample exists
  const payload = w.finish();
  const tag = INITIAL_CIPHER_SUITE.tagLength;
  const { header, pnOffset } = buildLongHeader({
    version: f.version,
    type: 'initial',
    dcid: f.clientScid,
    scid: f.clientDcid,
    pn: 0,
    pnLength: 1,
    payloadLength: payload.length + tag,
  });
  const protector = new PacketProtector(INITIAL_CIPHER_SUITE, initialKeys(f.version, f.clientDcid, provider).server, { provider });
  return protector.protect(header, payload, pnOffset, 0);
}
