// One wording of a report's document counts for the CLI and the page. The length rule splits a long
// document into pieces, so "kept" has two numbers: documents with a piece kept (at most those read) and the
// pieces themselves (possibly more than were read). Saying which is which keeps the numbers from
// contradicting each other ("kept 219 of 139 documents").

/** The three counts, as a report holds them (keptDocuments is absent from reports of earlier versions). */
export interface DocumentCounts {
  read: number;
  keptDocuments?: number;
  pieces: number;
}

/** "139 documents read, 120 kept", or "..., 139 kept as 219 pieces (the length rule splits long documents)". */
export function describeDocumentCounts(c: DocumentCounts, format: (n: number) => string = String): string {
  const read = `${format(c.read)} ${c.read === 1 ? 'document' : 'documents'} read`;
  if (c.keptDocuments === undefined) return `${read}, ${format(c.pieces)} ${c.pieces === 1 ? 'piece' : 'pieces'} kept`;
  if (c.pieces === c.keptDocuments) return `${read}, ${format(c.keptDocuments)} kept`;
  return `${read}, ${format(c.keptDocuments)} kept as ${format(c.pieces)} pieces (the length rule splits long documents)`;
}
