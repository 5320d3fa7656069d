// The baseline a scan's report compares against: the stored report of the repository's previous completed scan.
import type { Store } from '../store/store.js';
import type { BaselineReport } from './baseline.js';

/**
 * The report of the latest earlier scan of the same repository that completed (has a report.json),
 * or undefined on a repository's first scan.
 */
export async function previousCompletedReport(
  store: Store,
  tenant: string,
  repoKey: string,
  scanId: string,
): Promise<BaselineReport | undefined> {
  const scans = await store.listScans(tenant, { repoKey, limit: 50 });
  const self = scans.find((s) => s.scanId === scanId);
  const earlier = scans
    .filter((s) => s.scanId !== scanId && (!self || s.createdAt <= self.createdAt))
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  for (const scan of earlier) {
    const report = await store.getArtifact(tenant, scan.scanId, 'report.json');
    if (report) return report;
  }
  return undefined;
}
