// Which processes and logs of a run the bottleneck recorder can see: all of them on the
// embedded stack (our cluster, our target, its pool log), only the load processes for a
// user's deployment.
import { readStackState, type StackState } from '../../stack/state.js';
import { targetPoolLogFile } from '../../stack/target-process.js';
import type { BottleneckOptions } from './recorder.js';

export type RunProcesses = Pick<BottleneckOptions, 'ownCluster' | 'poolLogFile' | 'processes'>;

const REMOTE_TARGET = 'the target is a user deployment, not a process of this machine';
const REMOTE_DATABASE = 'the database server does not run on this machine';

export function remoteProcesses(): RunProcesses {
  return {
    ownCluster: false,
    poolLogFile: null,
    processes: { targetPid: () => null, postgresPid: null, missing: { target: REMOTE_TARGET, postgres: REMOTE_DATABASE } },
  };
}

export function embeddedProcesses(state: StackState): RunProcesses {
  const ownCluster = state.postgres.managed;
  return {
    ownCluster,
    poolLogFile: targetPoolLogFile(),
    processes: {
      // Read again at every sample: a chaos run's target-crash fault starts a new target.
      targetPid: () => readStackState()?.target?.process.pid ?? state.target?.process.pid ?? null,
      postgresPid: ownCluster ? state.postgres.process?.pid ?? null : null,
      missing: ownCluster ? {} : { postgres: REMOTE_DATABASE },
    },
  };
}
