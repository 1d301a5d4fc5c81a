/**
 * SSLKEYLOGFILE support: appends the TLS engine's NSS key log lines (`LABEL <client_random> <secret>`, from the
 * engine's `keylog` callback) to a file that Wireshark can read. The file is opened in append mode, so several
 * connections and processes can share it. An I/O error disables the writer (kept in {@link KeyLogFile.error}).
 */
import { createWriteStream, type WriteStream } from 'node:fs';

/** Appends key log lines to a file. */
export class KeyLogFile {
  /** Path of the file. */
  readonly path: string;
  /** The first I/O error, if any. */
  error: Error | undefined;
  private readonly stream: WriteStream;
  private closed = false;

  /** Opens `path` for appending (created with mode 0600: it holds secrets). */
  constructor(path: string) {
    this.path = path;
    this.stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
    this.stream.on('error', (err: Error) => {
      this.error ??= err;
      this.closed = true;
    });
  }

  /**
   * The key log file named by the SSLKEYLOGFILE environment variable (from the `env` passed in, e.g.
   * process.env), or undefined when it is unset or empty.
   */
  static fromEnvironment(env: Readonly<Record<string, string | undefined>>): KeyLogFile | undefined {
    const path = env.SSLKEYLOGFILE;
    return path ? new KeyLogFile(path) : undefined;
  }

  /** Appends one line (a trailing newline is added; embedded newlines are refused silently). */
  write(line: string): void {
    if (this.closed || line.includes('\n') || line.includes('\r')) return;
    this.stream.write(`${line}\n`);
  }

  /** A callback suitable for the TLS engine's `keylog` option. */
  get callback(): (line: string) => void {
    return (line: string) => this.write(line);
  }

  /** Flushes and closes the file; resolves when it is closed. Idempotent. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.stream.closed || this.stream.destroyed) return resolve();
      this.stream.once('close', () => resolve());
      if (!this.closed) {
        this.closed = true;
        this.stream.end();
      }
    });
  }
}
