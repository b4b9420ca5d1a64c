// Every provisioned dashboard, in the order Grafana lists them.
import { DATABASE } from './definitions/database.js';
import { GATES } from './definitions/gates.js';
import { MONEY } from './definitions/money.js';
import { RUN_OVERVIEW } from './definitions/run-overview.js';
import { panelsOf, type DashboardDef, type PanelDef } from './panel-model.js';

export const DASHBOARDS: readonly DashboardDef[] = [RUN_OVERVIEW, MONEY, GATES, DATABASE];

/** A panel by dashboard uid and panel key; throws when either is unknown (a typo in the report). */
export function findPanel(dashboardUid: string, key: string): PanelDef {
  const d = DASHBOARDS.find((x) => x.uid === dashboardUid);
  const p = d && panelsOf(d).find((x) => x.key === key);
  if (!p) throw new Error(`no panel ${dashboardUid}/${key}`);
  return p;
}
