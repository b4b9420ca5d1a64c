// Shared by the bench (bench/harness/engine.ts) and the run's resource sampling (monitoring/bottleneck/).
// Watching load processes from outside, engine-agnostic: CPU time (utime + stime from
// /proc/<pid>/stat; for a process that is the whole thread group, so Artillery's worker
// threads are in it) and memory (VmRSS samples and the kernel's high-water mark VmHWM from
// /proc/<pid>/status) of every process of a group: its roots (PIDs we spawned, or an engine
// reported through onSpawn) and all their descendants, found by their parent PID. Linux only.
// Nothing here signals a process; it only reads /proc.
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on Linux

export interface ProcStat {
  ppid: number;
  /** utime + stime of the process (all its threads, live and ended), seconds. */
  cpuSeconds: number;
  /** cutime + cstime: its children that ended and were waited for, seconds. */
  childCpuSeconds: number;
}

/** /proc/<pid>/stat, parsed; null once the process is gone. */
export function readStat(pid: number | 'self'): ProcStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(f[1]),
      cpuSeconds: (Number(f[11]) + Number(f[12])) / CLOCK_TICKS,
      childCpuSeconds: (Number(f[13]) + Number(f[14])) / CLOCK_TICKS,
    };
  } catch {
    return null;
  }
}

/** utime + stime of a live process, seconds; null once it is gone. */
export function readCpuSeconds(pid: number): number | null {
  return readStat(pid)?.cpuSeconds ?? null;
}

/** VmRSS and VmHWM (KiB) of a live process; null once it is gone. */
export function readMemory(pid: number): { rssKiB: number; hwmKiB: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    if (!rss || !hwm) return null;
    return { rssKiB: Number(rss[1]), hwmKiB: Number(hwm[1]) };
  } catch {
    return null;
  }
}

/** Every live process's parent PID (one pass over /proc). */
export function parentMap(): Map<number, number> {
  const out = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const st = readStat(Number(name));
    if (st) out.set(Number(name), st.ppid);
  }
  return out;
}

/** Live descendants of `root` (not root itself), from a parent map. */
export function descendants(root: number, parents: Map<number, number>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) {
    const list = children.get(ppid);
    if (list) list.push(pid); else children.set(ppid, [pid]);
  }
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** CPU of this process's children that ended and were waited for (cutime + cstime), seconds. */
export function reapedChildrenCpuSeconds(): number {
  return readStat('self')?.childCpuSeconds ?? 0;
}

export interface UsageSample {
  /** ms since epoch */
  tMs: number;
  /** CPU seconds of the group so far (ended processes at their last reading). */
  cpuSeconds: number;
  /** Sum of VmRSS over the group's live processes. */
  rssKiB: number;
}

export interface GroupUsage {
  /** Every PID seen in the group (roots and descendants). */
  pids: number[];
  /** CPU seconds (utime + stime) at the last reading of each process, summed. */
  cpuSeconds: number;
  /** Highest sampled sum of VmRSS over the group's live processes: its peak memory at one instant. */
  peakRssKiB: number;
  /** Sum over the group's processes of each one's VmHWM (kernel high-water mark): an upper bound of peakRssKiB. */
  hwmSumKiB: number;
  samples: UsageSample[];
}

interface PidState { group: string; cpu: number; hwm: number }

/**
 * Samples the processes of named groups every `everyMs` (memory, CPU) and looks for new
 * descendants once a second. A group is one or more root PIDs; `discover` may add roots as
 * they appear (an engine whose PID a library does not hand out).
 */
export class ProcessSampler {
  private readonly pids = new Map<number, PidState>();
  private readonly roots = new Map<number, string>();
  private readonly groupSamples = new Map<string, UsageSample[]>();
  private readonly groupPeak = new Map<string, number>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastScan = 0;

  constructor(private readonly everyMs = 250, private readonly discover?: () => Array<{ pid: number; group: string }>) {}

  track(pid: number, group: string): void {
    if (!this.roots.has(pid)) this.roots.set(pid, group);
    if (!this.pids.has(pid)) this.pids.set(pid, { group, cpu: 0, hwm: 0 });
    if (!this.groupSamples.has(group)) this.groupSamples.set(group, []);
    this.read(pid);
  }

  start(): this {
    this.timer ??= setInterval(() => this.tick(), this.everyMs);
    return this;
  }

  /** One last reading, then no more. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.tick();
  }

  /** Root PIDs still alive (for a deadline's signals: only processes we were told about). */
  liveRoots(group?: string): number[] {
    return [...this.roots.entries()].filter(([pid, g]) => (group === undefined || g === group) && readStat(pid) !== null).map(([pid]) => pid);
  }

  groups(): string[] {
    return [...this.groupSamples.keys()];
  }

