/**
 * A sans-IO HTTP/3 session (RFC 9114) for one QUIC connection, client or server, with QPACK limited to the static
 * table (RFC 9204 with SETTINGS_QPACK_MAX_TABLE_CAPACITY = 0).
 *
 * The session never touches a transport. Feed it what the QUIC connection delivers ({@link H3Session.receive},
 * {@link H3Session.receiveReset}, {@link H3Session.receiveStopSending}) and drain two queues:
 * - actions ({@link H3Session.pollActions}): "write these bytes on stream N (with FIN)", "reset stream N",
 *   "stop sending on stream N", "close the connection with this application error";
 * - events ({@link H3Session.pollEvents}): settings, request/response heads, body data, trailers, end of message,
 *   stream errors, GOAWAY, connection closed.
 *
 * Stream IDs follow RFC 9000 §2.1 and are chosen here: client requests use 0, 4, 8…; our unidirectional streams
 * (control, QPACK encoder, QPACK decoder) are the first three of our role (client 2, 6, 10; server 3, 7, 11).
 * A write to a locally-initiated stream the transport has not opened yet means "open it".
 *
 * Data passed to `receive()` is referenced, not copied, by `data` events: do not reuse those buffers.
 */
import { decodeVarintAt, varintLengthFromFirstByte } from '@quichs/quic-transport';
import { ByteWriter } from './byteWriter.js';
import { H3Error, H3ErrorCode } from './errors.js';
import {
  FramePayload,
  FrameReader,
  H3FrameType,
  encodeFrameHeader,
  encodeVarintFrame,
  isReservedH2FrameType,
  parseVarintFramePayload,
  writeFrameHeader,
  type FramePayloadMode,
} from './frame.js';
import {
  validateRequestHeaders,
  validateResponseHeaders,
  validateTrailers,
  type RequestHead,
} from './message.js';
import {
  decodeFieldSection,
  encodeFieldSectionInto,
  fieldSectionSize,
  type HeaderField,
  type HuffmanMode,
} from './qpack/fieldSection.js';
import { PREFIXED_INT_TRUNCATED, readPrefixedInt, type ByteCursor } from './qpack/prefixedInt.js';
import {
  H3SettingId,
  encodeSettingsFrame,
  interpretSettings,
  parseSettingsPayload,
  type H3Settings,
  type SettingsList,
} from './settings.js';

/** Unidirectional stream types (RFC 9114 §6.2, RFC 9204 §4.2). */
export const H3StreamType = {
  CONTROL: 0x00,
  PUSH: 0x01,
  QPACK_ENCODER: 0x02,
  QPACK_DECODER: 0x03,
} as const;

/** Which end of the connection a session is. */
export type H3Role = 'client' | 'server';

/** Options of {@link H3Session}. */
export interface H3SessionOptions {
  /** Client or server. */
  role: H3Role;
  /** Our SETTINGS_MAX_FIELD_SECTION_SIZE, enforced on received sections (default 65536). */
  maxFieldSectionSize?: number;
  /** Largest DATA frame payload `sendData` emits; larger bodies are split (default 65536). */
  maxDataFrameSize?: number;
  /** Huffman use for header strings we send (default 'auto': when shorter). */
  huffman?: HuffmanMode;
  /** Extra settings to send after ours (for example a grease identifier 0x1f*N+0x21). */
  extraSettings?: SettingsList;
}

/** Something the transport must do on the session's behalf. */
export type H3Action =
  | { type: 'write'; streamId: number; data: Uint8Array; fin: boolean }
  | { type: 'resetStream'; streamId: number; code: number }
  | { type: 'stopSending'; streamId: number; code: number }
  | { type: 'close'; code: number; reason: string };

/** Something that happened on the session. */
export type H3Event =
  | { type: 'settings'; settings: H3Settings }
  | { type: 'request'; streamId: number; headers: HeaderField[]; head: RequestHead }
  | { type: 'informational'; streamId: number; headers: HeaderField[]; status: number }
  | { type: 'response'; streamId: number; headers: HeaderField[]; status: number }
  | { type: 'data'; streamId: number; data: Uint8Array }
  | { type: 'trailers'; streamId: number; headers: HeaderField[] }
  | { type: 'end'; streamId: number }
  | { type: 'streamError'; streamId: number; error: H3Error }
  | { type: 'streamReset'; streamId: number; code: number }
  | { type: 'stopSending'; streamId: number; code: number }
  | { type: 'goaway'; id: number; rejected: number[] }
  | { type: 'closed'; error: H3Error };

