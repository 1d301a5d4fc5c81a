/**
 * The generic `Extension extensions<..>` list of RFC 8446 §4.2: an ordered list of `{ type, data }`. Unknown types
 * are kept as-is so the engine can ignore or pass them through; a type appearing twice is `illegal_parameter`
 * (RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type in a given extension block").
 */
import { TlsAlert } from '../../alerts.js';
import { extensionTypeName } from '../constants.js';
import type { TlsReader } from '../reader.js';
import type { TlsWriter } from '../writer.js';

/** One extension: its ExtensionType and its undecoded extension_data. */
export interface Extension {
  /** ExtensionType codepoint. */
  readonly type: number;
  /** extension_data (a view into the parsed message; copy it to keep it past the message's buffer). */
  readonly data: Uint8Array;
}

/**
 * Reads a 2-byte-length-prefixed extension list from `r` whose total length must lie in [min, max]. Rejects
 * duplicates (illegal_parameter) and malformed entries (decode_error).
 */
export function readExtensions(r: TlsReader, min = 0, max = 0xffff): Extension[] {
  const block = r.block16('extensions', min, max);
  const out: Extension[] = [];
  while (!block.atEnd) {
    const type = block.u16('extension type');
    const data = block.vec16(`${extensionTypeName(type)} extension_data`);
    for (let i = 0; i < out.length; i++) {
      if (out[i].type === type) {
        throw TlsAlert.of('illegal_parameter', `${r.what}: duplicate ${extensionTypeName(type)} extension`);
      }
    }
    out.push({ type, data });
  }
  return out;
}

/** Writes a 2-byte-length-prefixed extension list in the given order. Duplicates are refused (internal_error). */
export function writeExtensions(w: TlsWriter, extensions: readonly Extension[], min = 0): void {
  assertNoDuplicates(extensions);
  w.block16(
    (b) => {
      for (const e of extensions) b.u16(e.type, 'extension type').vec16(e.data, extensionTypeName(e.type));
    },
    'extensions',
    min,
  );
}

function assertNoDuplicates(extensions: readonly Extension[]): void {
  const n = extensions.length;
  if (n > 24) {
    const seen = new Set<number>();
    for (const e of extensions) {
      if (seen.has(e.type)) duplicateOnEncode(e.type);
      seen.add(e.type);
    }
    return;
  }
  // the usual dozen: pairwise, without allocating a set per message
  for (let i = 1; i < n; i++) {
    const t = extensions[i].type;
    for (let j = 0; j < i; j++) if (extensions[j].type === t) duplicateOnEncode(t);
  }
}

function duplicateOnEncode(type: number): never {
  throw TlsAlert.of('internal_error', `refusing to encode duplicate ${extensionTypeName(type)}`);
}

/**
 * Copies an extension list into one compact block (type u16, length u16, data — the wire form without the outer
 * length), so it outlives the message buffer its views pointed into; {@link unpackExtensions} reads it back.
 */
export function packExtensions(extensions: readonly Extension[]): Uint8Array {
  let size = 0;
  for (const e of extensions) size += 4 + e.data.length;
  const out = new Uint8Array(size);
  let p = 0;
  for (const e of extensions) {
    out[p] = e.type >> 8;
    out[p + 1] = e.type & 0xff;
    out[p + 2] = e.data.length >> 8;
    out[p + 3] = e.data.length & 0xff;
    out.set(e.data, p + 4);
    p += 4 + e.data.length;
  }
  return out;
}

/** The list {@link packExtensions} packed, as views into `block`. */
export function unpackExtensions(block: Uint8Array): Extension[] {
  const out: Extension[] = [];
  for (let p = 0; p + 4 <= block.length; ) {
    const length = (block[p + 2] << 8) | block[p + 3];
    out.push({ type: (block[p] << 8) | block[p + 1], data: block.subarray(p + 4, p + 4 + length) });
    p += 4 + length;
  }
  return out;
}

/** The extension of `type`, or undefined. */
export function findExtension(extensions: readonly Extension[], type: number): Extension | undefined {
  for (const e of extensions) if (e.type === type) return e;
  return undefined;
}

/** The data of the extension of `type`; raises `missing_extension` when absent. */
export function requireExtension(extensions: readonly Extension[], type: number, where: string): Uint8Array {
  const e = findExtension(extensions, type);
  if (e === undefined) throw TlsAlert.of('missing_extension', `${where}: no ${extensionTypeName(type)} extension`);
  return e.data;
}
