// `npm run demo` is the README's first command: run it as a user would and check it succeeds.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('npm run demo', () => {
  it('three nodes over TCP: messages, two channels, a two-hop payment, cooperative closes, exit 0', () => {
    const tsx = join(root, 'node_modules', '.bin', 'tsx');
    const run = spawnSync(tsx, ['demo/main.ts'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    const out = run.stdout;
    expect(run.status, out + run.stderr).toBe(0);
    expect(run.stderr, out + run.stderr).not.toContain('demo failed');
    // The nodes log warnings and errors on stdout; a clean run has none.
    expect(out).not.toMatch(/\| \[(warn|error)\]/);

    // Connections: Alice and Carol dial Bob; Alice and Bob exchange a ping and custom messages.
    expect(out).toMatch(/Alice \| connected to 02888f2e…1dce \(we dialled them\)/);
    expect(out).toMatch(/Carol \| connected to 02888f2e…1dce \(we dialled them\)/);
    expect(out).toContain('features negotiated with Bob: ');
    expect(out).toContain('received a custom message');
    expect(out).toMatch(/Alice \|\s+last ping round trip: \d+ ms/);

    // Channels: both opened, confirmed, listed by both sides.
    expect(out).toContain('mined 6 blocks: the funding transactions have 6 and 6 confirmations');
    expect(out).toContain('ChannelReady: the channel to Bob is usable');
    expect(out).toMatch(/Alice \|\s+capacity 500,000 sat; our balance 400,000 sat/);
    expect(out).toMatch(/Bob\s+\|\s+capacity 500,000 sat; our balance 100,000 sat/);
    expect(out).toMatch(/Bob\s+\|\s+capacity 300,000 sat; our balance 300,000 sat/);
    expect(out).toMatch(/Carol \|\s+capacity 300,000 sat; our balance 0 sat/);

    // The payment: Bob forwards (processPendingHtlcForwards), Carol claims, Alice learns the
    // preimage; 20,000 sat move to Carol and Bob keeps his 1 sat base fee.
    const payment = out.slice(out.indexOf('A payment over two hops'));
    expect(payment).toMatch(/Carol \| createBolt11Invoice: 20,000 sat/);
    expect(payment).toMatch(/Carol \|\s+lnbcrt200u1/);
    expect(payment).toMatch(/Bob\s+\| PendingHTLCsForwardable: processPendingHtlcForwards\(\)/);
    expect(payment).toMatch(/Carol \| PaymentClaimable: 20,000 sat .*claimFunds/);
    expect(payment).toContain('Carol | PaymentClaimed: 20,000 sat received');
    expect(payment).toMatch(/Bob\s+\| PaymentForwarded: passed 20,000 sat on to .* a fee of 1 sat/);
    expect(payment).toMatch(/Alice \| PaymentSent: preimage [0-9a-f]{16}…, fee paid 1 sat/);
    const after = payment.slice(payment.indexOf('Balances after:'));
    expect(after).toContain('Alice |   in the channel with Bob: 379,999 sat (−20,001 sat)');
    expect(after).toContain(
      'Bob   |   with Alice: 120,001 sat (+20,001 sat); with Carol: 280,000 sat (−20,000 sat)',
    );
    expect(after).toContain('Carol |   in the channel with Bob: 20,000 sat (+20,000 sat)');
    expect(after).toContain('Bob   | earned 1 sat for forwarding (PaymentForwarded says 1 sat)');
    expect(after).toContain('Alice | paid 20,001 sat: 20,000 sat to Carol and 1 sat in fees');

    // Both channels close cooperatively; the closing transactions pay the balances out.
    expect(out.match(/ChannelClosed: CooperativeClosure/g)).toHaveLength(2);
    expect(out.match(/closing transaction [0-9a-f]{64} mined: 1 confirmation/g)).toHaveLength(2);
    expect(out).toContain('pays 120,001 sat to script');
    expect(out).toContain('pays 20,000 sat to script');
    expect(out).toMatch(/Bob\s+\| disconnected from 0355f8d2…6c23/);
    expect(out).toMatch(/Bob\s+\| disconnected from 031118c4…d220/);
    expect(out).toContain('Done:');
  });
});
