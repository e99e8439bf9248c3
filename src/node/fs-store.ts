/**
 * A crash-safe `KVStore` on the local filesystem (Node.js). Each value is one file at
 * `rootDir/primaryNamespace/secondaryNamespace/key` (empty namespaces are left out of the path),
 * so the layout matches LDK's filesystem store.
 *
 * Why the write dance: a crash in the middle of overwriting a file can leave it empty or torn,
 * and a channel monitor that is torn can lose funds. So a value is written to a temporary file
 * in the same directory, that file is fsynced, renamed over the target (rename within a
 * directory is atomic), and then the directory is fsynced so the rename itself is durable. A
 * crash leaves either the old value or the new one, plus at worst a stray temporary file, which
 * `read` and `list` never see: its name has a '.', outside the key alphabet.
 */
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { PersistenceError } from '../persist/errors.js';
import type { KVStore } from '../persist/kv-store.js';
import {
  checkStoreKey,
  checkStoreNamespace,
  checkStoreValue,
  isValidStoreName,
} from '../persist/kv-store.js';

/**
 * Numbers temporary files. Module-wide, so two stores on one directory in this process never
 * pick the same name; the pid keeps other processes apart.
 */
let tempCounter = 0;

export class FilesystemStore implements KVStore {
  /** Absolute directory holding everything this store writes. */
  readonly rootDir: string;
  /** The last queued operation per file, so calls for one key run in call order. */
  readonly #queues = new Map<string, Promise<unknown>>();

  /** `rootDir` is created on the first write if it does not exist. */
  constructor(rootDir: string) {
    this.rootDir = resolve(rootDir);
  }

  read(
    primaryNamespace: string,
    secondaryNamespace: string,
    key: string,
  ): Promise<Uint8Array | undefined> {
    return this.#run(primaryNamespace, secondaryNamespace, key, async (path) => {
      try {
        // A plain Uint8Array copy: callers never get a Buffer.
        return new Uint8Array(await readFile(path));
      } catch (e) {
        // ENOTDIR: a namespace component is a file, so nothing can be stored under it.
        if (isCode(e, 'ENOENT') || isCode(e, 'ENOTDIR')) return undefined;
        throw new PersistenceError('read', `FilesystemStore: cannot read ${path}`, { cause: e });
      }
    });
  }

  write(
    primaryNamespace: string,
    secondaryNamespace: string,
    key: string,
    value: Uint8Array,
  ): Promise<void> {
    let copy: Uint8Array;
    try {
      checkStoreValue(value);
      // Copied now, so the caller may reuse its array while the write is queued.
      copy = new Uint8Array(value);
    } catch (e) {
      return Promise.reject(asError(e));
    }
    return this.#run(primaryNamespace, secondaryNamespace, key, async (path) => {
      const dir = dirname(path);
      const temp = join(dir, `${key}.${process.pid}.${tempCounter++}.tmp`);
      try {
        await this.#makeDirs(dir);
        const handle = await open(temp, 'w');
        try {
          await handle.writeFile(copy);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temp, path);
        await syncDir(dir);
      } catch (e) {
        await unlink(temp).catch(() => undefined);
        throw new PersistenceError('write', `FilesystemStore: cannot write ${path}`, { cause: e });
      }
    });
  }

  remove(
    primaryNamespace: string,
    secondaryNamespace: string,
    key: string,
    lazy = false,
  ): Promise<void> {
    return this.#run(primaryNamespace, secondaryNamespace, key, async (path) => {
      try {
        await unlink(path);
      } catch (e) {
        if (isCode(e, 'ENOENT') || isCode(e, 'ENOTDIR')) return;
        throw new PersistenceError('remove', `FilesystemStore: cannot remove ${path}`, {
          cause: e,
        });
      }
      if (lazy) return;
      try {
        await syncDir(dirname(path));
      } catch (e) {
        throw new PersistenceError(
          'remove',
          `FilesystemStore: cannot sync after removing ${path}`,
          {
            cause: e,
          },
        );
      }
    });
  }

  async list(primaryNamespace: string, secondaryNamespace: string): Promise<string[]> {
    checkStoreNamespace(primaryNamespace, secondaryNamespace);
    const dir = join(this.rootDir, primaryNamespace, secondaryNamespace);
    try {
      const entries = await readdir(dir, { withFileTypes: true });
      // Directories are nested namespaces; names with a '.' are temporary files.
      return entries
        .filter((e) => e.isFile() && e.name !== '' && isValidStoreName(e.name))
        .map((e) => e.name);
    } catch (e) {
      if (isCode(e, 'ENOENT') || isCode(e, 'ENOTDIR')) return [];
      throw new PersistenceError('list', `FilesystemStore: cannot list ${dir}`, { cause: e });
    }
  }

  /** Validates the names, then runs `op` after every earlier operation on the same file. */
  #run<T>(
    primaryNamespace: string,
    secondaryNamespace: string,
    key: string,
    op: (path: string) => Promise<T>,
  ): Promise<T> {
    try {
      checkStoreKey(primaryNamespace, secondaryNamespace, key);
    } catch (e) {
      return Promise.reject(asError(e));
    }
    const path = join(this.rootDir, primaryNamespace, secondaryNamespace, key);
    const previous = this.#queues.get(path) ?? Promise.resolve();
    const current = previous.then(
      () => op(path),
      () => op(path),
    );
    this.#queues.set(path, current);
    const forget = (): void => {
      if (this.#queues.get(path) === current) this.#queues.delete(path);
    };
    current.then(forget, forget);
    return current;
  }

  /** Creates `dir` and its parents, fsyncing each parent whose entries changed. */
  async #makeDirs(dir: string): Promise<void> {
    const first = await mkdir(dir, { recursive: true });
    if (first === undefined) return;
    // Every directory from the parent of the first one created down to `dir`'s parent gained an
    // entry; `dir` itself is synced after the rename.
    const toSync: string[] = [];
    for (let d = dirname(dir); ; d = dirname(d)) {
      toSync.push(d);
      if (d === dirname(first) || d === dirname(d)) break;
    }
    for (const d of toSync.reverse()) await syncDir(d);
  }
}

/**
 * Makes a directory's entries (new, renamed or removed files) durable. Windows cannot open a
 * directory for fsync; NTFS journals the rename itself, so it is skipped there.
 */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isCode(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === code;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
