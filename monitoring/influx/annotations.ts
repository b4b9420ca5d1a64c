// Run annotations (chaos injected, phase started, verdict) as InfluxDB points that Grafana's
// InfluxDB annotation query reads: time = start, fields title/text, end_ms for a region.
import { MEASUREMENTS } from '../../core/metric-names.js';
import type { InfluxClient } from './influx-client.js';
import { int, timestampMs, type Point } from './line-protocol.js';

/** chaos: a fault on/off; phase: a load stage; verdict: the run's outcome. Other kinds are allowed. */
export type AnnotationKind = 'chaos' | 'phase' | 'verdict' | (string & {});

export interface Annotation {
  runId: string;
  kind: AnnotationKind;
  title: string;
  text?: string;
  /** Epoch ms or Date: where the annotation sits on the time axis. */
  start: number | Date;
  /** For a region (e.g. a fault's duration). */
  end?: number | Date;
  /** More bounded tags, e.g. { fault: 'db-latency' }; never ids that differ per event. */
  tags?: Record<string, string>;
}

export function annotationPoint(a: Annotation): Point {
  const fields: Point['fields'] = { title: a.title, text: a.text ?? a.title };
  if (a.end !== undefined) fields.end_ms = int(timestampMs(a.end));
  return {
    measurement: MEASUREMENTS.annotations,
    tags: { ...a.tags, run_id: a.runId, kind: a.kind },
    fields,
    time: a.start,
  };
}

/**
 * Points for annotations. InfluxDB keeps one point per series and timestamp, so two
 * annotations of one run and kind in the same millisecond would overwrite each other:
 * the later ones are moved 1 ms on.
 */
export function annotationPoints(list: Annotation[]): Point[] {
  const taken = new Set<string>();
  return list.map((a) => {
    const p = annotationPoint(a);
    const series = JSON.stringify(Object.entries(p.tags!).sort());
    let t = timestampMs(a.start);
    while (taken.has(`${series}@${t}`)) t++;
    taken.add(`${series}@${t}`);
    return { ...p, time: t };
  });
}

export async function writeAnnotations(client: InfluxClient, list: Annotation[], database = 'moshpit'): Promise<void> {
  await client.write(annotationPoints(list), { database });
}

/**
 * The InfluxQL for a Grafana annotation (datasource: the `moshpit` database). Map the
 * columns: Text -> text, TimeEnd -> end_ms, Tags -> kind. `runIdVariable` is the dashboard
 * variable holding the run id (k6's points carry the same id as tag `testid`).
 */
export function grafanaAnnotationQuery(runIdVariable = '$testid', kind?: AnnotationKind): string {
  const kindFilter = kind ? ` AND "kind" = '${kind.replace(/[\\']/g, (c) => `\\${c}`)}'` : '';
  return `SELECT "title", "text", "end_ms", "kind" FROM "${MEASUREMENTS.annotations}" WHERE "run_id" =~ /^${runIdVariable}$/${kindFilter} AND $timeFilter`;
}
