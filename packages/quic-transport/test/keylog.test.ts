import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyLogLine } from '@quichs/tls-hs';
import { KeyLogFile } from '../src/index.js';

const s = suite('keylog');

s('appends NSS lines to the file, keeping earlier content', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quichs-keylog-'));
  try {
    const path = join(dir, 'keys.log');
    writeFileSync(path, '# existing\n');
    const k = new KeyLogFile(path);
    const line = keyLogLine('CLIENT_HANDSHAKE_TRAFFIC_SECRET', new Uint8Array(32).fill(1), new Uint8Array(32).fill(2));
    k.callback(line);
    k.write('SERVER_TRAFFIC_SECRET_0 aa bb');
    k.write('evil\nINJECTED x y');
    await k.close();
    await k.close();
    k.write('after close');
    const text = readFileSync(path, 'utf8');
    assert.is(text, `# existing\n${line}\nSERVER_TRAFFIC_SECRET_0 aa bb\n`);
    assert.match(line, /^CLIENT_HANDSHAKE_TRAFFIC_SECRET (01){32} (02){32}$/);

    const fresh = new KeyLogFile(join(dir, 'new.log'));
    fresh.write('X 00 00');
    await fresh.close();
    assert.is(statSync(join(dir, 'new.log')).mode & 0o777, 0o600);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

s('SSLKEYLOGFILE from an injected environment', async () => {
  assert.is(KeyLogFile.fromEnvironment({}), undefined);
  assert.is(KeyLogFile.fromEnvironment({ SSLKEYLOGFILE: '' }), undefined);
  const dir = mkdtempSync(join(tmpdir(), 'quichs-keylog-'));
  try {
    const k = KeyLogFile.fromEnvironment({ SSLKEYLOGFILE: join(dir, 'env.log') });
    assert.ok(k);
    k?.write('A 01 02');
    await k?.close();
    assert.is(readFileSync(join(dir, 'env.log'), 'utf8'), 'A 01 02\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

s('an unwritable path is recorded as .error', async () => {
  const k = new KeyLogFile('/nonexistent-dir-quichs/keys.log');
  await new Promise((r) => setTimeout(r, 20));
  k.write('A 00 00');
  await k.close();
  assert.ok(k.error instanceof Error);
});

s.run();
