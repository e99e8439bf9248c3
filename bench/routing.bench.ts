/**
 * Pathfinding: `SimpleRouter.findRoute` on a random graph of 2,000 nodes and 5,000 channels
 * (10,000 directed edges; a spanning tree plus random chords, random BOLT 7 fees), from a payer
 * with 8 first hops to 64 payees in turn: one path for 100,000 msat, and a multi-part payment of
 * 1,000,000 msat that no single first hop (300,000 msat each) can carry. Also the cost of
 * indexing the graph (`setGraph`). The graph is fixed by a seeded generator, so runs compare.
 */
import { nobleBackend } from '../src/crypto/noble.js';
import { SimpleRouter } from '../src/routing/pathfinder.js';
import type { FirstHop, GraphEdge, RouteParameters } from '../src/routing/route.js';
import { toHex } from '../src/util/bytes.js';
import { measureSync, type BenchResult } from './harness.js';

const GROUP = 'Pathfinding (BOLT 4 / BOLT 7)';
const NODES = 2000;
const CHANNELS = 5000;

/** A small deterministic generator (LCG), so every run routes over the same graph. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function buildNetwork(): { ids: string[]; graph: GraphEdge[] } {
  const rand = lcg(42);
  const ids: string[] = [];
  for (let i = 0; i < NODES; i++) {
    const secret = new Uint8Array(32);
    secret[29] = 1;
    secret[30] = i >> 8;
    secret[31] = i & 0xff;
    ids.push(toHex(nobleBackend.getPublicKey(secret)));
  }
  const graph: GraphEdge[] = [];
  const add = (a: number, b: number, scid: bigint): void => {
    for (const [src, dst] of [
      [a, b],
      [b, a],
    ] as const) {
      graph.push({
        srcNodeId: ids[src]!,
        dstNodeId: ids[dst]!,
        shortChannelId: scid,
        feeBaseMsat: Math.floor(rand() * 1000),
        feeProportionalMillionths: Math.floor(rand() * 2000),
        cltvExpiryDelta: 18 + Math.floor(rand() * 126),
        htlcMinimumMsat: 1n,
        htlcMaximumMsat: 10_000_000_000n,
      });
    }
  };
  // Node 0 is the payer; nodes 1.. form a tree so every payee is reachable, then chords.
  let scid = 1n;
  for (let i = 2; i < NODES; i++) add(i, 1 + Math.floor(rand() * (i - 1)), scid++);
  while (scid <= CHANNELS) {
    const a = 1 + Math.floor(rand() * (NODES - 1));
    const b = 1 + Math.floor(rand() * (NODES - 1));
    if (a !== b) add(a, b, scid++);
  }
  return { ids, graph };
}

export async function run(): Promise<BenchResult[]> {
  const { ids, graph } = buildNetwork();
  const rand = lcg(7);
  const pick = (): string => ids[1 + Math.floor(rand() * (NODES - 1))]!;
  const firstHops = (capacityMsat: bigint): FirstHop[] =>
    Array.from({ length: 8 }, (_, i) => ({
      counterpartyNodeId: pick(),
      shortChannelId: 1_000_000n + BigInt(i),
      outboundCapacityMsat: capacityMsat,
      htlcMinimumMsat: 1n,
      nextOutboundHtlcLimitMsat: capacityMsat,
    }));
  const payees = Array.from({ length: 64 }, pick);
  const params = (payee: string, amountMsat: bigint, allowMpp: boolean): RouteParameters => ({
    paymentParams: {
      payeeNodeId: payee,
      routeHints: [],
      finalCltvExpiryDelta: 18,
      allowMpp,
      maxTotalCltvExpiryDelta: 2016,
      maxPathCount: 10,
      previouslyFailedChannels: [],
    },
    finalValueMsat: amountMsat,
  });

  const router = new SimpleRouter({ graph });
  const results: BenchResult[] = [];
  const impl = 'boltkit';
  const note = `${NODES} nodes, ${graph.length} directed edges`;

  const indexOps = measureSync(() => {
    router.setGraph(graph.slice());
  }, 1000);
  results.push({ group: GROUP, name: 'index graph (setGraph)', impl, opsPerSec: indexOps, note });
  router.setGraph(graph);

  const cases: [string, bigint, boolean, bigint][] = [
    ['findRoute, one path (100,000 msat)', 100_000n, false, 10_000_000n],
    ['findRoute, multi-part (1,000,000 msat)', 1_000_000n, true, 300_000n],
  ];
  for (const [name, amountMsat, allowMpp, capacityMsat] of cases) {
    const hops = firstHops(capacityMsat);
    let i = 0;
    let paths = 0;
    let routes = 0;
    const ops = measureSync(() => {
      const payee = payees[i++ % payees.length]!;
      paths += router.findRoute(ids[0]!, params(payee, amountMsat, allowMpp), hops).paths.length;
      routes++;
    }, 2000);
    results.push({
      group: GROUP,
      name,
      impl,
      opsPerSec: ops,
      value: 1000 / ops,
      unit: 'ms/route',
      note: `${note}, ${(paths / routes).toFixed(1)} paths/route`,
    });
  }
  return results;
}
