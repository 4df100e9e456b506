// One error type for everything the checkpoint code refuses, so the page and the CLI can show the message
// as is: it always starts with the file (or archive entry) at fault.

export class CheckpointError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'CheckpointError';
  }
}
