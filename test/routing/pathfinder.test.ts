// SimpleRouter on small hand-built graphs: route shape, BOLT 7 fee and BOLT 4 CLTV arithmetic
// checked against values computed by hand, limits, failed channels, and the typed errors.
import { describe, expect, it } from 'vitest';
import { SimpleRouter } from '../../src/routing/pathfinder.js';
import {
  pathFeeMsat,
  pathTotalCltvDelta,
  pathTotalMsat,
  type GraphEdge,
  type Route,
} from '../../src/routing/route.js';
import { channel, edge, firstHop, hint, node, routeParams } from './helpers.js';

const US = node(0);
const A = node(1);
const B = node(2);
const C = node(3);
const D = node(4);
const P = node(5);

function route(graph: readonly GraphEdge[], ...args: Parameters<SimpleRouter['findRoute']>) {
  return new SimpleRouter({ graph }).findRoute(...args);
}

function notFound(reason: string) {
  return expect.objectContaining({ code: 'RouteNotFound', reason });
}

/** Node ids along each path. */
function nodesOf(r: Route): string[][] {
  return r.paths.map((p) => p.hops.map((h) => h.pubkey));
}

describe('SimpleRouter: single paths', () => {
  it('pays a first hop that is the payee directly', () => {
    const r = route([], US, routeParams(P, 100_000n), [firstHop(P, 11n, 500_000n)]);
    expect(r).toEqual({
      paths: [
        { hops: [{ pubkey: P, shortChannelId: 11n, feeMsat: 100_000n, cltvExpiryDelta: 18 }] },
      ],
    });
  });

  it('routes two hops over a graph edge (fee on the forwarded amount)', () => {
    const graph = [
      edge(A, B, 21n, { feeBaseMsat: 1000, feeProportionalMillionths: 1000, cltvExpiryDelta: 40 }),
    ];
    const r = route(graph, US, routeParams(B, 100_000n), [firstHop(A, 11n)]);
    // A forwards 100,000 over A→B: 1000 + 100,000 × 1000 / 10^6 = 1100.
    expect(r.paths[0]!.hops).toEqual([
      { pubkey: A, shortChannelId: 11n, feeMsat: 1100n, cltvExpiryDelta: 40 },
      { pubkey: B, shortChannelId: 21n, feeMsat: 100_000n, cltvExpiryDelta: 18 },
    ]);
  });

  it('computes the three-hop worked example of path-amounts.ts', () => {
    const graph = [
      edge(A, B, 21n, { feeBaseMsat: 1000, feeProportionalMillionths: 100, cltvExpiryDelta: 40 }),
      edge(B, C, 32n, { feeBaseMsat: 500, feeProportionalMillionths: 1000, cltvExpiryDelta: 144 }),
    ];
    const r = route(graph, US, routeParams(C, 1_000_000n), [firstHop(A, 11n)]);
    const path = r.paths[0]!;
    expect(path.hops).toEqual([
      { pubkey: A, shortChannelId: 11n, feeMsat: 1100n, cltvExpiryDelta: 40 },
      { pubkey: B, shortChannelId: 21n, feeMsat: 1500n, cltvExpiryDelta: 144 },
      { pubkey: C, shortChannelId: 32n, feeMsat: 1_000_000n, cltvExpiryDelta: 18 },
    ]);
    expect(pathTotalMsat(path)).toBe(1_002_600n);
    expect(pathFeeMsat(path)).toBe(2600n);
    expect(pathTotalCltvDelta(path)).toBe(202);
  });

  it('rounds the proportional fee down', () => {
    // 999,999 × 1 / 10^6 = 0.999999, so only the base fee is charged.
    const graph = [edge(A, P, 31n, { feeBaseMsat: 7, feeProportionalMillionths: 1 })];
    const r = route(graph, US, routeParams(P, 999_999n), [firstHop(A, 11n)]);
    expect(r.paths[0]!.hops[0]!.feeMsat).toBe(7n);
    const r2 = route(graph, US, routeParams(P, 1_000_000n), [firstHop(A, 11n)]);
    expect(r2.paths[0]!.hops[0]!.feeMsat).toBe(8n);
  });

  it('takes the cheaper of two routes', () => {
    const graph = [edge(A, P, 31n, { feeBaseMsat: 2000 }), edge(B, P, 32n, { feeBaseMsat: 1000 })];
    const r = route(graph, US, routeParams(P, 10_000n), [firstHop(A, 11n), firstHop(B, 12n)]);
    expect(nodesOf(r)).toEqual([[B, P]]);
    expect(r.paths[0]!.hops[0]!.feeMsat).toBe(1000n);
  });

  it('prefers the shorter route when fees tie, and weighs the hop penalty against fees', () => {
    const free = [edge(A, P, 31n), edge(A, B, 21n), edge(B, P, 32n)];
    expect(nodesOf(route(free, US, routeParams(P, 10_000n), [firstHop(A, 11n)]))).toEqual([[A, P]]);
    // The direct edge costs 5 msat more; with a 10 msat hop penalty it still wins, without none
    // the cheaper longer route does.
    const graph = [edge(A, P, 31n, { feeBaseMsat: 5 }), edge(A, B, 21n), edge(B, P, 32n)];
    const hops = [firstHop(A, 11n)];
    expect(nodesOf(route(graph, US, routeParams(P, 10_000n), hops))).toEqual([[A, P]]);
    const noPenalty = new SimpleRouter({ graph, hopPenaltyMsat: 0n });
    expect(nodesOf(noPenalty.findRoute(US, routeParams(P, 10_000n), hops))).toEqual([[A, B, P]]);
  });

  it('breaks exact ties by the lower scid, whatever the order of the edges', () => {
    const e1 = edge(A, P, 35n, { feeBaseMsat: 10 });
    const e2 = edge(A, P, 34n, { feeBaseMsat: 10 });
    for (const graph of [
      [e1, e2],
      [e2, e1],
    ]) {
      const r = route(graph, US, routeParams(P, 10_000n), [firstHop(A, 11n)]);
      expect(r.paths[0]!.hops[1]!.shortChannelId).toBe(34n);
    }
    const hops = [firstHop(P, 13n), firstHop(P, 12n)];
    expect(route([], US, routeParams(P, 10_000n), hops).paths[0]!.hops[0]!.shortChannelId).toBe(
      12n,
    );
  });

  it('keeps the last of two entries for the same channel and direction', () => {
    const graph = [edge(A, P, 31n, { feeBaseMsat: 5000 }), edge(A, P, 31n, { feeBaseMsat: 10 })];
    const r = route(graph, US, routeParams(P, 10_000n), [firstHop(A, 11n)]);
    expect(r.paths[0]!.hops[0]!.feeMsat).toBe(10n);
  });

  it('finds a loop-free route through a graph with cycles', () => {
    const graph = [
      ...channel(A, B, 21n, { feeBaseMsat: 1 }),
      ...channel(B, C, 23n, { feeBaseMsat: 1 }),
      ...channel(C, A, 31n, { feeBaseMsat: 1 }),
      ...channel(C, P, 35n, { feeBaseMsat: 1 }),
      edge(A, A, 99n),
    ];
    const r = route(graph, US, routeParams(P, 10_000n), [firstHop(A, 11n)]);
    expect(nodesOf(r)).toEqual([[A, C, P]]);
  });

  it('ignores graph edges from or to the payer: every path starts with a first hop', () => {
    const graph = [
      edge(US, P, 30n),
      edge(P, US, 30n),
      edge(A, US, 29n),
      edge(A, P, 31n, { feeBaseMsat: 50 }),
    ];
    const r = route(graph, US, routeParams(P, 10_000n), [firstHop(A, 11n)]);
    expect(nodesOf(r)).toEqual([[A, P]]);
  });

  it('routes up to 20 hops and no further', () => {
    const chain = (n: number): GraphEdge[] =>
      Array.from({ length: n }, (_, i) => edge(node(100 + i), node(101 + i), BigInt(200 + i)));
    const hops = [firstHop(node(100), 11n)];
    // 19 graph edges after the first hop: 20 hops.
    const r = route(chain(19), US, routeParams(node(119), 1000n), hops);
    expect(r.paths[0]!.hops.length).toBe(20);
    expect(() => route(chain(20), US, routeParams(node(120), 1000n), hops)).toThrow(
      notFound('limits_exceeded'),
    );
  });
});

