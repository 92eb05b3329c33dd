import type { Reporter, TestCase } from 'vitest/node';

/**
 * Names every test that passed only on a retry (CI retries a failed test once, vitest.config.ts),
 * loudly, at the end of the run: a retry keeps one slow minute of a shared CI machine from throwing
 * away a whole run, and this list keeps the flake from going unnoticed. Each one is a defect to fix
 * (a test racing the machine's speed), not noise.
 */
export default class FlakyReporter implements Reporter {
  private readonly flaky: string[] = [];

  onTestCaseResult(test: TestCase): void {
    const { flaky, retryCount } = test.diagnostic() ?? {};
    if (!flaky) return;
    // The failed attempts' errors stay on the result: what went wrong is the clue to the race.
    const errors = (test.result().errors ?? []).map((e) => `      ${(e.message ?? String(e)).split('\n').slice(0, 6).join('\n      ')}`);
    this.flaky.push(
      `${test.module.moduleId.replace(process.cwd() + '/', '')} > ${test.fullName} (passed after ${retryCount} retr${retryCount === 1 ? 'y' : 'ies'})` +
        (errors.length ? `\n${errors.join('\n')}` : ''),
    );
  }

  onTestRunEnd(): void {
    if (this.flaky.length === 0) return;
    process.stdout.write(`\nFLAKY: ${this.flaky.length} test(s) failed first and passed on a retry; fix them:\n${this.flaky.map((f) => `  FLAKY ${f}\n`).join('')}\n`);
  }
}