const CONTROL_FRAME_LIMIT = 16384;

type RecvState = 'head' | 'body' | 'trailers' | 'done';
type SendState = 'head' | 'body' | 'done';

interface RequestStream {
  readonly id: number;
  readonly reader: FrameReader;
  recv: RecvState;
  send: SendState;
  /** Request method (client: what we sent; server: what we received), for the HEAD content-length rule. */
  method: string | undefined;
  /** Status of the received final response (client). */
  status: number;
  expectedLength: number | undefined;
  receivedLength: number;
}

const enum UniKind {
  PENDING,
  CONTROL,
  ENCODER,
  DECODER,
  DISCARD,
}

interface UniStream {
  readonly id: number;
  kind: UniKind;
  /** Bytes of an incomplete stream type varint or an incomplete QPACK instruction. */
  pending: Uint8Array;
  reader: FrameReader | undefined;
  sawSettings: boolean;
}

/** Client- or server-side HTTP/3 session state machine. See the module comment for the model. */
export class H3Session {
  /** Client or server. */
  readonly role: H3Role;
  private readonly maxFieldSectionSize: number;
  private readonly maxDataFrameSize: number;
  private readonly huffman: HuffmanMode;
  private readonly extraSettings: SettingsList;
  private actions: H3Action[] = [];
  private events: H3Event[] = [];
  private readonly requests = new Map<number, RequestStream>();
  private readonly uni = new Map<number, UniStream>();
  private readonly localControlId: number;
  private readonly localEncoderId: number;
  private readonly localDecoderId: number;
  private started = false;
  private closedWith: H3Error | undefined;
  private nextRequestId = 0;
  private peerControl: UniStream | undefined;
  private peerEncoder: UniStream | undefined;
  private peerDecoder: UniStream | undefined;
  private settings: H3Settings | undefined;
  /** Server: one past the highest request stream seen (next to process); client: unused. */
  private highestRequestSeen = -4;
  private goawaySent: number | undefined;
  private goawayReceived: number | undefined;
  private maxPushIdReceived = -1;

  constructor(options: H3SessionOptions) {
    this.role = options.role;
    this.maxFieldSectionSize = options.maxFieldSectionSize ?? 65536;
    this.maxDataFrameSize = Math.max(1, options.maxDataFrameSize ?? 65536);
    this.huffman = options.huffman ?? 'auto';
    this.extraSettings = options.extraSettings ?? [];
    const base = this.role === 'client' ? 2 : 3;
    this.localControlId = base;
    this.localEncoderId = base + 4;
    this.localDecoderId = base + 8;
  }

  // ---------------------------------------------------------------- queues and state

  /** Takes the pending transport actions, in order. */
  pollActions(): H3Action[] {
    const a = this.actions;
    this.actions = [];
    return a;
  }

  /** Takes the pending events, in order. */
  pollEvents(): H3Event[] {
    const e = this.events;
    this.events = [];
    return e;
  }

  /** The peer's SETTINGS, once received. */
  get peerSettings(): H3Settings | undefined {
    return this.settings;
  }

  /** The error the connection was closed with (H3_NO_ERROR for a graceful close), or undefined while open. */
  get closeError(): H3Error | undefined {
    return this.closedWith;
  }

  /** Number of request streams still open in either direction. */
  get activeRequests(): number {
    let n = 0;
    for (const s of this.requests.values()) if (s.recv !== 'done' || s.send !== 'done') n++;
    return n;
  }

  // ---------------------------------------------------------------- local API

  /** Opens our control stream (type + SETTINGS) and the QPACK encoder and decoder streams. Call once, first. */
  start(): void {
    this.assertOpen();
    if (this.started) throw new H3Error(H3ErrorCode.H3_INTERNAL_ERROR, 'session already started');
    this.started = true;
    const settings = encodeSettingsFrame([
      [H3SettingId.QPACK_MAX_TABLE_CAPACITY, 0],
      [H3SettingId.MAX_FIELD_SECTION_SIZE, this.maxFieldSectionSize],
      [H3SettingId.QPACK_BLOCKED_STREAMS, 0],
      ...this.extraSettings,
    ]);
    const control = new Uint8Array(1 + settings.length);
    control[0] = H3StreamType.CONTROL;
    control.set(settings, 1);
    this.write(this.localControlId, control, false);
    this.write(this.localEncoderId, Uint8Array.of(H3StreamType.QPACK_ENCODER), false);
    this.write(this.localDecoderId, Uint8Array.of(H3StreamType.QPACK_DECODER), false);
  }

