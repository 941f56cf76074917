#!/usr/bin/env node
/** The `shadow-diff` command: picks a service (or all of them) and runs it until SIGTERM/SIGINT. */
import { PROCESS_IO } from './cli-io.js';
import { runCli } from './run-cli.js';

// A service keeps the process alive (it exits on SIGTERM/SIGINT); a one-shot command exits with its code.
const code = await runCli(process.argv, PROCESS_IO);
if (code !== null) process.exit(code);
