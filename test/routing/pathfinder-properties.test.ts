// Properties of every route SimpleRouter returns on random small graphs (fixed seed; set
// ROUTING_FC_SEED to try another): it starts with a first hop and ends at the payee, each hop's
// fee is the BOLT 7 fee on what it forwards, every channel is within its limits, the parts add
// up to the amount, and the budgets hold. When it finds nothing, the error is RouteNotFound.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forwardingFeeMsat } from '../../src/routing/fees.js';
import { SimpleRouter } from '../../src/routing/pathfinder.js';
import {
  pathFinalValueMsat,
  pathTotalCltvDelta,
  pathTotalMsat,
  type FirstHop,
  type GraphEdge,
  type Route,
  type RouteHintHop,
  type RouteParameters,
} from '../../src/routing/route.js';
import { FC_SEED, node, routeParams } from './helpers.js';

interface Channel {
  src: string;
  dst: string;
  feeBaseMsat: number;
  feeProportionalMillionths: number;
  cltvExpiryDelta: number;
  htlcMinimumMsat: bigint;
  htlcMaximumMsat: bigint;
  capacityMsat?: bigint;
}

interface Case {
  graph: GraphEdge[];
  hints: RouteHintHop[][];
  firstHops: FirstHop[];
  params: RouteParameters;
}

const US = node(0);
const idx = fc.integer({ min: 0, max: 5 });

const edgeArb = fc.record({
  src: idx,
  dst: idx,
  feeBaseMsat: fc.integer({ min: 0, max: 2000 }),
  feeProportionalMillionths: fc.integer({ min: 0, max: 5000 }),
  cltvExpiryDelta: fc.integer({ min: 0, max: 200 }),
  htlcMinimumMsat: fc.bigInt({ min: 0n, max: 5000n }),
  htlcMaximumMsat: fc.bigInt({ min: 1000n, max: 5_000_000n }),
  capacitySat: fc.option(fc.bigInt({ min: 1n, max: 2000n }), { nil: undefined }),
});

const hintHopArb = fc.record({
  src: fc.integer({ min: 1, max: 7 }),
  feeBaseMsat: fc.integer({ min: 0, max: 2000 }),
  feeProportionalMillionths: fc.integer({ min: 0, max: 5000 }),
  cltvExpiryDelta: fc.integer({ min: 0, max: 200 }),
  htlcMaximumMsat: fc.option(fc.bigInt({ min: 1000n, max: 2_000_000n }), { nil: undefined }),
});

const firstHopArb = fc.record({
  peer: fc.integer({ min: 1, max: 5 }),
  outboundCapacityMsat: fc.bigInt({ min: 0n, max: 2_000_000n }),
  htlcMinimumMsat: fc.bigInt({ min: 0n, max: 2000n }),
  limitPercent: fc.integer({ min: 10, max: 100 }),
});

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    payee: fc.integer({ min: 1, max: 7 }),
    edges: fc.array(edgeArb, { minLength: 10, maxLength: 40 }),
    hints: fc.array(fc.array(hintHopArb, { minLength: 1, maxLength: 2 }), { maxLength: 2 }),
    firstHops: fc.array(firstHopArb, { minLength: 1, maxLength: 4 }),
    amount: fc.oneof(
      fc.bigInt({ min: 1n, max: 200_000n }),
      fc.bigInt({ min: 1n, max: 1_500_000n }),
    ),
    allowMpp: fc.boolean(),
    maxPathCount: fc.integer({ min: 1, max: 4 }),
    maxFee: fc.option(fc.bigInt({ min: 0n, max: 50_000n }), { nil: undefined }),
    finalCltv: fc.integer({ min: 0, max: 100 }),
    maxCltv: fc.integer({ min: 100, max: 1008 }),
    failedBits: fc.array(fc.integer({ min: 0, max: 15 }), { maxLength: 2 }),
  })
  .map((c) => {
    const graph: GraphEdge[] = c.edges.map((e, i) => ({
      srcNodeId: node(e.src),
      dstNodeId: node(e.dst),
      shortChannelId: BigInt(100 + i),
      feeBaseMsat: e.feeBaseMsat,
      feeProportionalMillionths: e.feeProportionalMillionths,
      cltvExpiryDelta: e.cltvExpiryDelta,
      htlcMinimumMsat: e.htlcMinimumMsat,
      htlcMaximumMsat: e.htlcMaximumMsat,
      ...(e.capacitySat === undefined ? {} : { capacitySat: e.capacitySat }),
    }));
    const hints: RouteHintHop[][] = c.hints.map((h, i) =>
      h.map((hop, j) => ({
        srcNodeId: node(hop.src),
        shortChannelId: BigInt(500 + 10 * i + j),
        feeBaseMsat: hop.feeBaseMsat,
        feeProportionalMillionths: hop.feeProportionalMillionths,
        cltvExpiryDelta: hop.cltvExpiryDelta,
        ...(hop.htlcMaximumMsat === undefined ? {} : { htlcMaximumMsat: hop.htlcMaximumMsat }),
      })),
    );
    const firstHops: FirstHop[] = c.firstHops.map((f, i) => ({
      counterpartyNodeId: node(f.peer),
      shortChannelId: BigInt(10 + i),
      outboundCapacityMsat: f.outboundCapacityMsat,
      htlcMinimumMsat: f.htlcMinimumMsat,
      nextOutboundHtlcLimitMsat: (f.outboundCapacityMsat * BigInt(f.limitPercent)) / 100n,
    }));
    // Failed bits pick from first hops (0-3), then graph edges and hint channels.
    const scids = [
      ...firstHops.map((f) => f.shortChannelId),
      ...graph.slice(0, 10).map((e) => e.shortChannelId),
      ...hints.flat().map((h) => h.shortChannelId),
    ];
    const failed = scids.filter((_, bit) => c.failedBits.includes(bit));
    const params = routeParams(
      node(c.payee),
      c.amount,
      {
        routeHints: hints,
        allowMpp: c.allowMpp,
        maxPathCount: c.maxPathCount,
        finalCltvExpiryDelta: c.finalCltv,
        maxTotalCltvExpiryDelta: c.maxCltv,
        previouslyFailedChannels: failed,
      },
      c.maxFee,
    );
    return { graph, hints, firstHops, params };
  });