  /**
   * Client: sends a request header section on a new request stream and returns its ID. With `endStream` the
   * request has no body (HEADERS + FIN). Throws H3Error: H3_MESSAGE_ERROR for an invalid header section,
   * H3_EXCESSIVE_LOAD above the peer's SETTINGS_MAX_FIELD_SECTION_SIZE, H3_REQUEST_REJECTED after a GOAWAY.
   */
  sendRequest(headers: readonly HeaderField[], endStream = false): number {
    this.assertOpen();
    if (this.role !== 'client') throw new H3Error(H3ErrorCode.H3_INTERNAL_ERROR, 'only a client sends requests');
    const id = this.nextRequestId;
    if (this.goawayReceived !== undefined && id >= this.goawayReceived) {
      throw new H3Error(H3ErrorCode.H3_REQUEST_REJECTED, 'the server sent GOAWAY; open a new connection');
    }
    const head = validateRequestHeaders(headers);
    const frame = this.headersFrame(headers);
    this.nextRequestId += 4;
    const stream = this.newRequestStream(id);
    stream.method = head.method;
    stream.send = endStream ? 'done' : 'body';
    this.requests.set(id, stream);
    this.write(id, frame, endStream);
    return id;
  }

  /**
   * Server: sends a response header section on request stream `streamId`. Interim (1xx) responses may precede the
   * final one. With `endStream` the response has no body.
   */
  sendResponse(streamId: number, headers: readonly HeaderField[], endStream = false): void {
    this.assertOpen();
    if (this.role !== 'server') throw new H3Error(H3ErrorCode.H3_INTERNAL_ERROR, 'only a server sends responses');
    const s = this.sendable(streamId, 'head');
    const { status } = validateResponseHeaders(headers);
    const frame = this.headersFrame(headers);
    const interim = status < 200;
    if (interim && endStream) throw new H3Error(H3ErrorCode.H3_INTERNAL_ERROR, 'an interim response cannot end the stream');
    if (!interim) s.send = endStream ? 'done' : 'body';
    this.write(streamId, frame, endStream);
  }

  /**
   * Sends body bytes as DATA frames of at most `maxDataFrameSize` payload bytes (views of `data`, not copies).
   * With `endStream` the stream is finished after the last frame.
   */
  sendData(streamId: number, data: Uint8Array, endStream = false): void {
    this.assertOpen();
    const s = this.sendable(streamId, 'body');
    let off = 0;
    do {
      const n = Math.min(this.maxDataFrameSize, data.length - off);
      const last = off + n >= data.length;
      this.write(streamId, encodeFrameHeader(H3FrameType.DATA, n), false);
      this.write(streamId, data.subarray(off, off + n), last && endStream);
      off += n;
    } while (off < data.length);
    if (endStream) s.send = 'done';
  }

  /** Sends a trailer section and finishes the stream. */
  sendTrailers(streamId: number, trailers: readonly HeaderField[]): void {
    this.assertOpen();
    const s = this.sendable(streamId, 'body');
    validateTrailers(trailers);
    this.write(streamId, this.headersFrame(trailers), true);
    s.send = 'done';
  }

  /** Finishes the message on `streamId` (FIN without more frames). */
  end(streamId: number): void {
    this.assertOpen();
    const s = this.sendable(streamId, 'body');
    this.write(streamId, new Uint8Array(0), true);
    s.send = 'done';
  }

  /**
   * Abandons a request stream in both directions (RFC 9114 §4.1.1): RESET_STREAM and STOP_SENDING with `code`
   * (default H3_REQUEST_CANCELLED).
   */
  cancel(streamId: number, code: number = H3ErrorCode.H3_REQUEST_CANCELLED): void {
    this.assertOpen();
    const s = this.requests.get(streamId);
    if (!s) throw new H3Error(H3ErrorCode.H3_INTERNAL_ERROR, `no request stream ${streamId}`);
    this.abortStream(s, code);
  }

  /**
   * Sends GOAWAY (RFC 9114 §5.2). A server announces the first request stream it will not process (one past the
   * highest it has seen); a client sends push ID 0 (it never allows pushes). Calling it again is allowed; the ID never
   * increases. Returns the ID sent.
   */
  goaway(): number {
    this.assertOpen();
    if (!this.started) throw new H3Error(H3ErrorCode.H3_INTERNAL_ERROR, 'start() the session first');
    let id = this.role === 'server' ? this.highestRequestSeen + 4 : 0;
    if (this.goawaySent !== undefined) id = Math.min(id, this.goawaySent);
    this.goawaySent = id;
    this.write(this.localControlId, encodeVarintFrame(H3FrameType.GOAWAY, id), false);
    return id;
  }