describe('SimpleRouter: route hints (BOLT 11 r field)', () => {
  it('reaches a private payee over a hint with an alias scid', () => {
    const alias = 0xfedcba9876543210n;
    const graph = [edge(A, B, 21n, { feeBaseMsat: 1000 })];
    const hints = [
      [hint(B, alias, { feeBaseMsat: 2, feeProportionalMillionths: 10, cltvExpiryDelta: 30 })],
    ];
    const r = route(graph, US, routeParams(P, 500_000n, { routeHints: hints }), [firstHop(A, 11n)]);
    // B charges 2 + 500,000 × 10 / 10^6 = 7 for the private channel; A charges 1000.
    expect(r.paths[0]!.hops).toEqual([
      { pubkey: A, shortChannelId: 11n, feeMsat: 1000n, cltvExpiryDelta: 40 },
      { pubkey: B, shortChannelId: 21n, feeMsat: 7n, cltvExpiryDelta: 30 },
      { pubkey: P, shortChannelId: alias, feeMsat: 500_000n, cltvExpiryDelta: 18 },
    ]);
  });

  it('follows a hint of several hops, each to the next hop source', () => {
    const hints = [
      [
        hint(C, 41n, { feeBaseMsat: 100, cltvExpiryDelta: 20 }),
        hint(D, 42n, { feeBaseMsat: 200, cltvExpiryDelta: 30 }),
      ],
    ];
    const r = route([], US, routeParams(P, 1000n, { routeHints: hints }), [firstHop(C, 13n)]);
    // D forwards 1000 over 42 (fee 200); C forwards 1200 over 41 (fee 100).
    expect(r.paths[0]!.hops).toEqual([
      { pubkey: C, shortChannelId: 13n, feeMsat: 100n, cltvExpiryDelta: 20 },
      { pubkey: D, shortChannelId: 41n, feeMsat: 200n, cltvExpiryDelta: 30 },
      { pubkey: P, shortChannelId: 42n, feeMsat: 1000n, cltvExpiryDelta: 18 },
    ]);
  });

  it('uses a hint starting at our own peer', () => {
    const hints = [[hint(B, 77n, { feeBaseMsat: 3 })]];
    const r = route([], US, routeParams(P, 1000n, { routeHints: hints }), [firstHop(B, 12n)]);
    expect(nodesOf(r)).toEqual([[B, P]]);
    expect(r.paths[0]!.hops[1]!.shortChannelId).toBe(77n);
  });

  it('never routes through the payer, even when a hint names it', () => {
    const hints = [[hint(B, 71n), hint(US, 72n)], [hint(US, 73n)]];
    const params = routeParams(P, 1000n, { routeHints: hints });
    expect(() => route([], US, params, [firstHop(B, 12n)])).toThrow(notFound('payee_unreachable'));
  });

  it("respects a hint's HTLC limits", () => {
    const params = (h: ReturnType<typeof hint>) => routeParams(P, 5000n, { routeHints: [[h]] });
    const hops = [firstHop(B, 12n)];
    expect(() => route([], US, params(hint(B, 77n, { htlcMaximumMsat: 4999n })), hops)).toThrow(
      notFound('limits_exceeded'),
    );
    expect(() => route([], US, params(hint(B, 77n, { htlcMinimumMsat: 5001n })), hops)).toThrow(
      notFound('limits_exceeded'),
    );
    expect(route([], US, params(hint(B, 77n, { htlcMaximumMsat: 5000n })), hops).paths.length).toBe(
      1,
    );
  });
});