  usage(group: string | ((g: string) => boolean)): GroupUsage {
    const match = typeof group === 'string' ? (g: string) => g === group : group;
    const pids = [...this.pids.entries()].filter(([, s]) => match(s.group));
    const names = [...this.groupSamples.keys()].filter(match);
    // Samples of several groups: add them up tick by tick (they are taken on the same ticks).
    const byTime = new Map<number, UsageSample>();
    for (const n of names) {
      for (const s of this.groupSamples.get(n)!) {
        const have = byTime.get(s.tMs);
        if (have) { have.cpuSeconds += s.cpuSeconds; have.rssKiB += s.rssKiB; } else byTime.set(s.tMs, { ...s });
      }
    }
    const samples = [...byTime.values()].sort((a, b) => a.tMs - b.tMs);
    return {
      pids: pids.map(([pid]) => pid),
      cpuSeconds: pids.reduce((sum, [, s]) => sum + s.cpu, 0),
      peakRssKiB: names.length === 1 ? this.groupPeak.get(names[0]!) ?? 0 : Math.max(0, ...samples.map((s) => s.rssKiB)),
      hwmSumKiB: pids.reduce((sum, [, s]) => sum + s.hwm, 0),
      samples,
    };
  }

  private read(pid: number): { rssKiB: number } | null {
    const st = this.pids.get(pid);
    if (!st) return null;
    const stat = readStat(pid);
    const mem = readMemory(pid);
    if (!stat) return null;
    st.cpu = Math.max(st.cpu, stat.cpuSeconds);
    if (mem) st.hwm = Math.max(st.hwm, mem.hwmKiB, mem.rssKiB);
    return mem ? { rssKiB: mem.rssKiB } : { rssKiB: 0 };
  }

  private tick(): void {
    const now = Date.now();
    for (const found of this.discover?.() ?? []) this.track(found.pid, found.group);
    if (now - this.lastScan >= 1000 && this.roots.size > 0) {
      this.lastScan = now;
      const parents = parentMap();
      for (const [root, group] of this.roots) {
        if (!parents.has(root)) continue;
        for (const pid of descendants(root, parents)) if (!this.pids.has(pid)) this.pids.set(pid, { group, cpu: 0, hwm: 0 });
      }
    }
    const rss = new Map<string, number>();
    for (const [pid, st] of this.pids) {
      const r = this.read(pid);
      if (r) rss.set(st.group, (rss.get(st.group) ?? 0) + r.rssKiB);
    }
    const cpu = new Map<string, number>();
    for (const st of this.pids.values()) cpu.set(st.group, (cpu.get(st.group) ?? 0) + st.cpu);
    for (const [group, samples] of this.groupSamples) {
      const r = rss.get(group) ?? 0;
      samples.push({ tMs: now, cpuSeconds: cpu.get(group) ?? 0, rssKiB: r });
      this.groupPeak.set(group, Math.max(this.groupPeak.get(group) ?? 0, r));
    }
  }
}

/** CPU seconds of a sample series at time tMs, linearly interpolated (clamped at the ends). */
export function cpuAt(samples: readonly UsageSample[], tMs: number): number | null {
  if (samples.length === 0) return null;
  if (tMs <= samples[0]!.tMs) return samples[0]!.cpuSeconds;
  for (let i = 1; i < samples.length; i++) {
    const b = samples[i]!;
    if (tMs <= b.tMs) {
      const a = samples[i - 1]!;
      return a.cpuSeconds + ((b.cpuSeconds - a.cpuSeconds) * (tMs - a.tMs)) / Math.max(1, b.tMs - a.tMs);
    }
  }
  return samples[samples.length - 1]!.cpuSeconds;
}

/**
 * CPU milliseconds per request while requests flow: from the first whole second with requests
 * (+1: the first one includes the processor's own start) to the last one (-1: the tail), the
 * CPU the samples saw in that window over the requests counted in it. Start-up (loading the
 * engine, spawning workers) and the drain after the last request are left out. null when the
 * window is shorter than 2 s.
 */
export function steadyCpuMsPerRequest(samples: readonly UsageSample[], perSecond: ReadonlyMap<number, number>): { msPerRequest: number; requests: number; seconds: number } | null {
  const busy = [...perSecond.entries()].filter(([, n]) => n > 0).map(([t]) => t).sort((a, b) => a - b);
  if (busy.length < 4) return null;
  const from = busy[0]! + 1;
  const to = busy[busy.length - 1]!; // exclusive: [from, to) seconds
  if (to - from < 2) return null;
  let requests = 0;
  for (const [t, n] of perSecond) if (t >= from && t < to) requests += n;
  const a = cpuAt(samples, from * 1000);
  const b = cpuAt(samples, to * 1000);
  if (a === null || b === null || requests === 0) return null;
  return { msPerRequest: ((b - a) * 1000) / requests, requests, seconds: to - from };
}