/** Every channel a path may name after its first hop, by scid, source and destination. */
function channelsOf(c: Case): Map<string, Channel> {
  const out = new Map<string, Channel>();
  for (const e of c.graph) {
    out.set(`${e.shortChannelId}/${e.srcNodeId}/${e.dstNodeId}`, {
      src: e.srcNodeId,
      dst: e.dstNodeId,
      feeBaseMsat: e.feeBaseMsat,
      feeProportionalMillionths: e.feeProportionalMillionths,
      cltvExpiryDelta: e.cltvExpiryDelta,
      htlcMinimumMsat: e.htlcMinimumMsat,
      htlcMaximumMsat: e.htlcMaximumMsat,
      ...(e.capacitySat === undefined ? {} : { capacityMsat: e.capacitySat * 1000n }),
    });
  }
  for (const h of c.hints) {
    h.forEach((hop, j) => {
      const dst = h[j + 1]?.srcNodeId ?? c.params.paymentParams.payeeNodeId;
      out.set(`${hop.shortChannelId}/${hop.srcNodeId}/${dst}`, {
        src: hop.srcNodeId,
        dst,
        feeBaseMsat: hop.feeBaseMsat,
        feeProportionalMillionths: hop.feeProportionalMillionths,
        cltvExpiryDelta: hop.cltvExpiryDelta,
        htlcMinimumMsat: hop.htlcMinimumMsat ?? 0n,
        htlcMaximumMsat: hop.htlcMaximumMsat ?? 1n << 64n,
      });
    });
  }
  return out;
}

