#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=262144 MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=1 --heap-growing-percent=50 --initial-old-space-size=24 --no-concurrent-array-buffer-sweeping --expose-gc
/**
 * Command-line entry: argument parsing only. Each command's work lives in the
 * library; the action modules here translate options into library calls.
 * Usage errors and bad input print one sentence on stderr and exit with code 2.
 * The shebang caps V8's young generation (--max-semi-space-size=1 MiB): the
 * buffers of chunks in transit are freed by frequent scavenges, which keeps a
 * large transfer's peak RSS ~20 MB lower and costs no speed (npm run bench).
 * --heap-growing-percent=50: the old generation is collected again once it has
 * grown by half of what the last collection kept, instead of V8's default of
 * growing it several times over (a node holding 30 MB reached 130 MB of heap,
 * mostly garbage, under a 500,000-entry announce). It sets no limit: a big index
 * makes the heap larger, never an out-of-memory crash.
 * --initial-old-space-size=24 (MB) is the floor of the old generation's limit.
 * V8 counts the buffers allocated since the last full collection against that
 * limit; on a heap of ~11 MB its headroom was the minimum 8-9 MB, so the chunk
 * buffers of a 500 MiB transfer set off 55-80 full collections on each side
 * (--trace-incremental-marking: "allocation limit" with 9 MB of slack, nothing
 * promoted in between). With the floor: cold 500 MiB 3.6 s instead of 4.1,
 * about 0.4 CPU-seconds less per side, peak RSS within ~5 MB (npm run bench).
 * --no-concurrent-array-buffer-sweeping: the buffers a scavenge finds dead are
 * freed in the scavenge instead of by a background job, so (as we read V8's
 * ArrayBufferSweeper) their bytes leave that count at once rather than when
 * the job is done. The receiver of a cold 500 MiB file ran 31-44 full
 * collections instead of 46-61, and used 0.4-1.15 user CPU-s less in each of
 * four alternated runs of that row (0.3-0.7 CPU-s in four more, a round
 * earlier); the 10,000-file row's CPU and every peak RSS stayed within the noise.
 * --expose-gc: frames received are followed by a young-generation collection
 * every MiB (src/transport/young-gc.ts says why); nothing else calls gc().
 * The MALLOC_ variables tune glibc's allocator (others ignore them), which
 * holds the buffers of chunks and SQLite's pages: two arenas instead of one per
 * thread, free memory above 256 KiB at the heap's top returned to the system,
 * and a fixed 128 KiB threshold for mmap instead of one that rises with each
 * large buffer freed (after which buffers of that size stay in the heap).
 * Buffers of 128 KiB and more (index frames, chunk runs) then get mappings of
 * their own, returned when freed; in the heap they left it fragmented. Peak
 * RSS, npm run bench: the receiver 5-8 MB lower in every row and a 500,000-entry
 * announce 94 MB instead of 103 (against glibc's default); with 10,000 small
 * files the sender 102 MB instead of 125-150 (against a 4 MiB threshold), the
 * cold 500 MiB row no slower.
 */
import { Command, CommanderError, Option } from 'commander';
import { DEFAULTS } from '../config.js';
import { ErrorCode, LeftsyncError, errorMessage } from '../errors.js';
import { LEFTSYNC_VERSION } from '../version.js';
import { flushLogs } from '../log.js';
import { parseByteRate } from './byte-rate.js';
import { runChunks } from './chunks.js';
import { runDiff } from './diff.js';
import { runNode } from './run.js';
import { runStatus } from './status.js';

const EXIT_USAGE = 2;
/** The environment, not the command line, stopped it (port taken, folder locked, I/O). */
const EXIT_FAILURE = 1;
const USAGE_CODES = new Set<string>([ErrorCode.USAGE, ErrorCode.BAD_INPUT, ErrorCode.NO_SECRET, ErrorCode.UNKNOWN_ENGINE]);

function exitCodeOf(err: LeftsyncError): number {
  return USAGE_CODES.has(err.code) ? EXIT_USAGE : EXIT_FAILURE;
}

function intOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new LeftsyncError('LS_USAGE', `${name} must be an integer from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };
}

/** Help text after the options: what the environment and the exit codes mean. */
const HELP_AFTER = `
Environment:
  LEFTSYNC_SECRET       the pre-shared secret, when neither --secret nor --secret-file is given
  LEFTSYNC_LOG          log level: debug, info, warn or error (default: info; -v and -q win)
  LEFTSYNC_LOG_FORMAT   log line format: text or json (default: text; --log-format wins)

Exit codes:
  0  stopped by SIGINT/SIGTERM after a clean stop (a second signal exits at once: 130/143);
     --dry-run: the plan was printed
  1  the environment stopped it: port in use (LS_PORT_IN_USE), the folder is synced by
     another leftsync (LS_LOCKED), an I/O error, no peer for --dry-run (LS_NO_PEER)
  2  the command line is wrong: usage, a bad option value, no secret, --dir not a folder

Progress bars (file, percent, MB/s, ETA) show on stderr for downloads that take over
a second, when stderr is a terminal and neither --json nor -q is given.

Examples:
  leftsync --ip 192.0.2.11                       share ./share with that peer
  leftsync --ip 192.0.2.11,192.0.2.12 --dir ~/work --secret-file ~/.leftsync.key
`;

/**
 * The default command's options. Options that change what is synced or how it
 * is reported go here, each with its default shown by --help.
 */
function addNodeOptions(program: Command): Command {
  const secretFlags = ['secret', 'secretFile', 'insecure'];
  const others = (name: string) => secretFlags.filter((flag) => flag !== name);
  return program
    .addOption(new Option('--ip <peers>', 'peers to dial: host or host:port, comma-separated (default: none, wait for peers to dial in)'))
    .addOption(new Option('--dir <path>', 'the folder to share (a missing last component is created)').default('./share'))
    .addOption(new Option('--port <port>', 'port to listen on, and the port dialed when --ip gives none').default(DEFAULTS.port).argParser(intOption('--port', 1, 65535)))
    .addOption(new Option('--listen <host>', 'address to listen on').default(DEFAULTS.listenHost))
    .addOption(new Option('--secret <secret>', 'pre-shared secret, the same on every peer (visible in ps; prefer --secret-file) (default: $LEFTSYNC_SECRET)').conflicts(others('secret')))
    .addOption(new Option('--secret-file <path>', 'file holding the pre-shared secret (default: none)').conflicts(others('secretFile')))
    .addOption(new Option('--insecure', 'run without a secret: anyone who can reach the port can write into the folder (default: refuse to start without a secret)').conflicts(others('insecure')))
    .addOption(new Option('--no-tls', 'plain ws instead of TLS (loopback, trusted LANs only); every peer must agree (default: TLS)'))
    .addOption(new Option('--state <path>', 'state folder: index, peer id, partial downloads, lock (default: <dir>/.leftsync)'))
    .addOption(new Option('--state-dir <path>').hideHelp())
    .addOption(
      new Option('--exclude <pattern>', 'leave paths matching this gitignore-style pattern out (repeatable; added after .leftsyncignore)')
        .argParser(collectPattern)
        .default([], 'none'),
    )
    .addOption(new Option('--log-format <format>', 'log line format').choices(['text', 'json']).default('text', '$LEFTSYNC_LOG_FORMAT or text'))
    .addOption(new Option('-v, --verbose', 'log debug detail too (default: info)').conflicts('quiet'))
    .addOption(new Option('-q, --quiet', 'log only warnings and errors'))
    .addOption(new Option('--engine <engine>', 'chunking engine (fastcdc, rabin); peers must agree').default(DEFAULTS.engine))
    .addOption(new Option('--settle <ms>', 'a file that keeps changing must be quiet this long before it is hashed again (a quiet one is hashed at once)').default(DEFAULTS.settleMs).argParser(intOption('--settle', 0, 600_000)))
    .addOption(new Option('--rescan-interval <ms>', 'full rescan period in ms').default(DEFAULTS.rescanIntervalMs).argParser(intOption('--rescan-interval', 100, 86_400_000)))
    .addOption(new Option('--ping-interval <ms>', 'WebSocket ping interval in ms').default(DEFAULTS.pingIntervalMs).argParser(intOption('--ping-interval', 50, 600_000)))
    .addOption(new Option('--ping-timeout <ms>', 'drop a peer silent for this many ms').default(DEFAULTS.pingTimeoutMs).argParser(intOption('--ping-timeout', 100, 3_600_000)))
    .addOption(new Option('--reconnect-max <ms>', 'cap of the reconnect backoff in ms').default(DEFAULTS.reconnectMaxMs).argParser(intOption('--reconnect-max', 50, 600_000)))
    .addOption(new Option('--handshake-timeout <ms>', 'close connections that do not authenticate within this many ms').default(DEFAULTS.handshakeTimeoutMs).argParser(intOption('--handshake-timeout', 100, 600_000)))
    .addOption(new Option('--stats-interval <ms>', 'log byte counters (transfer.stats) this often while they change').default(DEFAULTS.statsIntervalMs).argParser(intOption('--stats-interval', 100, 3_600_000)))
    .addOption(new Option('--gui-port <port>', 'port of the status endpoint on 127.0.0.1 (0 = any free port, written to <state>/status-port)').default(DEFAULTS.guiPort).argParser(intOption('--gui-port', 0, 65535)))
    .addOption(new Option('--bwlimit <rate>', 'cap the upload (chunk bytes sent per second, all peers together): bytes, or with K, M, G (x1024), e.g. 500k, 10M; 0 = no limit').default(0, 'no limit').argParser((value) => parseByteRate(value)))
    .addOption(
      new Option(
        '--dry-run',
        'link, exchange indexes, print what would be pulled, deleted, created and kept as conflicts, change nothing in the share, exit 0 (the state folder records the scan as usual; exits 1 if no peer links within 15 s)',
      ),
    )
    .addOption(new Option('--json', 'print events as JSON lines on stdout (logs stay on stderr); with --dry-run, the plan'))
    // Streaming sync knobs for tests and the bench, not for users.
    .addOption(new Option('--stream-min-bytes <n>').hideHelp().argParser(intOption('--stream-min-bytes', 1, Number.MAX_SAFE_INTEGER)))
    .addOption(new Option('--test-hash-pace-ms <ms>').hideHelp().argParser(intOption('--test-hash-pace-ms', 0, 10_000)));
}

function collectPattern(value: string, previous: string[]): string[] {
  if (value.trim() === '') throw new LeftsyncError('LS_USAGE', '--exclude needs a pattern, got an empty one');
  return [...previous, value];
}

export function buildProgram(): Command {
  const program = new Command();
  // Set before adding subcommands: they copy it when created.
  program.exitOverride();
  // Root options (--engine too) must not swallow the same-named option of a subcommand.
  program.enablePositionalOptions();
  program
    .name('leftsync')
    .usage('[--ip PEERS] [--dir ./share] [--port N] [--secret S | --secret-file F | --insecure] [--state DIR] [--exclude PATTERN]... [--bwlimit RATE] [--dry-run] [-v | -q]')
    .description('Keep a folder (./share) identical with the peers named in --ip, continuously, until SIGINT/SIGTERM.')
    .version(LEFTSYNC_VERSION)
    .addHelpText('after', HELP_AFTER);
  addNodeOptions(program).action(async (options, command: Command) => {
    await runNode({ ...options, logFormatGiven: command.getOptionValueSource('logFormat') === 'cli' });
    // Whatever a library handle still holds (a socket in its close handshake) must not keep a stopped node running.
    process.exit(0);
  });

  program
    .command('status')
    .description('show the status of the leftsync running with this share (or state folder)')
    .option('--dir <path>', 'the shared folder', './share')
    .option('--state <path>', 'state folder (default <dir>/.leftsync)')
    .addOption(new Option('--state-dir <path>', 'same as --state').hideHelp())
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
      flushLogs();
      process.stderr.write(`leftsync: ${err.message} (${err.code})\n`);
      process.exit(exitCodeOf(err));
    }
    flushLogs();
    process.stderr.write(`leftsync: ${errorMessage(err)}\n`);
    process.exit(EXIT_FAILURE);
  }
}

await main();
