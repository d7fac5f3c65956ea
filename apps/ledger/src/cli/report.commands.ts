import { ProcessingActivityReader } from '#ledger/projections';
import { loadPolicy, policyFileSha256 } from '../config/policy-file';
import { buildProcessingRecord } from '../processing-record/processing-record';
import { renderProcessingRecordHtml } from '../processing-record/processing-record.html';
import { RECORD_LANGUAGES, isRecordLanguage } from '../processing-record/processing-record.texts';
import type { CliContext } from './cli-context';
import type { Reporter } from './reporter';

const option = (args: string[], name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

/**
 * `report processing-record [--lang nb|en] [--format json|html]`: the Art. 30 record the service
 * serves, to stdout, from the policy file configured and the figures the service's projection keeps.
 */
export async function processingRecordCommand(context: CliContext, report: Reporter, args: string[]): Promise<number> {
  const lang = option(args, '--lang') ?? 'nb';
  const format = option(args, '--format') ?? 'json';
  if (!isRecordLanguage(lang) || (format !== 'json' && format !== 'html')) {
    report.error(`usage: report processing-record [--lang ${RECORD_LANGUAGES.join('|')}] [--format json|html]`);
    return 2;
  }
  const { policy, file } = loadPolicy(context.config.LEDGER_POLICY);
  const observed = await new ProcessingActivityReader(context.pool).read();
  const record = buildProcessingRecord(policy, policyFileSha256(file), observed, lang, new Date().toISOString());
  process.stdout.write(format === 'html' ? renderProcessingRecordHtml(record) : `${JSON.stringify(record, null, 2)}\n`);
  report.line(`record of processing activities: ${record.activities.length} activities, policy ${policy.version}`);
  return 0;
}
