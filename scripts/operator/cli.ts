// Operator tools behind `npm run key:put | key:check | token:inspect | policy:show | policy:reset | smoke`. Each command is a
// function of (arguments, io) returning an exit code; this entry wires it to the process.
import {
  EXIT_FAILED,
  EXIT_USAGE,
  type OperatorCommand,
  OperatorError,
  type OperatorIo,
  processIo,
  UsageError,
} from './io.ts';
import { KEY_CHECK_USAGE, keyCheck } from './key-check.ts';
import { KEY_PUT_USAGE, keyPut } from './key-put.ts';
import { POLICY_RESET_USAGE, POLICY_SHOW_USAGE, policyReset, policyShow } from './policy-state.ts';
import { SMOKE_USAGE, smoke } from './smoke.ts';
import { TOKEN_INSPECT_USAGE, tokenInspect } from './token-inspect.ts';

export const OPERATOR_COMMANDS: Readonly<Record<string, { run: OperatorCommand; usage: string }>> = {
  'key:put': { run: keyPut, usage: KEY_PUT_USAGE },
  'key:check': { run: keyCheck, usage: KEY_CHECK_USAGE },
  'token:inspect': { run: tokenInspect, usage: TOKEN_INSPECT_USAGE },
  'policy:show': { run: policyShow, usage: POLICY_SHOW_USAGE },
  'policy:reset': { run: policyReset, usage: POLICY_RESET_USAGE },
  smoke: { run: smoke, usage: SMOKE_USAGE },
};

export async function runOperatorCommand(
  name: string | undefined,
  args: readonly string[],
  io: OperatorIo,
): Promise<number> {
  // Own keys only: "toString" or "__proto__" is not a command.
  const command =
    name !== undefined && Object.hasOwn(OPERATOR_COMMANDS, name) ? OPERATOR_COMMANDS[name] : undefined;
  if (command === undefined) {
    io.err(`unknown command ${name ?? '(none)'}; one of: ${Object.keys(OPERATOR_COMMANDS).join(', ')}`);
    return EXIT_USAGE;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(`usage: ${command.usage}`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`✗ ${error.message}`);
      io.err(`usage: ${command.usage}`);
      return EXIT_USAGE;
    }
    if (error instanceof OperatorError) {
      io.err(`✗ ${error.message}`);
      return EXIT_FAILED;
    }
    throw error;
  }
}

if (import.meta.main) {
  const [name, ...args] = process.argv.slice(2);
  process.exitCode = await runOperatorCommand(name, args, processIo());
}
