// FilesystemStore: the shared KVStore suite on a temporary directory, plus the crash-safety
// properties that only a filesystem has.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FilesystemStore } from '../../src/node/fs-store.js';
import { ErrorCode } from '../../src/util/errors.js';
import { kvStoreSuite } from '../persist/kv-store-suite.js';

// I/O failures are injected: the next `open` of a temporary file or `rename` fails with EIO,
// as a failing disk would. Everything else goes to the real filesystem.
let failNext: 'open' | 'rename' | undefined;
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const eio = (): Error => Object.assign(new Error('EIO: injected'), { code: 'EIO' });
  return {
    ...real,
    open: (async (path: string, ...rest: unknown[]) => {
      if (failNext === 'open' && path.endsWith('.tmp')) {
        failNext = undefined;
        throw eio();
      }
      return (real.open as (...a: unknown[]) => unknown)(path, ...rest);
    }) as typeof real.open,
    rename: (async (from: string, to: string) => {
      if (failNext === 'rename') {
        failNext = undefined;
        throw eio();
      }
      return real.rename(from, to);
    }) as typeof real.rename,
  };
});

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'boltkit-fs-store-'));
}

kvStoreSuite('FilesystemStore', async () => {
  const dir = await tempDir();
  return {
    store: new FilesystemStore(join(dir, 'store')),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('FilesystemStore on disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lays values out as rootDir/primary/secondary/key, leaving no temporary files', async () => {
    const store = new FilesystemStore(dir);
    await store.write('monitors', 'updates', 'u1', Uint8Array.of(1));
    await store.write('monitors', '', 'm1', Uint8Array.of(2));
    await store.write('', '', 'manager', Uint8Array.of(3));
    expect((await readdir(dir)).sort()).toEqual(['manager', 'monitors']);
    expect((await readdir(join(dir, 'monitors'))).sort()).toEqual(['m1', 'updates']);
    expect(await readdir(join(dir, 'monitors', 'updates'))).toEqual(['u1']);
  });

  it('ignores the temporary file of an interrupted write: the old value stays', async () => {
    const store = new FilesystemStore(dir);
    await store.write('monitors', '', 'chan', Uint8Array.of(1, 2, 3));
    // What a crash between writing the temporary file and renaming it leaves behind.
    await writeFile(join(dir, 'monitors', 'chan.4242.0.tmp'), Uint8Array.of(9, 9));
    await writeFile(join(dir, 'monitors', 'other.4242.1.tmp'), Uint8Array.of(9));

    const reopened = new FilesystemStore(dir);
    expect(await reopened.read('monitors', '', 'chan')).toEqual(Uint8Array.of(1, 2, 3));
    expect(await reopened.list('monitors', '')).toEqual(['chan']);
    expect(await reopened.read('monitors', '', 'other')).toBeUndefined();
    // A later write of the same key still succeeds and replaces the old value.
    await reopened.write('monitors', '', 'chan', Uint8Array.of(4));
    expect(await reopened.read('monitors', '', 'chan')).toEqual(Uint8Array.of(4));
  });

  it('survives a restart: a new instance on the same directory reads what was written', async () => {
    await new FilesystemStore(dir).write('ns', 'sub', 'k', Uint8Array.of(5, 6));
    expect(await new FilesystemStore(dir).read('ns', 'sub', 'k')).toEqual(Uint8Array.of(5, 6));
  });

  it('a write that cannot create its namespace directory is a PersistenceError', async () => {
    const store = new FilesystemStore(dir);
    await store.write('', '', 'taken', Uint8Array.of(1));
    await expect(store.write('taken', '', 'k', Uint8Array.of(2))).rejects.toMatchObject({
      code: ErrorCode.PersistenceError,
      operation: 'write',
    });
    expect(await store.read('', '', 'taken')).toEqual(Uint8Array.of(1));
  });

  it('a failed overwrite keeps the old value and leaves no temporary file', async () => {
    const store = new FilesystemStore(dir);
    await store.write('ns', '', 'k', Uint8Array.of(1));
    for (const step of ['open', 'rename'] as const) {
      failNext = step;
      await expect(store.write('ns', '', 'k', Uint8Array.of(2))).rejects.toMatchObject({
        code: ErrorCode.PersistenceError,
        operation: 'write',
      });
      expect(failNext).toBeUndefined();
      expect(await readdir(join(dir, 'ns'))).toEqual(['k']);
      expect(await store.read('ns', '', 'k')).toEqual(Uint8Array.of(1));
    }
    await store.write('ns', '', 'k', Uint8Array.of(3));
    expect(await store.read('ns', '', 'k')).toEqual(Uint8Array.of(3));
  });

  it('a key colliding with a namespace directory is a PersistenceError on read', async () => {
    const store = new FilesystemStore(dir);
    await mkdir(join(dir, 'ns', 'sub'), { recursive: true });
    await expect(store.read('ns', '', 'sub')).rejects.toMatchObject({
      code: ErrorCode.PersistenceError,
      operation: 'read',
    });
    // A primary namespace whose name is taken by a file simply holds nothing.
    await store.write('', '', 'file', Uint8Array.of(1));
    expect(await store.read('file', '', 'k')).toBeUndefined();
    expect(await store.list('file', '')).toEqual([]);
  });
});
