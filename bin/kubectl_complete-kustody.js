#!/usr/bin/env node
// Completion for `kubectl kustody <TAB>`: kubectl (1.26+) runs `kubectl_complete-kustody WORDS…` and reads cobra's format.
import { main } from '../dist/cli.js';

process.exitCode = await main(['__complete', ...process.argv.slice(2)], undefined, { ...process.env, KUSTODY_COMPLETE_FORMAT: 'cobra' });