describe('SimpleRouter: limits', () => {
  it('avoids an edge whose HTLC maximum or minimum excludes the amount', () => {
    const cheapMax = edge(A, P, 31n, { htlcMaximumMsat: 50_000n });
    const cheapMin = edge(A, P, 31n, { htlcMinimumMsat: 100_000n });
    const dear = edge(B, P, 32n, { feeBaseMsat: 1000 });
    const hops = [firstHop(A, 11n), firstHop(B, 12n)];
    for (const cheap of [cheapMax, cheapMin]) {
      expect(nodesOf(route([cheap, dear], US, routeParams(P, 60_000n), hops))).toEqual([[B, P]]);
    }
    expect(nodesOf(route([cheapMax, dear], US, routeParams(P, 50_000n), hops))).toEqual([[A, P]]);
  });

  it("keeps the first hop's amount within its capacity, next HTLC limit and minimum", () => {
    const graph = [edge(A, P, 31n, { feeBaseMsat: 1000 })];
    const cap = [firstHop(A, 11n, 100_000n)];
    expect(pathTotalMsat(route(graph, US, routeParams(P, 99_000n), cap).paths[0]!)).toBe(100_000n);
    expect(() => route(graph, US, routeParams(P, 99_001n), cap)).toThrow(
      notFound('limits_exceeded'),
    );
    const limit = [firstHop(A, 11n, 10n ** 9n, { nextOutboundHtlcLimitMsat: 100_000n })];
    expect(() => route(graph, US, routeParams(P, 99_001n), limit)).toThrow(
      notFound('limits_exceeded'),
    );
    const min = [firstHop(P, 11n, 10n ** 9n, { htlcMinimumMsat: 10_000n })];
    expect(() => route([], US, routeParams(P, 9_999n), min)).toThrow(notFound('limits_exceeded'));
    expect(route([], US, routeParams(P, 10_000n), min).paths.length).toBe(1);
  });

  it('never uses a channel listed in previouslyFailedChannels', () => {
    const graph = [
      edge(A, P, 31n, { feeBaseMsat: 10 }),
      edge(B, P, 32n, { feeBaseMsat: 20 }),
      edge(B, C, 23n, { feeBaseMsat: 1 }),
      edge(C, P, 33n, { feeBaseMsat: 30 }),
    ];
    const hops = [firstHop(A, 11n), firstHop(B, 12n)];
    const pay = (failed: bigint[]) =>
      route(graph, US, routeParams(P, 1000n, { previouslyFailedChannels: failed }), hops);
    expect(nodesOf(pay([]))).toEqual([[A, P]]);
    expect(nodesOf(pay([11n]))).toEqual([[B, P]]);
    expect(nodesOf(pay([31n, 32n]))).toEqual([[B, C, P]]);
    expect(() => pay([11n, 12n])).toThrow(notFound('no_usable_first_hop'));
    expect(() => pay([31n, 32n, 33n])).toThrow(notFound('payee_unreachable'));
  });

  it('stays within maxTotalRoutingFeeMsat', () => {
    const graph = [
      edge(A, B, 21n, { feeBaseMsat: 1000, feeProportionalMillionths: 100 }),
      edge(B, C, 32n, { feeBaseMsat: 500, feeProportionalMillionths: 1000 }),
    ];
    const hops = [firstHop(A, 11n)];
    expect(route(graph, US, routeParams(C, 1_000_000n, {}, 2600n), hops).paths.length).toBe(1);
    expect(() => route(graph, US, routeParams(C, 1_000_000n, {}, 2599n), hops)).toThrow(
      notFound('limits_exceeded'),
    );
    // A dearer route is fine when the cheaper one breaks the CLTV budget, and vice versa.
    const two = [
      edge(A, P, 31n, { feeBaseMsat: 10, cltvExpiryDelta: 500 }),
      edge(B, P, 32n, { feeBaseMsat: 900, cltvExpiryDelta: 40 }),
    ];
    const both = [firstHop(A, 11n), firstHop(B, 12n)];
    expect(nodesOf(route(two, US, routeParams(P, 1000n), both))).toEqual([[A, P]]);
    const lowCltv = routeParams(P, 1000n, { maxTotalCltvExpiryDelta: 100 });
    expect(nodesOf(route(two, US, lowCltv, both))).toEqual([[B, P]]);
    expect(() => route(two, US, routeParams(P, 1000n, {}, 899n), both.slice(1))).toThrow(
      notFound('limits_exceeded'),
    );
  });

  it('stays within maxTotalCltvExpiryDelta, the final delta included', () => {
    const graph = [
      edge(A, B, 21n, { cltvExpiryDelta: 40 }),
      edge(B, C, 32n, { cltvExpiryDelta: 144 }),
    ];
    const hops = [firstHop(A, 11n)];
    const pay = (max: number) =>
      route(graph, US, routeParams(C, 1000n, { maxTotalCltvExpiryDelta: max }), hops);
    expect(pathTotalCltvDelta(pay(202).paths[0]!)).toBe(202);
    expect(() => pay(201)).toThrow(notFound('limits_exceeded'));
    expect(() =>
      route(
        [],
        US,
        routeParams(P, 1000n, { finalCltvExpiryDelta: 200, maxTotalCltvExpiryDelta: 199 }),
        [firstHop(P, 11n)],
      ),
    ).toThrow(notFound('limits_exceeded'));
  });
});

