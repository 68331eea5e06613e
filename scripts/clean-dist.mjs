#!/usr/bin/env node
// Empties dist/ before a build, so a module removed from src/ (e.g. a test-only one) never lingers in the package.
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
