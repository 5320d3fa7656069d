// How guidance passages are named, on its own (no Node modules) so the API's schemas can check ids with it.

/** A rule id as file name and chunk-id prefix. */
export const RULE_ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** A chunk id: a rule id, '#', and a slug of heading words joined by '-' (and '--' between `##` and `###`). */
export const CHUNK_ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*#[a-z0-9]+(?:-{1,2}[a-z0-9]+)*$/;

/** A heading as a slug: lowercased, runs of anything but [a-z0-9] as '-', no '-' at either end. */
export function slugify(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
