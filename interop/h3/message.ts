/**
 * HTTP/3 message validation (RFC 9114 §4.1.2, §4.2, §4.3; field syntax from RFC 9110 §5.1/§5.5). Everything that
 * makes a request, response or trailer section malformed throws {@link H3Error} H3_MESSAGE_ERROR (a stream error;
 * `streamId` is attached when given).
 */
import { H3Error, H3ErrorCode } from './errors.js';
import type { HeaderField } from './qpack/fieldSection.js';

/** The control data of a validated request. */
export interface RequestHead {
  /** :method */
  method: string;
  /** :scheme (absent for CONNECT). */
  scheme: string | undefined;
  /** :authority, or the Host field when :authority is absent. */
  authority: string | undefined;
  /** :path (absent for CONNECT). */
  path: string | undefined;
  /** Parsed content-length, or undefined. */
  contentLength: number | undefined;
}

/** The control data of a validated response. */
export interface ResponseHead {
  /** :status (100..599, never 101). */
  status: number;
  /** Parsed content-length, or undefined. */
  contentLength: number | undefined;
}

/** Header fields that are connection-specific in HTTP/1.1 and forbidden in HTTP/3 (RFC 9114 §4.2). */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

// tchar (RFC 9110 §5.6.2) minus uppercase letters: 1 = allowed in a field name.
const NAME_CHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz") NAME_CHAR[c.charCodeAt(0)] = 1;

// tchar including uppercase, for the method token.
const TOKEN_CHAR = new Uint8Array(NAME_CHAR);
for (let c = 0x41; c <= 0x5a; c++) TOKEN_CHAR[c] = 1;

function malformed(reason: string, streamId: number | undefined): never {
  throw new H3Error(H3ErrorCode.H3_MESSAGE_ERROR, reason, streamId === undefined ? undefined : { streamId });
}

/** True when `name` is a valid lowercase field name (a token with no uppercase letters). */
export function isValidFieldName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 0xff || NAME_CHAR[c] === 0) return false;
  }
  return true;
}

/**
 * True when `value` matches field-value (RFC 9110 §5.5): visible ASCII, obs-text (0x80-0xff), and SP/HTAB only
 * between other characters. NUL, CR, LF, other controls and DEL are invalid.
 */
export function isValidFieldValue(value: string): boolean {
  const n = value.length;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x20 || c === 0x09) {
      if (i === 0 || i === n - 1) return false;
    } else if (c < 0x21 || c === 0x7f || c > 0xff) {
      return false;
    }
  }
  return true;
}

function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || TOKEN_CHAR[c] === 0) return false;
  }
  return true;
}

/**
 * Checks the regular fields of a section (names, values, connection-specific fields) and returns the parsed
 * content-length. `firstRegular` is the index of the first non-pseudo field.
 */
function checkRegularFields(
  fields: readonly HeaderField[],
  firstRegular: number,
  streamId: number | undefined,
): number | undefined {
  let contentLength: number | undefined;
  for (let i = firstRegular; i < fields.length; i++) {
    const { name, value } = fields[i];
    if (name.charCodeAt(0) === 0x3a) malformed(`pseudo-header ${name} after a regular field`, streamId);
    if (!isValidFieldName(name)) malformed(`invalid field name ${JSON.stringify(name)}`, streamId);
    if (!isValidFieldValue(value)) malformed(`invalid characters in the value of ${name}`, streamId);
    if (CONNECTION_SPECIFIC.has(name)) malformed(`connection-specific field ${name}`, streamId);
    if (name === 'te' && value !== 'trailers') malformed('te other than "trailers"', streamId);
    if (name === 'content-length') {
      // A list of identical values ("42, 42") is tolerated (RFC 9110 §8.6); anything else is malformed.
      for (const part of value.split(',')) {
        const t = part.trim();
        if (!/^[0-9]{1,15}$/.test(t)) malformed(`invalid content-length ${JSON.stringify(value)}`, streamId);
        const n = Number(t);
        if (contentLength !== undefined && contentLength !== n) malformed('conflicting content-length values', streamId);
        contentLength = n;
      }
    }
  }
  return contentLength;
}

