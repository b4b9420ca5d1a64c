// vitest globalSetup: the real PostgreSQL for all tests. Starts this checkout's cluster if it
// is not running (and stops it again afterwards), or uses MOSHPIT_TEST_DATABASE_URL's server.
import type { TestProject } from 'vitest/node';
import { startCluster, stopCluster } from '../../stack/postgres.js';
import { withLock } from '../../stack/lock.js';
import { stateDir } from '../../stack/paths.js';
import { isAlive } from '../../stack/processes.js';
import { ensureTemplate } from './databases.js';

declare module 'vitest' {
  export interface ProvidedContext { pgServerUrl: string; pgTemplate: string }
}

export default async function setup(project: TestProject) {
  let serverUrl = process.env.MOSHPIT_TEST_DATABASE_URL;
  let stop: (() => Promise<void>) | undefined;
  if (!serverUrl) {
    const { cluster, wasRunning } = await withLock(stateDir, 'postgres', async () => {
      const before = await import('../../stack/postgres.js').then((m) => m.clusterInfo());
      const { existsSync, readFileSync } = await import('node:fs');
      const pidFile = `${before.dataDir}/postmaster.pid`;
      const wasRunning = existsSync(pidFile) && isAlive({ pid: Number(readFileSync(pidFile, 'utf8').split('\n')[0]), startTicks: null });
      return { cluster: await startCluster(), wasRunning };
    });
    serverUrl = cluster.url;
    if (!wasRunning) stop = () => stopCluster(cluster.dataDir);
  }
  const template = await withLock(stateDir, 'pg-template', () => ensureTemplate(serverUrl!));
  project.provide('pgServerUrl', serverUrl);
  project.provide('pgTemplate', template);
  return async () => { if (stop) await stop(); };
}
