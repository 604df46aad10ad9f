#!/usr/bin/env -S node --max-semi-space-size=1
/**
 * Command-line entry: argument parsing only. Each command's work lives in the
 * library; the action modules here translate options into library calls.
 * Usage errors and bad input print one sentence on stderr and exit with code 2.
 * The shebang caps V8's young generation (--max-semi-space-size=1 MiB): the
 * buffers of chunks in transit are freed by frequent scavenges, which keeps a
 * large transfer's peak RSS ~20 MB lower and costs no speed (npm run bench).
 */
import { Command, CommanderError, Option } from 'commander';
import { DEFAULTS } from '../config.js';
import { LeftsyncError, errorMessage } from '../errors.js';
import { LEFTSYNC_VERSION } from '../version.js';
import { runChunks } from './chunks.js';
import { runDiff } from './diff.js';
import { runNode } from './run.js';
import { runStatus } from './status.js';

const EXIT_USAGE = 2;

function intOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new LeftsyncError('LS_USAGE', `${name} must be an integer from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };
}

export function buildProgram(): Command {
  const program = new Command();
  // Set before adding subcommands: they copy it when created.
  program.exitOverride();
  // Root options (--engine too) must not swallow the same-named option of a subcommand.
  program.enablePositionalOptions();
  program
    .name('leftsync')
    .description('Keep ./share identical with the peers named in --ip, continuously.')
    .version(LEFTSYNC_VERSION)
    .addOption(new Option('--ip <peers>', 'peers to sync with: host or host:port, comma-separated'))
    .addOption(new Option('--port <port>', 'port to listen on').default(DEFAULTS.port).argParser(intOption('--port', 1, 65535)))
    .addOption(new Option('--listen <host>', 'address to listen on').default(DEFAULTS.listenHost))
    .addOption(new Option('--dir <path>', 'the folder to share').default('./share'))
    .addOption(new Option('--state-dir <path>', 'state folder (index, peer id, partial downloads)', ).default(undefined, '<dir>/.leftsync'))
    .addOption(new Option('--secret <secret>', 'pre-shared secret (visible in ps; prefer --secret-file or LEFTSYNC_SECRET)'))
    .addOption(new Option('--secret-file <path>', 'file holding the pre-shared secret'))
    .addOption(new Option('--insecure', 'run without a secret: anyone who can reach the port can write into the folder'))
    .addOption(new Option('--engine <engine>', 'chunking engine (fastcdc, rabin)').default(DEFAULTS.engine))
    .addOption(new Option('--ping-interval <ms>', 'WebSocket ping interval in ms').default(DEFAULTS.pingIntervalMs).argParser(intOption('--ping-interval', 50, 600_000)))
    .addOption(new Option('--ping-timeout <ms>', 'drop a peer silent for this many ms').default(DEFAULTS.pingTimeoutMs).argParser(intOption('--ping-timeout', 100, 3_600_000)))
    .addOption(new Option('--reconnect-max <ms>', 'cap of the reconnect backoff in ms').default(DEFAULTS.reconnectMaxMs).argParser(intOption('--reconnect-max', 50, 600_000)))
    .addOption(new Option('--handshake-timeout <ms>', 'close connections that do not authenticate within this many ms').default(DEFAULTS.handshakeTimeoutMs).argParser(intOption('--handshake-timeout', 100, 600_000)))
    .addOption(new Option('--rescan-interval <ms>', 'full rescan period in ms').default(DEFAULTS.rescanIntervalMs).argParser(intOption('--rescan-interval', 100, 86_400_000)))
    .addOption(new Option('--settle <ms>', 'a file that keeps changing must be quiet this long before it is hashed again (a quiet one is hashed at once)').default(DEFAULTS.settleMs).argParser(intOption('--settle', 0, 600_000)))
    .addOption(new Option('--stats-interval <ms>', 'log byte counters (transfer.stats) this often while they change').default(DEFAULTS.statsIntervalMs).argParser(intOption('--stats-interval', 100, 3_600_000)))
    .addOption(new Option('--log-format <format>', 'log line format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--verbose', 'log debug detail'))
    .addOption(new Option('--gui-port <port>', 'port of the status endpoint on 127.0.0.1 (0 = any free port, written to <state>/status-port)').default(DEFAULTS.guiPort).argParser(intOption('--gui-port', 0, 65535)))
    .addOption(new Option('--json', 'print events as JSON lines on stdout (logs stay on stderr)'))
    .action(async (options) => {
      await runNode(options);
    });

  program
    .command('status')
    .description('show the status of the leftsync running with this share (or state folder)')
    .option('--dir <path>', 'the shared folder', './share')
    .option('--state-dir <path>', 'state folder (default <dir>/.leftsync)')
    .addOption(new Option('--state <path>', 'same as --state-dir').hideHelp())
    .option('--json', 'print the status object as JSON')
    .option('--url', "print the status page's address (with its token)")
    .action(async (options: { dir: string; stateDir?: string; state?: string; json?: boolean; url?: boolean }) => {
      await runStatus({ ...options, stateDir: options.stateDir ?? options.state });
    });

  program
    .command('chunks')
    .description("print a file's chunk signature")
    .argument('<file>', 'the file to chunk')
    .option('--engine <engine>', 'chunking engine (fastcdc, rabin)', DEFAULTS.engine)
    .option('--json', 'print JSON')
    .action(async (file: string, options: { engine: string; json?: boolean }) => {
      await runChunks(file, options);
    });

  program
    .command('diff')
    .description('show what a sync from OLD to NEW would send')
    .argument('<old>', 'the version the receiver has')
    .argument('<new>', 'the version the receiver wants')
    .option('--engine <engine>', 'chunking engine (fastcdc, rabin)', DEFAULTS.engine)
    .option('--json', 'print JSON')
    .action(async (oldFile: string, newFile: string, options: { engine: string; json?: boolean }) => {
      await runDiff(oldFile, newFile, options);
    });

  return program;
}

async function main(): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed its message (or the help text).
      process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
    }
    if (err instanceof LeftsyncError) {
      process.stderr.write(`leftsync: ${err.message}\n`);
      process.exit(EXIT_USAGE);
    }
    process.stderr.write(`leftsync: ${errorMessage(err)}\n`);
    process.exit(1);
  }
}

await main();
