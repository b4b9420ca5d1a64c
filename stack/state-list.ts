// A list of records in one JSON file of the state dir (.moshpit/<name>), replaced atomically
// (write a temp file, rename) so a reader never sees half a list; an empty list removes the
// file. The run registry (run-state.ts) and the load-process registry (load-processes.ts) use it.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from './paths.js';

export interface StateList<T> {
  read(): T[];
  write(list: T[]): void;
}

export function stateList<T>(name: string): StateList<T> {
  const file = () => join(stateDir, name);
  return {
    read() {
      if (!existsSync(file())) return [];
      try {
        const list = JSON.parse(readFileSync(file(), 'utf8')) as T[];
        return Array.isArray(list) ? list : [];
      } catch {
        return [];
      }
    },
    write(list) {
      mkdirSync(stateDir, { recursive: true });
      if (list.length === 0) { rmSync(file(), { force: true }); return; }
      const tmp = `${file()}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(list, null, 2)}\n`);
      renameSync(tmp, file());
    },
  };
}