describe('SimpleRouter: multi-part payments (BOLT 4 basic_mpp)', () => {
  const mpp = { allowMpp: true };

  it('splits over two direct channels, the parts adding up to the amount', () => {
    const hops = [firstHop(P, 11n, 60_000n), firstHop(P, 12n, 50_000n)];
    const r = route([], US, routeParams(P, 100_000n, mpp), hops);
    expect(r.paths.map((p) => [p.hops[0]!.shortChannelId, p.hops[0]!.feeMsat])).toEqual([
      [11n, 60_000n],
      [12n, 40_000n],
    ]);
    expect(() => route([], US, routeParams(P, 100_000n), hops)).toThrow(
      notFound('limits_exceeded'),
    );
    expect(() =>
      route([], US, routeParams(P, 100_000n, { ...mpp, maxPathCount: 1 }), hops),
    ).toThrow(notFound('limits_exceeded'));
    expect(() => route([], US, routeParams(P, 110_001n, mpp), hops)).toThrow(
      notFound('limits_exceeded'),
    );
  });

  it('splits over two first hops through the graph, with fees computed per part', () => {
    const graph = [
      edge(A, P, 31n, { feeBaseMsat: 100, feeProportionalMillionths: 1000 }),
      edge(B, P, 32n, { feeBaseMsat: 200, feeProportionalMillionths: 2000 }),
    ];
    const hops = [firstHop(A, 11n, 60_000n), firstHop(B, 12n, 50_000n)];
    const r = route(graph, US, routeParams(P, 100_000n, mpp, 439n), hops);
    // Part 1 fills A's channel: 59,841 + 100 + 59,841 × 1000 / 10^6 (= 59) = 60,000.
    // Part 2 takes the rest over B: 40,159 + 200 + 80 = 40,439.
    expect(r.paths.map((p) => p.hops.map((h) => h.feeMsat))).toEqual([
      [159n, 59_841n],
      [280n, 40_159n],
    ]);
    expect(r.paths.map(pathTotalMsat)).toEqual([60_000n, 40_439n]);
    expect(() => route(graph, US, routeParams(P, 100_000n, mpp, 438n), hops)).toThrow(
      notFound('limits_exceeded'),
    );
  });

  it('sends several parts over one channel within its next HTLC limit', () => {
    const hops = [firstHop(P, 11n, 100_000n, { nextOutboundHtlcLimitMsat: 40_000n })];
    const r = route([], US, routeParams(P, 100_000n, mpp), hops);
    expect(r.paths.map(pathTotalMsat)).toEqual([40_000n, 40_000n, 20_000n]);
    expect(() =>
      route([], US, routeParams(P, 100_000n, { ...mpp, maxPathCount: 2 }), hops),
    ).toThrow(notFound('limits_exceeded'));
  });

  it('leaves no remainder below every HTLC minimum', () => {
    const min = { htlcMinimumMsat: 1000n };
    const hops = [firstHop(P, 11n, 60_000n, min), firstHop(P, 12n, 50_000n, min)];
    const r = route([], US, routeParams(P, 60_500n, mpp), hops);
    expect(r.paths.map(pathTotalMsat)).toEqual([59_500n, 1000n]);
  });

  it('counts the capacity of a graph channel shared by two parts', () => {
    // Both first hops lead through B→P, whose 70 sat capacity cannot take 80,000 msat in total.
    const graph = [edge(A, B, 21n), edge(C, B, 23n), edge(B, P, 32n, { capacitySat: 70n })];
    const hops = [firstHop(A, 11n, 40_000n), firstHop(C, 13n, 40_000n)];
    expect(() => route(graph, US, routeParams(P, 80_000n, mpp), hops)).toThrow(
      notFound('limits_exceeded'),
    );
    const r = route(graph, US, routeParams(P, 70_000n, mpp), hops);
    expect(r.paths.map(pathTotalMsat)).toEqual([40_000n, 30_000n]);
  });
});

