/**
 * HTTP/3 (RFC 9114) and QPACK (RFC 9204, static table only) codecs and a sans-IO session for interop testing.
 * @packageDocumentation
 */
export * from './errors.js';
export * from './byteWriter.js';
export * from './frame.js';
export * from './settings.js';
export * from './message.js';
export * from './session.js';
export * from './transport.js';
export * from './qpack/staticTable.js';
export * from './qpack/huffmanTable.js';
export * from './qpack/huffman.js';
export * from './qpack/prefixedInt.js';
export * from './qpack/fieldSection.js';
