/**
 * Generates docs/errors.md from the error catalogue in kernel/errors.ts.
 *   npm run docs:errors            write the file
 *   npm run docs:errors -- --check exit 1 when the file is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERRORS } from '../kernel/errors.js';

export const ERRORS_DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'errors.md');

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function renderErrorsDoc(): string {
  const rows = Object.entries(ERRORS).map(
    ([code, e]) => `| \`${code}\` | ${e.status} | ${e.retryable ? 'yes' : 'no'} | ${cell(e.meaning)} | ${cell(e.fix)} |`,
  );
  return `<!-- Generated from kernel/errors.ts by \`npm run docs:errors\`. Do not edit by hand. -->
# Errors

Every error Lynkr raises has a code \`LYNKR_ERR_<AREA>_<WHAT>\`. A client gets it
in its own API's error shape (Anthropic error JSON on \`/v1/messages\`, OpenAI
error JSON on the OpenAI routes) with the status below; the code is in
\`error.code\` where the shape has room for it, and in Lynkr's log line with the
request id (\`x-request-id\`). The CLI prints \`lynkr: <message> [<code>]\` and exits 1.

"Retryable" says whether the same request may succeed if sent again unchanged.

| code | status | retryable | meaning | fix |
| --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const text = renderErrorsDoc();
  if (process.argv.includes('--check')) {
    const current = readFileSync(ERRORS_DOC, 'utf8');
    if (current !== text) {
      process.stderr.write('docs/errors.md is stale: run npm run docs:errors\n');
      process.exit(1);
    }
  } else {
    writeFileSync(ERRORS_DOC, text);
    process.stdout.write(`wrote ${ERRORS_DOC}\n`);
  }
}
