// Bad input never stops a run: each problem is counted and reported with its file and line, and reading
// goes on with the next record (or the next file when the whole file is unusable).

export type ProblemKind =
  | 'empty-file'      // zero bytes
  | 'binary-file'     // control bytes throughout the first block: not text (and not gzip or Parquet)
  | 'invalid-utf8'    // a line that is not valid UTF-8
  | 'nul-byte'        // a line holding a NUL byte in an otherwise textual file
  | 'too-deep'        // a record whose fields nest deeper than MAX_FIELD_DEPTH (record.ts)
  | 'too-long'        // a line or record over read.maxRecordBytes: skipped without being held in memory
  | 'malformed-json'  // a JSONL line that does not parse
  | 'not-object'      // a JSONL line that parses to something other than an object
  | 'missing-field'   // the text field is absent or not a string
  | 'csv-columns'     // a CSV row whose column count differs from the header's
  | 'gzip'            // a corrupt or truncated gzip stream
  | 'parquet'         // a Parquet file or row group that could not be decoded
  | 'stuck'           // a file whose reading made no progress for read.stallMs: abandoned
  | 'read-error';     // the file itself failed to read

export interface InputProblem {
  kind: ProblemKind;
  file: string;
  /** 1-based line (text, JSONL, CSV: where the record starts) or row (Parquet); absent for whole-file problems. */
  line?: number;
  message: string;
}

export type ProblemSink = (p: InputProblem) => void;
