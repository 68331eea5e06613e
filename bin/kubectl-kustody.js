#!/usr/bin/env node
// `kubectl kustody …`: kubectl runs any `kubectl-NAME` on PATH as a plugin; this is kustody itself.
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
