/** Where the EPUB templates live: templates/epub/ at the repository root. */
import { fileURLToPath } from 'node:url';

const folder = new URL('../../templates/epub/', import.meta.url);

/** The absolute path of one EPUB template file. */
export function templatePath(name: string): string {
  return fileURLToPath(new URL(name, folder));
}
