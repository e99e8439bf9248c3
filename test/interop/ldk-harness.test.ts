/**
 * Proves the LDK glue on its own: two LDK 0.1 nodes in one process talk BOLT 8 over real TCP on
 * 127.0.0.1 through our SocketDescriptor bridge. They finish the handshake and `init`, list each
 * other, and pass BOLT 1 custom messages both ways, including a burst large enough to hit write
 * backpressure.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { LdkNode } from './ldk/ldk-node.js';
import { loadLdk } from './ldk/load.js';
import { waitFor } from './ldk/wait-for.js';

const WAIT_MS = 10_000;

let alice: LdkNode;
let bob: LdkNode;

beforeAll(async () => {
  const t0 = performance.now();
  await loadLdk();
  const t1 = performance.now();
  alice = await LdkNode.start({ seed: 1, name: 'alice' });
  bob = await LdkNode.start({ seed: 2, name: 'bob' });
  const t2 = performance.now();
  console.info(
    `LDK WASM load ${(t1 - t0).toFixed(0)} ms, two nodes started in ${(t2 - t1).toFixed(0)} ms`,
  );
});

afterAll(async () => {
  await Promise.all([alice.stop(), bob.stop()]);
});

beforeEach((ctx) => {
  ctx.onTestFailed(() => {
    console.error(`${alice.formatLog()}\n${bob.formatLog()}`);
  });
});

describe('LDK <-> LDK over TCP', () => {
  test('loadLdk is idempotent', async () => {
    const [a, b] = await Promise.all([loadLdk(), loadLdk()]);
    expect(a).toBe(b);
  });

  test('fixed seeds give fixed, distinct node ids', () => {
    expect(alice.nodeIdHex).toMatch(/^0[23][0-9a-f]{64}$/);
    expect(bob.nodeIdHex).not.toBe(alice.nodeIdHex);
  });

  test('an off-curve node id is refused before it reaches WASM', async () => {
    // x = 2^256 - 1 is above the field prime: LDK would panic on it and poison the instance.
    await expect(alice.connectTcp('127.0.0.1', 9, `02${'ff'.repeat(32)}`)).rejects.toThrow();
    expect(() => {
      alice.sendCustomMessage(`03${'00'.repeat(32)}`, 32769, new Uint8Array(0));
    }).toThrow();
  });

  test('handshake and init complete; both list each other', async () => {
    const port = await alice.listenTcp();
    await bob.connectTcp('127.0.0.1', port, alice.nodeIdHex);
    await waitFor(
      () => alice.peer(bob.nodeIdHex) !== undefined && bob.peer(alice.nodeIdHex) !== undefined,
      WAIT_MS,
      'both nodes to list each other',
    );
    const bobAsSeenByAlice = alice.peer(bob.nodeIdHex)!;
    const aliceAsSeenByBob = bob.peer(alice.nodeIdHex)!;
    expect(bobAsSeenByAlice.inbound).toBe(true);
    expect(aliceAsSeenByBob.inbound).toBe(false);
    // What LDK 0.1 puts in init with this configuration (BOLT 9 bit numbers).
    for (const bit of [7, 8, 12, 14, 17, 45]) {
      expect(aliceAsSeenByBob.initFeatureBits).toContain(bit);
    }
    expect(aliceAsSeenByBob.initFeatureBits).toEqual(bobAsSeenByAlice.initFeatureBits);
    console.info(`LDK 0.1 init feature bits: ${aliceAsSeenByBob.initFeatureBits.join(',')}`);
    expect(alice.peerLifecycle).toContainEqual(
      expect.objectContaining({ kind: 'connected', nodeIdHex: bob.nodeIdHex, inbound: true }),
    );
  });

  test('a custom odd message goes each way', async () => {
    const toAlice = Uint8Array.from([1, 2, 3, 4, 5]);
    bob.sendCustomMessage(alice.nodeIdHex, 32769, toAlice);
    await waitFor(() => alice.receivedCustomMessages.length === 1, WAIT_MS, 'alice to receive');
    expect(alice.receivedCustomMessages[0]).toEqual({
      fromNodeIdHex: bob.nodeIdHex,
      type: 32769,
      payload: toAlice,
    });

    bob.sendCustomMessage(alice.nodeIdHex, 32771, new Uint8Array(0));
    alice.sendCustomMessage(bob.nodeIdHex, 40001, new Uint8Array([0xff]));
    await waitFor(
      () => alice.receivedCustomMessages.length === 2 && bob.receivedCustomMessages.length === 1,
      WAIT_MS,
      'one more message each way',
    );
    expect(alice.receivedCustomMessages[1]).toMatchObject({
      type: 32771,
      payload: new Uint8Array(0),
    });
    expect(bob.receivedCustomMessages[0]).toEqual({
      fromNodeIdHex: alice.nodeIdHex,
      type: 40001,
      payload: new Uint8Array([0xff]),
    });
  });

  test('a burst of large messages survives write backpressure, in order', async () => {
    // One synchronous loop offers 6 MB while alice reads nothing, more than a loopback
    // connection buffers (about 4 MB with Linux defaults), so bob's bridge must wait for 'drain'.
    const count = 100;
    const before = alice.receivedCustomMessages.length;
    for (let i = 0; i < count; i++) {
      const payload = new Uint8Array(60_000).fill(i & 0xff);
      payload[0] = i >> 8;
      bob.sendCustomMessage(alice.nodeIdHex, 32773, payload);
    }
    await waitFor(
      () => alice.receivedCustomMessages.length === before + count,
      20_000,
      `alice to receive ${count} large messages`,
    );
    const got = alice.receivedCustomMessages.slice(before);
    got.forEach((m, i) => {
      expect(m.payload.length).toBe(60_000);
      expect(m.payload[0]).toBe(i >> 8);
      expect(m.payload[1]).toBe(i & 0xff);
    });
    expect(alice.peer(bob.nodeIdHex)).toBeDefined();
    // The burst really went through the backpressure path: send_data refused bytes until drain.
    expect(bob.socketStats().writeBlocks).toBeGreaterThan(0);
  });

  test('pings on timer ticks are answered: no disconnect after several ticks', async () => {
    for (let tick = 0; tick < 4; tick++) {
      alice.timerTick();
      bob.timerTick();
      // Each side logs the pong it received; wait for both before the next tick.
      const pongs = (n: LdkNode): number => n.logLines.filter((l) => /pong/i.test(l)).length;
      const [pa, pb] = [pongs(alice), pongs(bob)];
      await waitFor(
        () => pongs(alice) > pa && pongs(bob) > pb,
        WAIT_MS,
        `pongs after tick ${tick}`,
      );
    }
    expect(alice.peer(bob.nodeIdHex)).toBeDefined();
    expect(bob.peer(alice.nodeIdHex)).toBeDefined();
  });

  test('a disconnect on one side is seen by the other', async () => {
    alice.disconnectPeer(bob.nodeIdHex);
    await waitFor(
      () => alice.listPeers().length === 0 && bob.listPeers().length === 0,
      WAIT_MS,
      'both sides to drop the peer',
    );
    await waitFor(
      () => bob.peerLifecycle.some((r) => r.kind === 'disconnected'),
      WAIT_MS,
      'bob to see the disconnect',
    );
    expect(alice.openConnectionCount + bob.openConnectionCount).toBe(0);
  });

  test('blocks connect on the test chain', () => {
    alice.connectBlocks(3);
    expect(alice.channelManager.current_best_block().get_height()).toBe(3);
  });

  test('no callback threw into WASM', () => {
    expect(alice.allCallbackErrors()).toEqual([]);
    expect(bob.allCallbackErrors()).toEqual([]);
  });
});
