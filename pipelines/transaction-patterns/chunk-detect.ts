/**
 * Evaluates the patterns after one chunk has been folded into the {@link StateMirror}: over the merchants
 * and pairs the chunk touched, skipping what was emitted before; the new detections get the next sequence
 * numbers, in (pattern, merchant, customer) order.
 */
import type { Touched } from './chunk-fold.js';
import type { NewDetection } from './detection.js';
import { childMatch, deiNeeded, PATTERNS, upgradeMatches, upgradePossible, type PatternId } from './patterns.js';
import { detectionKey, type StateMirror } from './state-mirror.js';
import type { StateSql } from './state-store.js';

/** Times stamped on the detections. */
export interface DetectionTimes {
  /** When detected (epoch ms). */
  detectedAtMs: number;
  /** When this Y started (epoch ms). */
  yStartMs: number;
}

/** A match before it is known to be new. */
interface Found {
  /** The pattern. */
  patternId: PatternId;
  /** Merchant name. */
  merchant: string;
  /** Customer name, '' for PatId3. */
  customer: string;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** New detections after `chunk`; marks them emitted in `mirror` and advances its `maxSeq`. */
export async function detectChunk(mirror: StateMirror, sql: StateSql, touched: Touched, chunk: number, times: DetectionTimes): Promise<NewDetection[]> {
  const found: Found[] = [];
  for (const pair of touched.childCandidates) {
    if (childMatch(pair)) found.push({ patternId: 'PatId2', merchant: pair.merchant.name, customer: mirror.customerNames[pair.customer]! });
  }
  for (const merchant of touched.merchants) {
    if (deiNeeded(merchant)) found.push({ patternId: 'PatId3', merchant: merchant.name, customer: '' });
    if (!upgradePossible(merchant)) continue;
    await mirror.loadWeights(sql, merchant);
    const ranks = merchant.weightRanks!;
    for (const p of merchant.pairs.values()) p.weightRank ??= ranks.get(mirror.customerNames[p.customer]!) ?? -1;
    for (const p of upgradeMatches(merchant)) found.push({ patternId: 'PatId1', merchant: merchant.name, customer: mirror.customerNames[p.customer]! });
  }
  const fresh = found.filter((f) => !mirror.emitted.has(detectionKey(f.patternId, f.merchant, f.customer)));
  fresh.sort((a, b) => compare(a.patternId, b.patternId) || compare(a.merchant, b.merchant) || compare(a.customer, b.customer));
  return fresh.map((f) => {
    mirror.emitted.add(detectionKey(f.patternId, f.merchant, f.customer));
    return { seq: ++mirror.maxSeq, patternId: f.patternId, actionType: PATTERNS[f.patternId], customer: f.customer, merchant: f.merchant, chunk, ...times };
  });
}
