import { Command, Option } from 'commander';
import { ConfigError, DEFAULT_DATA_DIR, DEFAULT_PORT, resolveServeConfig, type ServeFlags } from '../config/config.js';
import { startIamd } from '../server/app.js';
import { jsonLogger, printError, printLine } from '../server/logger.js';

const program = new Command('iamd').description('A self-hostable, AWS-IAM-compatible identity service.');

program
  .command('serve')
  .description('Serve the IAM Query API (and later the console) over HTTP.')
  .option('--host <host>', 'address to listen on (env IAMD_HOST)', undefined)
  .option('--port <port>', `port to listen on, 0 for any free port (env IAMD_PORT, default ${DEFAULT_PORT})`)
  .option('--data-dir <dir>', `folder for the SQLite database (env IAMD_DATA_DIR, default ./${DEFAULT_DATA_DIR})`)
  .option('--memory', 'keep everything in memory; nothing is written to disk (for test suites)')
  .option('--database <url>', 'a postgres:// URL: keep everything in PostgreSQL, which several iamd nodes may share (env IAMD_DATABASE_URL)')
  // Test suites against a persistent store: POST /moto-api/reset and /iamd-test/clock (--memory implies them).
  .addOption(new Option('--enable-test-endpoints').hideHelp())
  .option('--max-body-bytes <n>', 'largest request body accepted (env IAMD_MAX_BODY_BYTES, default 1 MiB)')
  .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (env IAMD_TLS_CERT); needs --tls-key')
  .option('--tls-key <file>', 'the PEM private key for --tls-cert (env IAMD_TLS_KEY)')
  .option('--quiet', 'no access log')
  .action(async (flags: ServeFlags & { quiet?: boolean }) => {
    const logger = jsonLogger({ access: !flags.quiet && process.env.IAMD_ACCESS_LOG !== 'false' });
    // Whatever way the process ends (an uncaught exception included), buffered lines go out first.
    process.on('exit', () => logger.flush());
    let config;
    try {
      config = resolveServeConfig(flags, process.env);
    } catch (e) {
      if (e instanceof ConfigError) {
        printError(`iamd: ${e.message}`);
        process.exit(2);
      }
      throw e;
    }
    let iamd;
    try {
      iamd = await startIamd(config, { logger, print: printLine });
    } catch (e) {
      // E.g. the database is unreachable. pg's messages never contain the password.
      await logger.close();
      printError(`iamd: could not start: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    }
    printLine(`iamd listening on ${iamd.url}`);

    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info('stopping: draining in-flight requests', { signal });
      await iamd.stop();
      logger.info('stopped');
      await logger.close(); // every buffered line is out, in order, before the process ends
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
  });

program
  .command('rotate-master-key')
  .description(
    'Re-seal every access-key secret, MFA seed and server-certificate private key under a new master key (old key: IAMD_MASTER_KEY or the data folder\'s master.key; ' +
      'new key: IAMD_NEW_MASTER_KEY, or generated into master.key). Stop iamd first.',
  )
  .option('--data-dir <dir>', `the SQLite data folder (env IAMD_DATA_DIR, default ./${DEFAULT_DATA_DIR})`)
  .option('--database <url>', 'a postgres:// URL (env IAMD_DATABASE_URL)')
  .action(async (flags: { dataDir?: string; database?: string }) => {
    const { rotateMasterKey } = await import('./rotate-master-key.js');
    try {
      const r = await rotateMasterKey(flags, process.env);
      printLine(
        `iamd: re-sealed ${r.resealed} secrets (access-key secrets, MFA seeds, server-certificate, SAML provider and token signing private keys) under master key ${r.keyId}` +
          ` (${r.alreadyCurrent} already under it; previous keys: ${r.previousKeyIds.join(', ') || 'none'})\n` +
          (r.keyFile ? `iamd: ${r.keyFile} now holds only the new key\n` : 'iamd: set IAMD_MASTER_KEY to the new key before starting iamd\n'),
      );
    } catch (e) {
      printError(`iamd: rotate-master-key failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    }
  });

await program.parseAsync(process.argv);
