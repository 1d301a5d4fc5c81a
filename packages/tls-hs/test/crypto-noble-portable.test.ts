/**
 * The noble provider must run with no `node:` import: bundle it for a neutral platform (esbuild fails on any Node
 * built-in it cannot resolve) and run the bundle in a bare vm context that has only globalThis.crypto.getRandomValues.
 */
import { build } from 'esbuild';
import { runInNewContext } from 'node:vm';
import { webcrypto } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const s = suite('crypto: noble provider is portable');
const entry = fileURLToPath(new URL('../src/crypto/noble.ts', import.meta.url));

s('bundles for a neutral platform and works in a context without Node built-ins', async () => {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'neutral',
    format: 'iife',
    globalName: 'quichsNoble',
    mainFields: ['module', 'main'],
    conditions: ['source', 'import'],
    write: false,
    logLevel: 'silent',
  });
  assert.is(result.errors.length, 0);
  const code = result.outputFiles[0].text;
  assert.not.match(code, /require\(["']node:/);
  const sandbox: Record<string, unknown> = {
    crypto: { getRandomValues: (a: Uint8Array) => webcrypto.getRandomValues(a) },
  };
  // Everything below runs inside the bare context so its Uint8Arrays are the context's own.
  const probe = `
    const p = quichsNoble.createNobleProvider();
    const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    const bytes = (t) => Uint8Array.from(t, (c) => c.charCodeAt(0));
    const aead = p.createAead('chacha20-poly1305', new Uint8Array(32).fill(7));
    const nonce = new Uint8Array(12);
    const sealed = aead.seal(nonce, new Uint8Array(0), bytes('portable'));
    const client = p.generateKeyShare('x25519');
    const server = p.respondKeyShare('x25519', client.publicKey);
    this.out = {
      sha256: hex(p.hash('sha256', bytes('abc'))),
      opened: String.fromCharCode(...aead.open(nonce, new Uint8Array(0), sealed)),
      agree: hex(client.complete(server.publicKey)) === hex(server.sharedSecret),
    };`;
  runInNewContext(`${code}\n${probe}`, sandbox);
  const out = sandbox.out as { sha256: string; opened: string; agree: boolean };
  assert.is(out.sha256, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.is(out.opened, 'portable');
  assert.ok(out.agree);
});

s.run();