function checkRoute(c: Case, r: Route): void {
  const pp = c.params.paymentParams;
  const failed = new Set(pp.previouslyFailedChannels);
  const channels = channelsOf(c);
  const firstHopUse = new Map<bigint, bigint>();
  const edgeUse = new Map<string, bigint>();

  expect(r.paths.length).toBeGreaterThanOrEqual(1);
  expect(r.paths.length).toBeLessThanOrEqual(pp.allowMpp ? pp.maxPathCount : 1);
  for (const path of r.paths) {
    const hops = path.hops;
    expect(hops.length).toBeGreaterThanOrEqual(1);
    expect(hops.length).toBeLessThanOrEqual(20);
    expect(hops[hops.length - 1]!.pubkey).toBe(pp.payeeNodeId);
    expect(hops[hops.length - 1]!.cltvExpiryDelta).toBe(pp.finalCltvExpiryDelta);
    const nodes = hops.map((h) => h.pubkey);
    expect(new Set(nodes).size).toBe(nodes.length);
    expect(nodes).not.toContain(US);
    for (const h of hops) expect(failed.has(h.shortChannelId)).toBe(false);

    // What channel j carries: the delivered amount plus the fees of hops j and after.
    const carried = hops.map((_, j) => hops.slice(j).reduce((s, h) => s + h.feeMsat, 0n));
    const first = c.firstHops.find(
      (f) => f.shortChannelId === hops[0]!.shortChannelId && f.counterpartyNodeId === nodes[0],
    );
    expect(first).toBeDefined();
    expect(carried[0]!).toBeGreaterThanOrEqual(first!.htlcMinimumMsat);
    expect(carried[0]!).toBeLessThanOrEqual(first!.nextOutboundHtlcLimitMsat);
    firstHopUse.set(
      first!.shortChannelId,
      (firstHopUse.get(first!.shortChannelId) ?? 0n) + carried[0]!,
    );

    for (let j = 1; j < hops.length; j++) {
      const key = `${hops[j]!.shortChannelId}/${nodes[j - 1]}/${nodes[j]}`;
      const ch = channels.get(key);
      expect(ch, key).toBeDefined();
      // BOLT 7: the node before charges its fee on the amount it forwards over this channel.
      const fee = forwardingFeeMsat(
        carried[j]!,
        BigInt(ch!.feeBaseMsat),
        BigInt(ch!.feeProportionalMillionths),
      );
      expect(hops[j - 1]!.feeMsat).toBe(fee);
      expect(hops[j - 1]!.cltvExpiryDelta).toBe(ch!.cltvExpiryDelta);
      expect(carried[j]!).toBeGreaterThanOrEqual(ch!.htlcMinimumMsat);
      expect(carried[j]!).toBeLessThanOrEqual(ch!.htlcMaximumMsat);
      if (ch!.capacityMsat !== undefined) {
        const used = (edgeUse.get(key) ?? 0n) + carried[j]!;
        expect(used).toBeLessThanOrEqual(ch!.capacityMsat);
        edgeUse.set(key, used);
      }
    }
    expect(pathTotalCltvDelta(path)).toBeLessThanOrEqual(pp.maxTotalCltvExpiryDelta);
  }
  for (const [scid, used] of firstHopUse) {
    const f = c.firstHops.find((h) => h.shortChannelId === scid)!;
    expect(used).toBeLessThanOrEqual(f.outboundCapacityMsat);
  }
  const delivered = r.paths.reduce((s, p) => s + pathFinalValueMsat(p), 0n);
  expect(delivered).toBe(c.params.finalValueMsat);
  const fees = r.paths.reduce((s, p) => s + pathTotalMsat(p) - pathFinalValueMsat(p), 0n);
  if (c.params.maxTotalRoutingFeeMsat !== undefined) {
    expect(fees).toBeLessThanOrEqual(c.params.maxTotalRoutingFeeMsat);
  }
}

/** Whether an unfailed first hop to the payee could carry the whole amount on its own. */
function directFits(c: Case): boolean {
  const pp = c.params.paymentParams;
  if (pp.finalCltvExpiryDelta > pp.maxTotalCltvExpiryDelta) return false;
  const amount = c.params.finalValueMsat;
  return c.firstHops.some(
    (f) =>
      f.counterpartyNodeId === pp.payeeNodeId &&
      !pp.previouslyFailedChannels.includes(f.shortChannelId) &&
      amount >= f.htlcMinimumMsat &&
      amount <= f.nextOutboundHtlcLimitMsat &&
      amount <= f.outboundCapacityMsat,
  );
}

describe('SimpleRouter properties', () => {
  it('returns only routes that keep every BOLT 4 and BOLT 7 rule, or RouteNotFound', () => {
    let found = 0;
    let multiPart = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const router = new SimpleRouter({ graph: c.graph });
        let r: Route;
        try {
          r = router.findRoute(US, c.params, c.firstHops);
        } catch (e) {
          expect(e).toMatchObject({ code: 'RouteNotFound' });
          expect(directFits(c)).toBe(false);
          return;
        }
        found++;
        if (r.paths.length > 1) multiPart++;
        checkRoute(c, r);
        // Deterministic, whatever the order of the graph.
        const reversed = new SimpleRouter({ graph: c.graph.slice().reverse() });
        expect(reversed.findRoute(US, c.params, c.firstHops)).toEqual(r);
      }),
      { seed: FC_SEED, numRuns: 400 },
    );
    // The generator must reach both kinds of outcome for the property to say much.
    expect(found).toBeGreaterThan(40);
    expect(multiPart).toBeGreaterThan(5);
  });

  it('never throws anything but a typed error on malformed input', () => {
    const router = new SimpleRouter();
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (payer, params, hops) => {
        try {
          router.findRoute(payer as string, params as RouteParameters, hops as FirstHop[]);
        } catch (e) {
          expect(e).toMatchObject({ code: expect.stringMatching(/^(APIMisuse|RouteNotFound)$/) });
        }
      }),
      { seed: FC_SEED, numRuns: 300 },
    );
  });
});
