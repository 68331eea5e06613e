/** kustody's own name and version, read once from the package manifest shipped beside src/ and dist/. */
import { readFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

/** The tool name recorded in every case and bundle. */
export const TOOL_NAME = manifest.name;
/** The tool version recorded in every case and bundle. */
export const TOOL_VERSION = manifest.version;
