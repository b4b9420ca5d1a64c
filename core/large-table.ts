// When is a sequential scan a problem? On a table of a few pages the planner rightly reads it
// whole; from this many live rows on, a hot-path lookup that scans it lacks (or ignores) an
// index. One rule for the pre-flight's EXPLAIN check and the run report's seq-scan analysis.
export const LARGE_TABLE_ROWS = 1_000;

export function isLargeTable(liveRows: number): boolean {
  return liveRows >= LARGE_TABLE_ROWS;
}
