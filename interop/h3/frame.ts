/**
 * HTTP/3 frames (RFC 9114 §7): `type (varint) | length (varint) | payload`. Serializers for every frame we send
 * and a streaming frame reader that never buffers DATA payloads (they are handed on as subarrays of the input).
 */
import {
  VARINT_TOO_LARGE,
  VARINT_TRUNCATED,
  decodeVarintAt,
  varintLengthFromFirstByte,
  varintSize,
} from '@quichs/quic-transport';
import { ByteWriter } from './byteWriter.js';
import { H3Error, H3ErrorCode } from './errors.js';

/** Frame types of RFC 9114 §7.2 (and the HTTP/2 types reserved by §7.2.8 / §11.2.1). */
export const H3FrameType = {
  DATA: 0x00,
  HEADERS: 0x01,
  /** HTTP/2 PRIORITY, reserved: receipt is H3_FRAME_UNEXPECTED. */
  RESERVED_H2_PRIORITY: 0x02,
  CANCEL_PUSH: 0x03,
  SETTINGS: 0x04,
  PUSH_PROMISE: 0x05,
  /** HTTP/2 PING, reserved. */
  RESERVED_H2_PING: 0x06,
  GOAWAY: 0x07,
  /** HTTP/2 WINDOW_UPDATE, reserved. */
  RESERVED_H2_WINDOW_UPDATE: 0x08,
  /** HTTP/2 CONTINUATION, reserved. */
  RESERVED_H2_CONTINUATION: 0x09,
  MAX_PUSH_ID: 0x0d,
} as const;

/**
 * Stand-in for a frame (or stream, or setting) type whose varint value is above 2^53-1. Such values cannot be one
 * of the defined types, so receivers treat them as unknown (they are typically grease values 0x1f*N+0x21).
 */
export const H3_UNREPRESENTABLE_TYPE = -1;

/** True for the HTTP/2 frame types reserved in HTTP/3 (0x02, 0x06, 0x08, 0x09); receipt is H3_FRAME_UNEXPECTED. */
export function isReservedH2FrameType(type: number): boolean {
  return type === 0x02 || type === 0x06 || type === 0x08 || type === 0x09;
}

/** True for the grease values 0x1f * N + 0x21 reserved for frame types, stream types, settings and error codes. */
export function isGreaseValue(value: number): boolean {
  return value >= 0x21 && (value - 0x21) % 0x1f === 0;
}

/** Appends a frame header (type, payload length). */
export function writeFrameHeader(w: ByteWriter, type: number, length: number): void {
  w.varint(type);
  w.varint(length);
}

/** Bytes of a frame header for a payload of `length` bytes (e.g. to send a large DATA payload without copying). */
export function encodeFrameHeader(type: number, length: number): Uint8Array {
  const w = new ByteWriter(varintSize(type) + varintSize(length));
  writeFrameHeader(w, type, length);
  return w.finish();
}

/** A whole frame: header followed by `payload`. */
export function encodeFrame(type: number, payload: Uint8Array): Uint8Array {
  const w = new ByteWriter(16 + payload.length);
  writeFrameHeader(w, type, payload.length);
  w.bytes(payload);
  return w.finish();
}

/** A frame whose payload is one varint: GOAWAY (stream/push ID), CANCEL_PUSH and MAX_PUSH_ID (push ID). */
export function encodeVarintFrame(type: number, value: number): Uint8Array {
  const w = new ByteWriter(24);
  writeFrameHeader(w, type, varintSize(value));
  w.varint(value);
  return w.finish();
}

/**
 * Parses the payload of GOAWAY, CANCEL_PUSH or MAX_PUSH_ID: exactly one varint. Anything else is H3_FRAME_ERROR
 * (RFC 9114 §7.1: a frame payload must be exactly its fields). IDs above 2^53-1 are H3_ID_ERROR.
 */
export function parseVarintFramePayload(payload: Uint8Array): number {
  const v = decodeVarintAt(payload, 0);
  if (v === VARINT_TRUNCATED) throw new H3Error(H3ErrorCode.H3_FRAME_ERROR, 'frame payload ends inside its varint');
  if (v === VARINT_TOO_LARGE) throw new H3Error(H3ErrorCode.H3_ID_ERROR, 'ID above 2^53-1');
  if (varintLengthFromFirstByte(payload[0]) !== payload.length) {
    throw new H3Error(H3ErrorCode.H3_FRAME_ERROR, 'extra bytes after the frame payload');
  }
  return v;
}

