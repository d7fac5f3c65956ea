import { userInfo } from 'node:os';
import { Keyring, openDeep, placeInPersonal } from '#ledger/crypto';
import { streamIdOf } from '#ledger/domain';
import {
  ANSWER_LANGUAGES,
  composeAccessAnswer,
  isAnswerLanguage,
  renderAccessAnswerHtml,
  renderAccessAnswerPdf,
} from '#ledger/reports';
import { AccessLog } from '../access-log/access-log';
import { loadPolicy } from '../config/policy-file';
import { loadOrGenerateMasterKey } from '../config/secrets';
import type { CliContext } from './cli-context';
import type { Reporter } from './reporter';

const FORMATS = ['json', 'html', 'pdf'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const option = (args: string[], name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

/**
 * `report access SUBJECT [--lang nb|en] [--format json|html|pdf]`: the Art. 15 answer the service
 * serves, to stdout. It opens the person's values, so the read goes into their access log, under
 * `cli:<the operating-system user>`, as a service read goes under its token's name.
 */
export async function accessAnswerCommand(context: CliContext, report: Reporter, args: string[]): Promise<number> {
  const [subject] = args;
  const lang = option(args, '--lang') ?? 'nb';
  const format = option(args, '--format') ?? 'json';
  if (!subject || !UUID.test(subject) || !isAnswerLanguage(lang) || !(FORMATS as readonly string[]).includes(format)) {
    report.error(`usage: report access SUBJECT [--lang ${ANSWER_LANGUAGES.join('|')}] [--format ${FORMATS.join('|')}]`);
    return 2;
  }
  const subjectId = subject.toLowerCase();
  const { config } = context;
  const { policy } = loadPolicy(config.LEDGER_POLICY);
  const { key } = loadOrGenerateMasterKey(
    config.LEDGER_MASTER_KEY,
    config.LEDGER_DATA_DIR,
    config.LEDGER_MASTER_KEY_FILE,
  );
  const keyring = await Keyring.open(context.pool, key);
  const accessLog = await AccessLog.open(context.pool, keyring);
  const store = await context.store();
  const [events, keys] = await Promise.all([
    store.readStream(streamIdOf(subjectId)),
    keyring.readableKeys(subjectId),
    accessLog.record({ role: 'ops', name: `cli:${userInfo().username}` }, subjectId, 'access-report', null),
  ]);
  if (events.length === 0) {
    report.error(`no subject ${subjectId}`);
    return 1;
  }
  const opened = events.map((e) =>
    e.personal ? { ...e, personal: openDeep(subjectId, e.personal, keys, placeInPersonal) } : e,
  );
  const answer = composeAccessAnswer(opened, policy, { lang, now: new Date().toISOString() });
  const out =
    format === 'pdf'
      ? await renderAccessAnswerPdf(answer)
      : format === 'html'
        ? renderAccessAnswerHtml(answer)
        : `${JSON.stringify(answer, null, 2)}\n`;
  await new Promise<void>((resolve, reject) => process.stdout.write(out, (e) => (e ? reject(e) : resolve())));
  report.line(`access answer (${lang}, ${format}): ${answer.data.length} values, ${answer.erasures.length} erasures`);
  return 0;
}