function pseudoEnd(fields: readonly HeaderField[]): number {
  let i = 0;
  while (i < fields.length && fields[i].name.charCodeAt(0) === 0x3a) i++;
  return i;
}

/** Validates a request header section (RFC 9114 §4.3.1, §4.4) and returns its control data. */
export function validateRequestHeaders(fields: readonly HeaderField[], streamId?: number): RequestHead {
  const end = pseudoEnd(fields);
  const pseudo = new Map<string, string>();
  for (let i = 0; i < end; i++) {
    const { name, value } = fields[i];
    if (name !== ':method' && name !== ':scheme' && name !== ':authority' && name !== ':path') {
      malformed(`pseudo-header ${name} is not valid in a request`, streamId);
    }
    if (pseudo.has(name)) malformed(`duplicate ${name}`, streamId);
    if (!isValidFieldValue(value) && value !== '') malformed(`invalid characters in ${name}`, streamId);
    pseudo.set(name, value);
  }
  const contentLength = checkRegularFields(fields, end, streamId);
  const method = pseudo.get(':method');
  if (method === undefined) malformed('missing :method', streamId);
  if (!isToken(method)) malformed('invalid :method', streamId);
  let authority = pseudo.get(':authority');
  const scheme = pseudo.get(':scheme');
  const path = pseudo.get(':path');
  if (method === 'CONNECT') {
    if (scheme !== undefined || path !== undefined) malformed('CONNECT with :scheme or :path', streamId);
    if (!authority) malformed('CONNECT without :authority', streamId);
    return { method, scheme, authority, path, contentLength };
  }
  if (scheme === undefined) malformed('missing :scheme', streamId);
  if (path === undefined) malformed('missing :path', streamId);
  if (!/^[a-z][a-z0-9+.-]*$/i.test(scheme)) malformed('invalid :scheme', streamId);
  const hosts = fields.filter((f) => f.name === 'host');
  if (hosts.length > 1) malformed('more than one host field', streamId);
  const host = hosts.length === 1 ? hosts[0].value : undefined;
  if (scheme === 'http' || scheme === 'https') {
    if (path === '' || (path[0] !== '/' && !(path === '*' && method === 'OPTIONS'))) {
      malformed(`invalid :path ${JSON.stringify(path)}`, streamId);
    }
    if (authority === undefined && host === undefined) malformed('neither :authority nor host', streamId);
    if (authority === '' || host === '') malformed('empty :authority or host', streamId);
    if (authority !== undefined && host !== undefined && authority !== host) {
      malformed(':authority and host differ', streamId);
    }
    if ((authority ?? host)!.includes('@')) malformed('userinfo in the authority', streamId);
  } else if (path === '') {
    malformed('empty :path', streamId);
  }
  authority ??= host;
  return { method, scheme, authority, path, contentLength };
}

/** Validates a response header section (RFC 9114 §4.3.2) and returns its status and content-length. */
export function validateResponseHeaders(fields: readonly HeaderField[], streamId?: number): ResponseHead {
  const end = pseudoEnd(fields);
  let status: string | undefined;
  for (let i = 0; i < end; i++) {
    const { name, value } = fields[i];
    if (name !== ':status') malformed(`pseudo-header ${name} is not valid in a response`, streamId);
    if (status !== undefined) malformed('duplicate :status', streamId);
    status = value;
  }
  const contentLength = checkRegularFields(fields, end, streamId);
  if (status === undefined) malformed('missing :status', streamId);
  if (!/^[1-5][0-9][0-9]$/.test(status)) malformed(`invalid :status ${JSON.stringify(status)}`, streamId);
  const code = Number(status);
  if (code === 101) malformed('101 (Switching Protocols) is not allowed in HTTP/3', streamId);
  return { status: code, contentLength };
}

/** Validates a trailer section: no pseudo-headers, valid regular fields (RFC 9114 §4.3). */
export function validateTrailers(fields: readonly HeaderField[], streamId?: number): void {
  for (const f of fields) if (f.name.charCodeAt(0) === 0x3a) malformed(`pseudo-header ${f.name} in trailers`, streamId);
  checkRegularFields(fields, 0, streamId);
}