/** What the reader does with the payload of a frame whose header it has just read. */
export const FramePayload = {
  /** Collect the whole payload and deliver it with `onFrame` (bounded by `maxBufferedPayload`). */
  BUFFER: 0,
  /** Deliver the payload piecewise with `onData` as it arrives (DATA frames). */
  STREAM: 1,
  /** Discard the payload (unknown and reserved frame types). */
  SKIP: 2,
} as const;

/** One of the {@link FramePayload} values. */
export type FramePayloadMode = (typeof FramePayload)[keyof typeof FramePayload];

/** Callbacks of a {@link FrameReader}. They may throw (an {@link H3Error}); the reader then stops where it was. */
export interface FrameHandler {
  /** A frame header was read; validate the frame's placement and choose how to handle its payload. */
  onFrameStart(type: number, length: number): FramePayloadMode;
  /** A piece of a STREAM-mode payload (a subarray of the pushed chunk: copy it if you keep it). */
  onData(chunk: Uint8Array): void;
  /** A complete BUFFER-mode frame. */
  onFrame(type: number, payload: Uint8Array): void;
}

/**
 * Incremental frame parser for one stream. Feed it the stream's bytes in any split with {@link push}; it calls the
 * handler for each frame. A frame length above 2^53-1, or a buffered payload above `maxBufferedPayload`, is
 * H3_EXCESSIVE_LOAD.
 */
export class FrameReader {
  private readonly handler: FrameHandler;
  private readonly maxBufferedPayload: number;
  private readonly header = new Uint8Array(16);
  private headerLen = 0;
  private inPayload = false;
  private mode: FramePayloadMode = FramePayload.SKIP;
  private type = 0;
  private remaining = 0;
  private payload: Uint8Array = new Uint8Array(0);
  private filled = 0;

  constructor(handler: FrameHandler, maxBufferedPayload = 65536) {
    this.handler = handler;
    this.maxBufferedPayload = maxBufferedPayload;
  }

  /** True when the input so far ends exactly on a frame boundary (a FIN elsewhere is H3_FRAME_ERROR). */
  get atFrameBoundary(): boolean {
    return !this.inPayload && this.headerLen === 0;
  }

  /** Parses `chunk`, calling the handler for every complete header, payload piece and buffered frame. */
  push(chunk: Uint8Array): void {
    let p = 0;
    const n = chunk.length;
    while (p < n) {
      if (!this.inPayload) {
        p = this.readHeader(chunk, p);
        continue;
      }
      const take = Math.min(this.remaining, n - p);
      if (this.mode === FramePayload.STREAM) {
        this.handler.onData(chunk.subarray(p, p + take));
      } else if (this.mode === FramePayload.BUFFER) {
        this.payload.set(chunk.subarray(p, p + take), this.filled);
        this.filled += take;
      }
      p += take;
      this.remaining -= take;
      if (this.remaining === 0) this.endPayload();
    }
  }

  private readHeader(chunk: Uint8Array, start: number): number {
    const h = this.header;
    let p = start;
    while (p < chunk.length) {
      h[this.headerLen++] = chunk[p++];
      const typeLen = varintLengthFromFirstByte(h[0]);
      if (this.headerLen <= typeLen) continue;
      const lenLen = varintLengthFromFirstByte(h[typeLen]);
      if (this.headerLen < typeLen + lenLen) continue;
      const type = decodeVarintAt(h, 0, typeLen);
      const length = decodeVarintAt(h, typeLen, typeLen + lenLen);
      this.headerLen = 0;
      if (length === VARINT_TOO_LARGE) throw new H3Error(H3ErrorCode.H3_EXCESSIVE_LOAD, 'frame length above 2^53-1');
      this.startPayload(type === VARINT_TOO_LARGE ? H3_UNREPRESENTABLE_TYPE : type, length);
      return p;
    }
    return p;
  }

  private startPayload(type: number, length: number): void {
    const mode = this.handler.onFrameStart(type, length);
    this.type = type;
    this.mode = mode;
    this.remaining = length;
    this.inPayload = true;
    if (mode === FramePayload.BUFFER) {
      if (length > this.maxBufferedPayload) {
        throw new H3Error(H3ErrorCode.H3_EXCESSIVE_LOAD, `frame of ${length} bytes exceeds the ${this.maxBufferedPayload}-byte limit`);
      }
      this.payload = new Uint8Array(length);
      this.filled = 0;
    }
    if (length === 0) this.endPayload();
  }

  private endPayload(): void {
    this.inPayload = false;
    if (this.mode === FramePayload.BUFFER) {
      const payload = this.payload;
      this.payload = new Uint8Array(0);
      this.handler.onFrame(this.type, payload);
    }
  }
}
