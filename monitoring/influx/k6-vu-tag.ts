// Runs inside k6 (bundled into a scenario script), not in Node.
// k6 v2 keeps its `vu` and `iter` system tags as non-indexable metadata, and the built-in
// InfluxDB v1 output writes tags only: even with --system-tags vu,iter nothing reaches
// InfluxDB. A VU tag named `vu` does, and K6_INFLUXDB_TAGS_AS_FIELDS (see k6-output.ts)
// stores it as an integer field. `iter` is deliberately not tagged this way: a tag value per
// iteration would grow k6's in-memory tag-set table for the whole run.
import exec from 'k6/execution';

/** Call at the start of each iteration (cheap after the first call in a VU). */
export function tagVuForInflux(): void {
  if (exec.vu.tags['vu'] === undefined) exec.vu.tags['vu'] = exec.vu.idInTest;
}