describe('SimpleRouter: errors', () => {
  const hops = [firstHop(P, 11n)];

  it('reports why no route was found', () => {
    expect(() => route([], US, routeParams(P, 1000n), [])).toThrow(notFound('no_usable_first_hop'));
    expect(() => route([], US, routeParams(P, 1000n), [firstHop(A, 11n)])).toThrow(
      notFound('payee_unreachable'),
    );
    expect(() => route([edge(B, P, 32n)], US, routeParams(P, 1000n), [firstHop(A, 11n)])).toThrow(
      notFound('payee_unreachable'),
    );
    expect(() => route([], US, routeParams(P, 10n ** 19n, { allowMpp: true }), hops)).toThrow(
      notFound('limits_exceeded'),
    );
    try {
      route([], US, routeParams(P, 1000n), []);
    } catch (e) {
      expect(e).toMatchObject({
        payeeNodeId: P,
        finalValueMsat: 1000n,
        name: 'RouteNotFoundError',
      });
    }
  });

  const misuse = expect.objectContaining({ code: 'APIMisuse' });
  const base = routeParams(P, 1000n);
  const cases: [string, () => unknown][] = [
    ['zero amount', () => route([], US, routeParams(P, 0n), hops)],
    ['negative amount', () => route([], US, routeParams(P, -1n), hops)],
    ['amount as a number', () => route([], US, { ...base, finalValueMsat: 1000 as never }, hops)],
    ['uppercase payer', () => route([], US.toUpperCase(), base, hops)],
    ['short payee', () => route([], US, routeParams(P.slice(2), 1000n), hops)],
    ['payee off the curve', () => route([], US, routeParams(`02${'00'.repeat(32)}`, 1000n), hops)],
    ['payee is the payer', () => route([], US, routeParams(US, 1000n), hops)],
    ['maxPathCount 0', () => route([], US, routeParams(P, 1000n, { maxPathCount: 0 }), hops)],
    ['negative fee limit', () => route([], US, routeParams(P, 1000n, {}, -1n), hops)],
    [
      'cltv not an integer',
      () => route([], US, routeParams(P, 1000n, { finalCltvExpiryDelta: 1.5 }), hops),
    ],
    ['params null', () => route([], US, null as never, hops)],
    ['paymentParams missing', () => route([], US, { finalValueMsat: 1000n } as never, hops)],
    ['firstHops not an array', () => route([], US, base, null as never)],
    ['first hop to the payer', () => route([], US, base, [firstHop(US, 11n)])],
    ['first hop amount a number', () => route([], US, base, [firstHop(P, 11n, 5 as never)])],
    [
      'hint not a list',
      () => route([], US, routeParams(P, 1000n, { routeHints: [{} as never] }), hops),
    ],
    [
      'hint with a bad scid',
      () => route([], US, routeParams(P, 1000n, { routeHints: [[hint(A, -1n)]] }), hops),
    ],
    [
      'failed channel not a bigint',
      () => route([], US, routeParams(P, 1000n, { previouslyFailedChannels: [1 as never] }), hops),
    ],
    ['graph edge with a bad node id', () => new SimpleRouter({ graph: [edge('zz', P, 1n)] })],
    [
      'graph edge with a fractional fee',
      () => new SimpleRouter({ graph: [edge(A, P, 1n, { feeBaseMsat: 0.5 })] }),
    ],
    ['graph not a list', () => new SimpleRouter({ graph: 5 as never })],
    ['negative hop penalty', () => new SimpleRouter({ hopPenaltyMsat: -1n })],
  ];
  for (const [name, call] of cases) {
    it(`refuses ${name} with APIMisuse`, () => {
      expect(call).toThrow(misuse);
    });
  }
});

