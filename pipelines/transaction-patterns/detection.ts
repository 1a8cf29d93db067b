/** A detection as Mechanism Y stores and emits it. */

/** One emitted detection as stored. */
export interface StoredDetection {
  /** 1-based position in emission order (gapless). */
  seq: number;
  /** `PatId1`, `PatId2`, `PatId3`. */
  patternId: string;
  /** `UPGRADE`, `CHILD`, `DEI-NEEDED`. */
  actionType: string;
  /** Customer id, '' for PatId3. */
  customer: string;
  /** Merchant id. */
  merchant: string;
  /** When it was detected (epoch ms). */
  detectedAtMs: number;
  /** When the Y that detected it started (epoch ms). */
  yStartMs: number;
}

/** A detection not yet stored, with the chunk that made it match. */
export interface NewDetection extends StoredDetection {
  /** The chunk after which it was detected. */
  chunk: number;
}