  /** Closes the connection with an application error (default H3_NO_ERROR, the graceful close after GOAWAY). */
  close(code: number = H3ErrorCode.H3_NO_ERROR, reason = ''): void {
    if (this.closedWith) return;
    this.closeWith(new H3Error(code, reason || 'closed locally'), reason);
  }

  // ---------------------------------------------------------------- transport input

  /**
   * Bytes received on `streamId` (in order), `fin` when the peer finished the stream. Never throws: peer errors
   * become stream errors or a connection close (see the action and event queues).
   */
  receive(streamId: number, data: Uint8Array, fin = false): void {
    if (this.closedWith) return;
    try {
      if ((streamId & 2) === 0) this.receiveBidi(streamId, data, fin);
      else this.receiveUni(streamId, data, fin);
    } catch (e) {
      this.fail(e);
    }
  }

  /** The peer reset `streamId` (RESET_STREAM) with an application error code. */
  receiveReset(streamId: number, code: number): void {
    if (this.closedWith) return;
    try {
      if ((streamId & 2) !== 0) {
        const u = this.uni.get(streamId);
        if (u && u.kind !== UniKind.DISCARD && u.kind !== UniKind.PENDING) {
          throw new H3Error(H3ErrorCode.H3_CLOSED_CRITICAL_STREAM, `peer reset critical stream ${streamId}`);
        }
        if (u) u.kind = UniKind.DISCARD;
        return;
      }
      const s = this.requests.get(streamId);
      if (!s || s.recv === 'done') return;
      s.recv = 'done';
      this.events.push({ type: 'streamReset', streamId, code });
    } catch (e) {
      this.fail(e);
    }
  }

  /** The peer asked us to stop sending on `streamId` (STOP_SENDING); we reset our side with the same code. */
  receiveStopSending(streamId: number, code: number): void {
    if (this.closedWith) return;
    try {
      if (streamId === this.localControlId || streamId === this.localEncoderId || streamId === this.localDecoderId) {
        throw new H3Error(H3ErrorCode.H3_CLOSED_CRITICAL_STREAM, `peer stopped critical stream ${streamId}`);
      }
      const s = this.requests.get(streamId);
      if (!s) return;
      this.events.push({ type: 'stopSending', streamId, code });
      if (s.send !== 'done') {
        s.send = 'done';
        this.actions.push({ type: 'resetStream', streamId, code });
      }
    } catch (e) {
      this.fail(e);
    }
  }

  // ---------------------------------------------------------------- internals: output

  private write(streamId: number, data: Uint8Array, fin: boolean): void {
    this.actions.push({ type: 'write', streamId, data, fin });
  }

  private assertOpen(): void {
    if (this.closedWith) {
      throw new H3Error(H3ErrorCode.H3_INTERNAL_ERROR, `connection is closed (${this.closedWith.message})`);
    }
  }

  private headersFrame(fields: readonly HeaderField[]): Uint8Array {
    const limit = this.settings?.maxFieldSectionSize ?? Infinity;
    const size = fieldSectionSize(fields);
    if (size > limit) {
      throw new H3Error(H3ErrorCode.H3_EXCESSIVE_LOAD, `field section of ${size} bytes exceeds the peer's ${limit}`);
    }
    const body = new ByteWriter(64 + size);
    encodeFieldSectionInto(body, fields, { huffman: this.huffman });
    const w = new ByteWriter(16 + body.length);
    writeFrameHeader(w, H3FrameType.HEADERS, body.length);
    w.bytes(body.finish());
    return w.finish();
  }

  private sendable(streamId: number, needed: SendState): RequestStream {
    const s = this.requests.get(streamId);
    if (!s) throw new H3Error(H3ErrorCode.H3_INTERNAL_ERROR, `no request stream ${streamId}`);
    if (s.send !== needed) {
      throw new H3Error(H3ErrorCode.H3_INTERNAL_ERROR, `stream ${streamId}: cannot do that in send state "${s.send}"`);
    }
    return s;
  }

  private abortStream(s: RequestStream, code: number): void {
    if (s.send !== 'done') {
      s.send = 'done';
      this.actions.push({ type: 'resetStream', streamId: s.id, code });
    }
    if (s.recv !== 'done') {
      s.recv = 'done';
      this.actions.push({ type: 'stopSending', streamId: s.id, code });
    }
  }

