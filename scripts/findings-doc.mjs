// Writes docs/findings.md from the built rule registry and framework table (run `npm run build` first).
import { writeFileSync } from 'node:fs';
import { renderFindingsDoc } from '../dist/core/findings/findings-doc.js';

writeFileSync(new URL('../docs/findings.md', import.meta.url), renderFindingsDoc());
