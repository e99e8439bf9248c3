// `npm run demo` is the README's first command: run it as a user would and check it succeeds.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('npm run demo', () => {
  it('connects two nodes over TCP, exchanges messages and exits 0', () => {
    const tsx = join(root, 'node_modules', '.bin', 'tsx');
    const run = spawnSync(tsx, ['demo/main.ts'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('received a custom message');
    expect(run.stdout).toContain('Done:');
  });
});