  private fail(e: unknown): void {
    const err =
      e instanceof H3Error
        ? e
        : new H3Error(H3ErrorCode.H3_INTERNAL_ERROR, `internal error: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    const s = err.streamId === undefined ? undefined : this.requests.get(err.streamId);
    if (s) {
      this.abortStream(s, err.code);
      this.events.push({ type: 'streamError', streamId: s.id, error: err });
      return;
    }
    this.closeWith(err, err.message);
  }

  private closeWith(err: H3Error, reason: string): void {
    this.closedWith = err;
    this.actions.push({ type: 'close', code: err.code, reason });
    this.events.push({ type: 'closed', error: err });
  }

  // ---------------------------------------------------------------- internals: request streams

  private newRequestStream(id: number): RequestStream {
    const s: RequestStream = {
      id,
      reader: undefined as unknown as FrameReader,
      recv: 'head',
      send: 'head',
      method: undefined,
      status: 0,
      expectedLength: undefined,
      receivedLength: 0,
    };
    (s as { reader: FrameReader }).reader = new FrameReader(
      {
        onFrameStart: (type, length) => this.requestFrameStart(s, type, length),
        onData: (chunk) => this.requestData(s, chunk),
        onFrame: (type, payload) => this.requestFrame(s, type, payload),
      },
      this.maxFieldSectionSize,
    );
    return s;
  }

  private receiveBidi(streamId: number, data: Uint8Array, fin: boolean): void {
    const serverInitiated = (streamId & 1) === 1;
    let s = this.requests.get(streamId);
    if (!s) {
      if (this.role === 'client') {
        if (serverInitiated) {
          throw new H3Error(H3ErrorCode.H3_STREAM_CREATION_ERROR, `server-initiated bidirectional stream ${streamId}`);
        }
        throw new H3Error(H3ErrorCode.H3_INTERNAL_ERROR, `data on unknown local stream ${streamId}`);
      }
      if (serverInitiated) throw new H3Error(H3ErrorCode.H3_INTERNAL_ERROR, `data on unknown local stream ${streamId}`);
      s = this.newRequestStream(streamId);
      this.requests.set(streamId, s);
      if (this.goawaySent !== undefined && streamId >= this.goawaySent) {
        // RFC 9114 §5.2: requests at or above the GOAWAY ID are rejected, never processed.
        this.abortStream(s, H3ErrorCode.H3_REQUEST_REJECTED);
        return;
      }
      if (streamId > this.highestRequestSeen) this.highestRequestSeen = streamId;
    }
    if (s.recv === 'done') return;
    s.reader.push(data);
    if (fin) this.requestFin(s);
  }

  private requestFrameStart(s: RequestStream, type: number, _length: number): FramePayloadMode {
    switch (type) {
      case H3FrameType.DATA:
        if (s.recv !== 'body') {
          throw new H3Error(H3ErrorCode.H3_FRAME_UNEXPECTED, `DATA ${s.recv === 'head' ? 'before HEADERS' : 'after trailers'} on stream ${s.id}`);
        }
        return FramePayload.STREAM;
      case H3FrameType.HEADERS:
        if (s.recv === 'trailers') throw new H3Error(H3ErrorCode.H3_FRAME_UNEXPECTED, `HEADERS after trailers on stream ${s.id}`);
        return FramePayload.BUFFER;
      case H3FrameType.PUSH_PROMISE:
        if (this.role === 'server') throw new H3Error(H3ErrorCode.H3_FRAME_UNEXPECTED, 'PUSH_PROMISE from a client');
        throw new H3Error(H3ErrorCode.H3_ID_ERROR, 'PUSH_PROMISE although no MAX_PUSH_ID was sent');
      case H3FrameType.SETTINGS:
      case H3FrameType.GOAWAY:
      case H3FrameType.MAX_PUSH_ID:
      case H3FrameType.CANCEL_PUSH:
        throw new H3Error(H3ErrorCode.H3_FRAME_UNEXPECTED, `control frame 0x${type.toString(16)} on request stream ${s.id}`);
      default:
        if (isReservedH2FrameType(type)) {
          throw new H3Error(H3ErrorCode.H3_FRAME_UNEXPECTED, `reserved HTTP/2 frame type 0x${type.toString(16)}`);
        }
        return FramePayload.SKIP;
    }
  }

  private requestData(s: RequestStream, chunk: Uint8Array): void {
    if (s.recv !== 'body' || chunk.length === 0) return;
    s.receivedLength += chunk.length;
    if (s.expectedLength !== undefined && s.receivedLength > s.expectedLength) {
      throw new H3Error(H3ErrorCode.H3_MESSAGE_ERROR, `more DATA than content-length ${s.expectedLength}`, { streamId: s.id });
    }
    this.events.push({ type: 'data', streamId: s.id, data: chunk });
  }

  private decodeSection(s: RequestStream, payload: Uint8Array): HeaderField[] {
    try {
      return decodeFieldSection(payload, { maxFieldSectionSize: this.maxFieldSectionSize });
    } catch (e) {
      // Oversized sections are refused per stream; QPACK errors stay connection errors (RFC 9204 §2.2.3).
      if (e instanceof H3Error && e.code === H3ErrorCode.H3_EXCESSIVE_LOAD) {
        throw new H3Error(e.code, e.message, { streamId: s.id });
      }
      throw e;
    }
  }

  private requestFrame(s: RequestStream, _type: number, payload: Uint8Array): void {
    // Only HEADERS frames are buffered on request streams.
    const headers = this.decodeSection(s, payload);
    const streamId = s.id;
    if (s.recv === 'body') {
      validateTrailers(headers, streamId);
      s.recv = 'trailers';
      this.events.push({ type: 'trailers', streamId, headers });
      return;
    }
    if (this.role === 'server') {
      const head = validateRequestHeaders(headers, streamId);
      s.method = head.method;
      s.expectedLength = head.contentLength;
      s.recv = 'body';
      this.events.push({ type: 'request', streamId, headers, head });
      return;
    }
    const { status, contentLength } = validateResponseHeaders(headers, streamId);
    if (status < 200) {
      this.events.push({ type: 'informational', streamId, headers, status });
      return;
    }
    s.status = status;
    // RFC 9110 §8.6: responses to HEAD and 204/304 responses have no content whatever content-length says.
    s.expectedLength = s.method === 'HEAD' || status === 204 || status === 304 ? undefined : contentLength;
    s.recv = 'body';
    this.events.push({ type: 'response', streamId, headers, status });
  }

  private requestFin(s: RequestStream): void {
    if (!s.reader.atFrameBoundary) {
      throw new H3Error(H3ErrorCode.H3_FRAME_ERROR, `stream ${s.id} ended inside a frame`);
    }
    if (s.recv === 'head') {
      throw new H3Error(
        this.role === 'server' ? H3ErrorCode.H3_REQUEST_INCOMPLETE : H3ErrorCode.H3_MESSAGE_ERROR,
        `stream ${s.id} ended before a complete ${this.role === 'server' ? 'request' : 'response'} header`,
        { streamId: s.id },
      );
    }
    if (s.expectedLength !== undefined && s.receivedLength !== s.expectedLength) {
      throw new H3Error(
        H3ErrorCode.H3_MESSAGE_ERROR,
        `content-length ${s.expectedLength} but ${s.receivedLength} bytes of DATA`,
        { streamId: s.id },
      );
    }
    s.recv = 'done';
    this.events.push({ type: 'end', streamId: s.id });
  }

  // ---------------------------------------------------------------- internals: unidirectional streams

  private receiveUni(streamId: number, data: Uint8Array, fin: boolean): void {
    if ((streamId & 1) === (this.role === 'client' ? 0 : 1)) {
      throw new H3Error(H3ErrorCode.H3_INTERNAL_ERROR, `data on our own unidirectional stream ${streamId}`);
    }
    let u = this.uni.get(streamId);
    if (!u) {
      u = { id: streamId, kind: UniKind.PENDING, pending: new Uint8Array(0), reader: undefined, sawSettings: false };
      this.uni.set(streamId, u);
    }
    let chunk = data;
    if (u.kind === UniKind.PENDING) {
      const buf = concat(u.pending, chunk);
      if (buf.length === 0) {
        if (fin) u.kind = UniKind.DISCARD; // empty stream: nothing to do
        return;
      }
      const typeLen = varintLengthFromFirstByte(buf[0]);
      if (buf.length < typeLen) {
        u.pending = buf;
        if (fin) u.kind = UniKind.DISCARD;
        return;
      }
      u.pending = new Uint8Array(0);
      this.classifyUni(u, decodeVarintAt(buf, 0, typeLen));
      chunk = buf.subarray(typeLen);
    }
    switch (u.kind) {
      case UniKind.CONTROL:
        u.reader!.push(chunk);
        if (fin) throw new H3Error(H3ErrorCode.H3_CLOSED_CRITICAL_STREAM, 'peer closed its control stream');
        return;
      case UniKind.ENCODER:
        this.encoderInstructions(u, chunk);
        if (fin) throw new H3Error(H3ErrorCode.H3_CLOSED_CRITICAL_STREAM, 'peer closed its QPACK encoder stream');
        return;
      case UniKind.DECODER:
        this.decoderInstructions(u, chunk);
        if (fin) throw new H3Error(H3ErrorCode.H3_CLOSED_CRITICAL_STREAM, 'peer closed its QPACK decoder stream');
        return;
      default:
        return; // DISCARD
    }
  }

  private classifyUni(u: UniStream, type: number): void {
    const critical = (slot: UniStream | undefined, name: string): void => {
      if (slot) throw new H3Error(H3ErrorCode.H3_STREAM_CREATION_ERROR, `second ${name} stream (${u.id})`);
    };
    switch (type) {
      case H3StreamType.CONTROL:
        critical(this.peerControl, 'control');
        this.peerControl = u;
        u.kind = UniKind.CONTROL;
        u.reader = new FrameReader(
          {
            onFrameStart: (t) => this.controlFrameStart(u, t),
            onData: () => undefined,
            onFrame: (t, payload) => this.controlFrame(t, payload),
          },
          CONTROL_FRAME_LIMIT,
        );
        return;
      case H3StreamType.QPACK_ENCODER:
        critical(this.peerEncoder, 'QPACK encoder');
        this.peerEncoder = u;
        u.kind = UniKind.ENCODER;
        return;
      case H3StreamType.QPACK_DECODER:
        critical(this.peerDecoder, 'QPACK decoder');
        this.peerDecoder = u;
        u.kind = UniKind.DECODER;
        return;
      case H3StreamType.PUSH:
        if (this.role === 'server') throw new H3Error(H3ErrorCode.H3_STREAM_CREATION_ERROR, 'push stream from a client');
        throw new H3Error(H3ErrorCode.H3_ID_ERROR, 'push stream although no MAX_PUSH_ID was sent');
      default:
        // Unknown or grease stream type (including values above 2^53): abort reading (RFC 9114 §6.2).
        u.kind = UniKind.DISCARD;
        this.actions.push({ type: 'stopSending', streamId: u.id, code: H3ErrorCode.H3_STREAM_CREATION_ERROR });
        return;
    }
  }

  private controlFrameStart(u: UniStream, type: number): FramePayloadMode {
    if (!u.sawSettings && type !== H3FrameType.SETTINGS) {
      throw new H3Error(H3ErrorCode.H3_MISSING_SETTINGS, 'first frame on the control stream is not SETTINGS');
    }
    switch (type) {
      case H3FrameType.SETTINGS:
        if (u.sawSettings) throw new H3Error(H3ErrorCode.H3_FRAME_UNEXPECTED, 'second SETTINGS frame');
        u.sawSettings = true;
        return FramePayload.BUFFER;
      case H3FrameType.GOAWAY:
      case H3FrameType.CANCEL_PUSH:
        return FramePayload.BUFFER;
      case H3FrameType.MAX_PUSH_ID:
        if (this.role === 'client') throw new H3Error(H3ErrorCode.H3_FRAME_UNEXPECTED, 'MAX_PUSH_ID from a server');
        return FramePayload.BUFFER;
      case H3FrameType.DATA:
      case H3FrameType.HEADERS:
      case H3FrameType.PUSH_PROMISE:
        throw new H3Error(H3ErrorCode.H3_FRAME_UNEXPECTED, `frame 0x${type.toString(16)} on the control stream`);
      default:
        if (isReservedH2FrameType(type)) {
          throw new H3Error(H3ErrorCode.H3_FRAME_UNEXPECTED, `reserved HTTP/2 frame type 0x${type.toString(16)}`);
        }
        return FramePayload.SKIP;
    }
  }

  private controlFrame(type: number, payload: Uint8Array): void {
    switch (type) {
      case H3FrameType.SETTINGS:
        this.settings = interpretSettings(parseSettingsPayload(payload));
        this.events.push({ type: 'settings', settings: this.settings });
        return;
      case H3FrameType.GOAWAY:
        this.onGoaway(parseVarintFramePayload(payload));
        return;
      case H3FrameType.MAX_PUSH_ID: {
        const id = parseVarintFramePayload(payload);
        if (id < this.maxPushIdReceived) throw new H3Error(H3ErrorCode.H3_ID_ERROR, 'MAX_PUSH_ID decreased');
        this.maxPushIdReceived = id; // we never push; remembered only to validate later frames
        return;
      }
      default: {
        // CANCEL_PUSH: the client never allowed pushes; a server may only cancel IDs it advertised.
        const id = parseVarintFramePayload(payload);
        if (this.role === 'client' || id > this.maxPushIdReceived) {
          throw new H3Error(H3ErrorCode.H3_ID_ERROR, `CANCEL_PUSH for push ID ${id} never allowed`);
        }
        return;
      }
    }
  }

  private onGoaway(id: number): void {
    if (this.goawayReceived !== undefined && id > this.goawayReceived) {
      throw new H3Error(H3ErrorCode.H3_ID_ERROR, `GOAWAY ID increased from ${this.goawayReceived} to ${id}`);
    }
    const rejected: number[] = [];
    if (this.role === 'client') {
      if (id % 4 !== 0) throw new H3Error(H3ErrorCode.H3_ID_ERROR, `GOAWAY ID ${id} is not a client bidirectional stream`);
      // Requests at or above the ID were not and will not be processed (RFC 9114 §5.2): safe to retry elsewhere.
      for (const s of this.requests.values()) {
        if (s.id >= id && (s.recv !== 'done' || s.send !== 'done')) {
          rejected.push(s.id);
          this.abortStream(s, H3ErrorCode.H3_REQUEST_CANCELLED);
        }
      }
    }
    this.goawayReceived = id;
    this.events.push({ type: 'goaway', id, rejected });
  }

  /** Peer's QPACK encoder stream: with capacity 0 only "Set Dynamic Table Capacity 0" is acceptable. */
  private encoderInstructions(u: UniStream, chunk: Uint8Array): void {
    const buf = concat(u.pending, chunk);
    const cur: ByteCursor = { buf, pos: 0, end: buf.length };
    while (cur.pos < cur.end) {
      const b = buf[cur.pos];
      if ((b & 0xe0) !== 0x20) {
        throw new H3Error(H3ErrorCode.QPACK_ENCODER_STREAM_ERROR, 'dynamic table insertion with capacity 0');
      }
      const cap = readPrefixedInt(cur, 5);
      if (cap === PREFIXED_INT_TRUNCATED) break;
      if (cap < 0) throw new H3Error(H3ErrorCode.QPACK_ENCODER_STREAM_ERROR, 'capacity too large');
      if (cap !== 0) {
        throw new H3Error(H3ErrorCode.QPACK_ENCODER_STREAM_ERROR, `dynamic table capacity ${cap} above our maximum 0`);
      }
    }
    u.pending = keepTail(buf, cur.pos, H3ErrorCode.QPACK_ENCODER_STREAM_ERROR);
  }

  /** Peer's QPACK decoder stream: only Stream Cancellation is acceptable, since we never reference the table. */
  private decoderInstructions(u: UniStream, chunk: Uint8Array): void {
    const buf = concat(u.pending, chunk);
    const cur: ByteCursor = { buf, pos: 0, end: buf.length };
    while (cur.pos < cur.end) {
      const b = buf[cur.pos];
      if (b & 0x80) {
        throw new H3Error(H3ErrorCode.QPACK_DECODER_STREAM_ERROR, 'Section Acknowledgment for a section without dynamic references');
      }
      if ((b & 0x40) === 0) {
        throw new H3Error(H3ErrorCode.QPACK_DECODER_STREAM_ERROR, 'Insert Count Increment although we inserted nothing');
      }
      // Stream Cancellation: nothing to release.
      const id = readPrefixedInt(cur, 6);
      if (id === PREFIXED_INT_TRUNCATED) break;
      if (id < 0) throw new H3Error(H3ErrorCode.QPACK_DECODER_STREAM_ERROR, 'stream ID too large');
    }
    u.pending = keepTail(buf, cur.pos, H3ErrorCode.QPACK_DECODER_STREAM_ERROR);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function keepTail(buf: Uint8Array, pos: number, code: number): Uint8Array {
  if (pos >= buf.length) return new Uint8Array(0);
  // An incomplete instruction is at most a prefixed integer of 2^53: 1 + 8 bytes.
  if (buf.length - pos > 10) throw new H3Error(code, 'instruction integer too large');
  return buf.slice(pos);
}