describe('SimpleRouter: the graph', () => {
  it('reads a graph function on every call and indexes a new array', () => {
    let edges: GraphEdge[] = [];
    let calls = 0;
    const router = new SimpleRouter({
      graph: () => {
        calls++;
        return edges;
      },
    });
    const pay = () => router.findRoute(US, routeParams(P, 1000n), [firstHop(A, 11n)]);
    expect(pay).toThrow(notFound('payee_unreachable'));
    edges = [edge(A, P, 31n)];
    expect(nodesOf(pay())).toEqual([[A, P]]);
    expect(calls).toBe(2);
    edges = [edge(A, 'bad', 31n)];
    expect(pay).toThrow(expect.objectContaining({ code: 'APIMisuse' }));
  });

  it('replaces the graph with setGraph, and keeps the old one when the new one is refused', () => {
    const router = new SimpleRouter({ graph: [edge(A, P, 31n)] });
    const pay = () => router.findRoute(US, routeParams(P, 1000n), [firstHop(A, 11n)]);
    expect(nodesOf(pay())).toEqual([[A, P]]);
    expect(() => router.setGraph([edge(A, P, -1n)])).toThrow(
      expect.objectContaining({ code: 'APIMisuse' }),
    );
    expect(nodesOf(pay())).toEqual([[A, P]]);
    router.setGraph([]);
    expect(pay).toThrow(notFound('payee_unreachable'));
  });

  it('gives the same route whatever the order of the graph edges', () => {
    const graph = [
      ...channel(A, B, 21n, { feeBaseMsat: 5 }),
      ...channel(B, P, 22n, { feeBaseMsat: 5 }),
      ...channel(A, C, 23n, { feeBaseMsat: 5 }),
      ...channel(C, P, 24n, { feeBaseMsat: 5 }),
      ...channel(A, D, 25n, { feeBaseMsat: 5 }),
      ...channel(D, P, 26n, { feeBaseMsat: 5 }),
    ];
    const hops = [firstHop(A, 11n)];
    const first = route(graph, US, routeParams(P, 1000n), hops);
    expect(first.paths[0]!.hops.map((h) => h.shortChannelId)).toEqual([11n, 21n, 22n]);
    expect(route(graph.slice().reverse(), US, routeParams(P, 1000n), hops)).toEqual(first);
  });
});
