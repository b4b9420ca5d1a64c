// The annotation layers every moshpit dashboard carries: chaos fault windows, run phases
// (load started / finished) and the validation verdict, all from moshpit_annotations.
import { grafanaAnnotationQuery } from '../influx/annotations.js';
import { RUNS_DATASOURCE, type AnnotationDef } from './panel-model.js';

export const RUN_ANNOTATIONS: AnnotationDef[] = [
  { name: 'Chaos faults', datasource: RUNS_DATASOURCE, query: grafanaAnnotationQuery('$testid', 'chaos'), color: 'rgba(242, 73, 92, 1)' },
  { name: 'Run phases', datasource: RUNS_DATASOURCE, query: grafanaAnnotationQuery('$testid', 'phase'), color: 'rgba(87, 148, 242, 1)' },
  { name: 'Validation verdict', datasource: RUNS_DATASOURCE, query: grafanaAnnotationQuery('$testid', 'verdict'), color: 'rgba(163, 82, 204, 1)' },
];
