// `npm run demo` is the README's first command: run it as a user would and check it succeeds.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('npm run demo', () => {
  it('connects two nodes over TCP, exchanges messages, opens and closes a channel, exits 0', () => {
    const tsx = join(root, 'node_modules', '.bin', 'tsx');
    const run = spawnSync(tsx, ['demo/main.ts'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('received a custom message');
    // The channel part: opened, confirmed, listed by both sides, closed cooperatively, mined.
    expect(run.stdout).toContain('mined 6 blocks: the funding transaction has 6 confirmations');
    expect(run.stdout).toContain('ChannelReady: the channel is usable');
    expect(run.stdout).toMatch(/Alice \|\s+capacity 500,000 sat; our balance 400,000 sat/);
    expect(run.stdout).toMatch(/Bob\s+\|\s+capacity 500,000 sat; our balance 100,000 sat/);
    expect(run.stdout).toContain('ChannelClosed: CooperativeClosure');
    expect(run.stdout).toMatch(/closing transaction [0-9a-f]{64} mined: 1 confirmation/);
    expect(run.stdout).toContain('pays 100,000 sat to script');
    expect(run.stdout).toContain('Done:');
  });
});
