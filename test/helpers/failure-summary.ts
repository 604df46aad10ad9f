/**
 * A test reporter (`npm test` adds it after TAP) that ends the output with the
 * tests that failed: name, file and the first lines of each error. A CI log is
 * often read from its tail, and a failure's report (with its log lines) may lie
 * thousands of lines above it. Prints nothing when every test passed.
 */
import path from 'node:path';

/** Lines of each error shown in the summary. */
const ERROR_LINES = 6;

interface FailEvent {
  type: 'test:fail';
  data: { name: string; nesting: number; file?: string; details: { error?: unknown; type?: string } };
}

function errorLines(error: unknown): string[] {
  // The runner wraps what a test threw (ERR_TEST_FAILURE) with the original as its cause.
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  const text = cause instanceof Error ? cause.message || String(cause) : String(cause);
  return text.split('\n').slice(0, ERROR_LINES);
}

export default async function* failureSummary(source: AsyncIterable<{ type: string; data: unknown }>): AsyncGenerator<string> {
  const failed: string[] = [];
  for await (const event of source) {
    if (event.type !== 'test:fail') continue;
    const { data } = event as FailEvent;
    // A suite fails with its failing tests; listing the tests themselves is enough.
    if (data.details.type === 'suite') continue;
    const where = data.file === undefined ? '' : ` (${path.relative(process.cwd(), data.file)})`;
    failed.push(`- ${data.name}${where}`, ...errorLines(data.details.error).map((line) => `    ${line}`));
  }
  if (failed.length > 0) yield `\n# failed tests, as reported above:\n${failed.map((line) => `# ${line}`).join('\n')}\n`;
}
