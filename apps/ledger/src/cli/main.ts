import 'reflect-metadata';
import { safeErrorSummary } from '#ledger/postgres';
import { openCliContext, type CliContext } from './cli-context';
import { dlqReplay } from './dlq.commands';
import { rewrapKeys } from './keys.command';
import { projectionsRebuild, projectionsStatus } from './projections.commands';
import { copyStoreCommand, exportCommand, verifyCommand } from './store.commands';
import { Reporter } from './reporter';
import { accessAnswerCommand } from './report-access.command';
import { processingRecordCommand } from './report.commands';
import { verifyCheckpointCommand, verifyProofCommand } from './verifiable-log.commands';

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
    usage:
      "verify                          every stream's hash chain; the first broken link of each (exit 3)\n" +
      '  verify --checkpoint FILE [--verifier-key KEY]\n' +
      '                                  the record still makes the saved signed tree; else the first leaf (exit 3)',
    run: (context, report, args) =>
      args.includes('--checkpoint') ? verifyCheckpointCommand(context, report, args) : verifyCommand(context, report),
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
  'report processing-record': {
    usage:
      'report processing-record [--lang nb|en] [--format json|html]\n' +
      '                                  the record of processing activities (Art. 30), to stdout',
    run: processingRecordCommand,
  },
  'report access': {
    usage:
      'report access SUBJECT [--lang nb|en] [--format json|html|pdf]\n' +
      "                                  a person's access answer (Art. 15), to stdout; logged as cli:<user>",
    run: accessAnswerCommand,
  },
  'dlq replay': {
    usage: 'dlq replay                      re-submit the dead letters whose key is alive; counts only',
    run: dlqReplay,
  },
};

/** Commands an inspector runs with no database and no service: no connection is opened for them. */
const OFFLINE: Record<string, { usage: string; run: (report: Reporter, args: string[]) => number }> = {
  'verify-proof': {
    usage:
      'verify-proof --certificate FILE --verifier-key KEY\n' +
      '                                  an erasure certificate or inclusion proof against its signed checkpoint\n' +
      '  verify-proof --consistency --old FILE --new FILE --proof FILE --verifier-key KEY\n' +
      '                                  the newer signed tree extends the older one unchanged',
    run: verifyProofCommand,
  },
};

/** Exit codes: 0 done, 1 failed, 2 bad usage, 3 found a problem (e.g. a broken chain). */
async function main(argv: string[]): Promise<number> {
  const report = new Reporter();
  const offline = OFFLINE[argv[0] ?? ''];
  if (offline) {
    const code = offline.run(report, argv.slice(1));
    report.done();
    return code;
  }
  const name = Object.keys(COMMANDS).find((c) => argv.slice(0, c.split(' ').length).join(' ') === c);
  if (!name) {
    report.line(
      `usage: npm run ledger -- <command>\n\n${[...Object.values(COMMANDS), ...Object.values(OFFLINE)]
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
