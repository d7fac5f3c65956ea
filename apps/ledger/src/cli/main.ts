import 'reflect-metadata';
import { safeErrorSummary } from '#ledger/postgres';
import { openCliContext, type CliContext } from './cli-context';
import { dlqReplay } from './dlq.commands';
import { rewrapKeys } from './keys.command';
import { projectionsRebuild, projectionsStatus } from './projections.commands';
import { copyStoreCommand, exportCommand, verifyCommand } from './store.commands';
import { Reporter } from './reporter';

type Command = (context: CliContext, report: Reporter, args: string[]) => Promise<number>;

const COMMANDS: Record<string, { usage: string; run: Command }> = {
  'projections status': {
    usage: "projections status              each projection's checkpoint and lag",
    run: projectionsStatus,
  },
  'projections rebuild': {
    usage: 'projections rebuild <name>      rebuild into a shadow table and swap; resumable',
    run: projectionsRebuild,
  },
  verify: {
    usage: "verify                          every stream's hash chain; the first broken link of each (exit 3)",
    run: verifyCommand,
  },
  export: { usage: 'export --subject <id> | --all    the trail as JSON lines, no personal values', run: exportCommand },
  'store copy': {
    usage: 'store copy --target <url>       copy every stream to another store, then verify it',
    run: copyStoreCommand,
  },
  'keys rewrap': {
    usage: 'keys rewrap                     re-wrap every data key under LEDGER_NEW_MASTER_KEY',
    run: rewrapKeys,
  },
  'dlq replay': {
    usage: 'dlq replay                      re-submit the dead letters whose key is alive; counts only',
    run: dlqReplay,
  },
};

/** Exit codes: 0 done, 1 failed, 2 bad usage, 3 found a problem (e.g. a broken chain). */
async function main(argv: string[]): Promise<number> {
  const report = new Reporter();
  const name = Object.keys(COMMANDS).find((c) => argv.slice(0, c.split(' ').length).join(' ') === c);
  if (!name) {
    report.line(
      `usage: npm run ledger -- <command>\n\n${Object.values(COMMANDS)
        .map((c) => `  ${c.usage}`)
        .join('\n')}`,
    );
    return argv.length === 0 || argv[0] === 'help' ? 0 : 2;
  }
  const context = await openCliContext();
  try {
    return await COMMANDS[name]!.run(context, report, argv.slice(name.split(' ').length));
  } finally {
    report.done();
    await context.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `error: ${error instanceof Error && !('code' in error) ? error.message : safeErrorSummary(error)}\n`,
    );
    process.exit(1);
  },
);
