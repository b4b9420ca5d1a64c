#!/usr/bin/env node
// moshpit CLI entry: `moshpit <command> [args]`. Each command lives in cli/commands/<command>.ts.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../core/usage-error.js';
import type { Command } from './command.js';

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');

function commandNames(): string[] {
  return readdirSync(commandsDir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
}

async function load(name: string): Promise<Command | null> {
  if (!/^[a-z][a-z0-9-]*$/.test(name) || !existsSync(join(commandsDir, `${name}.ts`))) return null;
  return (await import(`./commands/${name}.ts`)).default as Command;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write('usage: moshpit <command> [options]\n\ncommands:\n');
    for (const n of commandNames()) {
      const c = await load(n);
      if (c) process.stdout.write(`  ${n.padEnd(20)} ${c.summary}\n`);
    }
    return name ? 0 : 2;
  }
  const command = await load(name);
  if (!command) {
    process.stderr.write(`moshpit: unknown command '${name}'. Run 'moshpit help' for the list.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      // One clear line (the usage text is for --help, not for every typo).
      process.stderr.write(`moshpit ${name}: ${(err as Error).message}\n(moshpit ${name} --help for usage)\n`);
      return 2;
    }
    process.stderr.write(`moshpit ${name}: ${(err as Error).message}\n`);
    if (process.env.MOSHPIT_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
