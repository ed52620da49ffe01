// The `k8ts` command line: parses argv with commander and turns every failure into one line and an exit code.
import { Command, CommanderError } from 'commander';
import { EXIT_FAILURE, EXIT_USAGE, UsageError, oneLine, printError } from './errors.js';
import { registerServerCommand } from './server.js';
import { registerVersionCommand } from './version.js';

export function buildProgram(): Command {
  const program = new Command('k8ts')
    .description('A Kubernetes-compatible control plane and node agent in one process, built for stateful workloads.')
    // Settings are copied to subcommands when they are created, so configure before registering them.
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`k8ts: ${oneLine(str)}\n`) });
  registerServerCommand(program);
  registerVersionCommand(program);
  return program;
}

/** Runs the command in args (argv without node and script); long-running commands keep the process alive. */
export async function main(args: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(args, { from: 'user' });
  } catch (err) {
    process.exit(exitCode(err));
  }
}

function exitCode(err: unknown): number {
  // commander has already printed its message (or the help) through outputError.
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
  printError(err);
  return err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
}
