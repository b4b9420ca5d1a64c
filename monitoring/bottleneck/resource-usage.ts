// CPU and RSS of the run's processes, sampled from /proc over the load (the bench's sampler,
// monitoring/process-sampler.ts): the target, PostgreSQL (postmaster and every backend, found
// as its descendants) and the load processes. A group that is not on this machine (a user's
// deployment or database) is listed as missing, with why.
import { ProcessSampler, type UsageSample } from '../process-sampler.js';
import type { ProcessGroupSummary, ResourcesPart, ResourceSeriesFile } from './types.js';

export const RESOURCE_GROUPS = ['target', 'postgres', 'load'] as const;
export type ResourceGroup = (typeof RESOURCE_GROUPS)[number];

export interface ResourceSources {
  /** The target's PID, asked every sample (a chaos run restarts it); null when it is not local. */
  targetPid: () => number | null;
  /** The postmaster's PID; null when the database is not a local process of ours. */
  postgresPid: number | null;
  missing: Partial<Record<ResourceGroup, string>>;
}

const MiB = 1024;

/** CPU percent of one core between consecutive samples. */
export function cpuPercentSeries(samples: readonly UsageSample[]): Array<{ tMs: number; cpuPercent: number | null; rssMiB: number }> {
  return samples.map((s, i) => {
    const prev = samples[i - 1];
    const dt = prev ? (s.tMs - prev.tMs) / 1000 : 0;
    const cpuPercent = prev && dt > 0 ? Math.max(0, ((s.cpuSeconds - prev.cpuSeconds) / dt) * 100) : null;
    return { tMs: s.tMs, cpuPercent: cpuPercent === null ? null : Math.round(cpuPercent * 10) / 10, rssMiB: Math.round((s.rssKiB / MiB) * 10) / 10 };
  });
}

export class ResourceRecorder {
  private readonly sampler: ProcessSampler;
  private readonly startMs = Date.now();

  constructor(private readonly sources: ResourceSources, private readonly intervalMs: number) {
    this.sampler = new ProcessSampler(intervalMs, () => {
      const pid = sources.targetPid();
      return pid ? [{ pid, group: 'target' }] : [];
    });
    // Every group has a series from the first tick, even before its first process shows up.
    if (sources.postgresPid) this.sampler.track(sources.postgresPid, 'postgres');
    this.sampler.start();
  }

  /** A load process, as the engine reports it spawned (its workers are found as descendants). */
  trackLoad(pid: number): void {
    this.sampler.track(pid, 'load');
  }

  stop(): { part: ResourcesPart; series: ResourceSeriesFile } {
    this.sampler.stop();
    const groups: Record<string, ProcessGroupSummary> = {};
    const series: ResourceSeriesFile['groups'] = {};
    const missing: Record<string, string> = {};
    for (const g of RESOURCE_GROUPS) {
      if (!this.sampler.groups().includes(g)) {
        missing[g] = this.sources.missing[g] ?? 'no process of this group was seen during the load';
        continue;
      }
      const usage = this.sampler.usage(g);
      const points = cpuPercentSeries(usage.samples);
      series[g] = points;
      const cpu = points.map((p) => p.cpuPercent).filter((v): v is number => v !== null);
      const first = usage.samples[0];
      const last = usage.samples.at(-1);
      const spanS = first && last ? (last.tMs - first.tMs) / 1000 : 0;
      const cpuSeconds = first && last ? last.cpuSeconds - first.cpuSeconds : 0;
      groups[g] = {
        processes: usage.pids.length,
        cpuSeconds: Math.round(cpuSeconds * 100) / 100,
        cpuPercentAvg: spanS > 0 ? Math.round((cpuSeconds / spanS) * 1000) / 10 : 0,
        cpuPercentMax: cpu.length ? Math.max(...cpu) : 0,
        rssPeakMiB: Math.round((usage.peakRssKiB / MiB) * 10) / 10,
      };
    }
    return {
      part: Object.keys(groups).length ? { available: true, intervalMs: this.intervalMs, groups, missing } : { available: false, reason: `no process could be sampled (${Object.values(missing).join('; ')})` },
      series: { version: 1, intervalMs: this.intervalMs, startMs: this.startMs, groups: series },
    };
  }
}
