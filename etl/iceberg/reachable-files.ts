/** The files a set of snapshots references: manifest lists, manifests, and data files (live, and all). */
import { DELETED } from './manifest.js';
import type { IcebergTable } from './table.js';
import type { Snapshot } from './table-metadata.js';

/** Files referenced by some snapshots, by URI. */
export interface ReferencedFiles {
  /** Their manifest lists. */
  manifestLists: Set<string>;
  /** Manifests their lists name. */
  manifests: Set<string>;
  /** Data files live (ADDED or EXISTING) in one of them. */
  liveData: Set<string>;
  /** Data files any of their manifests mentions, DELETED entries included. */
  allData: Set<string>;
}

/** Collect the files `snapshots` reference (reading their manifest lists and manifests). */
export async function referencedFiles(table: IcebergTable, snapshots: Snapshot[]): Promise<ReferencedFiles> {
  const out: ReferencedFiles = { manifestLists: new Set(), manifests: new Set(), liveData: new Set(), allData: new Set() };
  for (const snapshot of snapshots) {
    out.manifestLists.add(snapshot['manifest-list']);
    for (const m of await table.manifestList(snapshot)) {
      out.manifests.add(m.manifestPath);
      for (const e of await table.manifestEntries(m)) {
        out.allData.add(e.dataFile.filePath);
        if (e.status !== DELETED) out.liveData.add(e.dataFile.filePath);
      }
    }
  }
  return out;
}
