/** The tool version from package.json (read once; used in help and recorded in output files). */
import { readFileSync } from 'node:fs';

let version: string | undefined;

export function toolVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;
  return version;
}
