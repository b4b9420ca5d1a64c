// Grafana's InfluxDB (InfluxQL) query as it sits in a panel's `targets` and in an annotation's
// `target`. The foundation SDK ships no InfluxDB query type, so this one is written against
// @grafana/schema's DataQuery (refId, datasource, hide, queryType) and marked as a dataquery
// variant, so the SDK's panel and annotation builders take it like their own.
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { DataQuery } from '@grafana/schema';
import type { DatasourceRef, PanelQuery } from './panel-model.js';

/** The fields of Grafana's InfluxQuery (public/app/plugins/datasource/influxdb/types.ts) a raw InfluxQL query uses. */
export interface InfluxQLTarget extends DataQuery {
  refId: string;
  datasource: DatasourceRef;
  /** Raw InfluxQL: the query editor's text mode. */
  rawQuery: true;
  query: string;
  resultFormat: 'time_series' | 'table';
  alias?: string;
}

/** An annotation's target: the InfluxDB annotation editor's fields (query + column mapping). */
export interface InfluxQLAnnotationTarget extends DataQuery {
  refId: string;
  rawQuery: true;
  query: string;
  fromAnnotations: true;
  textEditor: true;
  titleColumn: string;
  textColumn: string;
  tagsColumn: string;
  timeEndColumn: string;
}

type Variant<T> = T & cog.Dataquery;

// The SDK tells dataquery variants apart by this method; JSON.stringify leaves it out.
function asVariant<T extends object>(target: T): Variant<T> {
  return Object.defineProperty(target, '_implementsDataqueryVariant', { value: () => undefined, enumerable: false }) as Variant<T>;
}

/** A panel target for one PanelQuery (refId A, B, ... in query order). */
export class InfluxQLTargetBuilder implements cog.Builder<cog.Dataquery> {
  constructor(private readonly q: PanelQuery, private readonly index: number) {}

  build(): Variant<InfluxQLTarget> {
    return asVariant<InfluxQLTarget>({
      refId: String.fromCharCode(65 + this.index),
      datasource: this.q.datasource,
      rawQuery: true,
      query: this.q.query,
      resultFormat: this.q.format ?? 'time_series',
      ...(this.q.alias ? { alias: this.q.alias } : {}),
    });
  }
}

/** An annotation target: the query returns `title`, `text`, `end_ms` and `kind` per event. */
export class InfluxQLAnnotationTargetBuilder implements cog.Builder<cog.Dataquery> {
  constructor(private readonly query: string) {}

  build(): Variant<InfluxQLAnnotationTarget> {
    return asVariant<InfluxQLAnnotationTarget>({
      refId: 'Anno',
      rawQuery: true,
      query: this.query,
      fromAnnotations: true,
      textEditor: true,
      titleColumn: 'title',
      textColumn: 'text',
      tagsColumn: 'kind',
      timeEndColumn: 'end_ms',
    });
  }
}
