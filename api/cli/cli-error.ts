// An error the CLI prints as it is (its message says what went wrong and what to do) and exits 1 on.
// Its own module so every command can throw it without loading either backend.
export class CliError extends Error {
  /** The API's error code (e.g. path_not_allowed) when the error is the API's answer. */
  readonly code?: string;

  constructor(message: string, code?: string) {
    super(message);
    if (code !== undefined) this.code = code;
  }
}
