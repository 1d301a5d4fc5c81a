/**
 * The Alert message of RFC 8446 §6: level (1 warning, 2 fatal) and description, two bytes in an alert record.
 */
import { AlertDescription, TlsAlert } from '../alerts.js';

/** AlertLevel values. */
export const AlertLevel = { warning: 1, fatal: 2 } as const;

/** A decoded alert message. */
export interface AlertMessage {
  /** AlertLevel (1 or 2). */
  readonly level: number;
  /** AlertDescription. */
  readonly description: number;
}

/** Encodes an alert; close_notify and user_canceled are warnings, every other alert is fatal (§6). */
export function encodeAlert(description: number, level?: number): Uint8Array {
  const closure = description === AlertDescription.close_notify || description === AlertDescription.user_canceled;
  return Uint8Array.of(level ?? (closure ? AlertLevel.warning : AlertLevel.fatal), description);
}

/** Decodes the content of an alert record; anything but exactly 2 bytes with a known level → decode_error. */
export function decodeAlert(content: Uint8Array): AlertMessage {
  if (content.length !== 2) throw TlsAlert.of('decode_error', `alert record of ${content.length} bytes (expected 2)`);
  if (content[0] !== AlertLevel.warning && content[0] !== AlertLevel.fatal) {
    throw TlsAlert.of('decode_error', `unknown alert level ${content[0]}`);
  }
  return { level: content[0], description: content[1] };
}

/** The received alert as a TlsAlert value with `remote` set. */
export function remoteAlert(message: AlertMessage): TlsAlert {
  return new TlsAlert(message.description, `peer sent alert (level ${message.level})`, { remote: true });
}
