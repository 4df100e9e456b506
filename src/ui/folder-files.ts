// The files of one model folder, however the person hands it over: a folder dropped from the desktop
// (DataTransferItem.webkitGetAsEntry, its files read one level down), a folder picked (<input webkitdirectory>,
// each File's webkitRelativePath "folder/name"), or the folder's files picked or dropped themselves. Only the
// folder's own files count: subfolders (a release's original/ or onnx/ copies) are left out and listed.
import type { ModelFile } from '../worker/train-api';

export interface FolderFiles {
  /** The folder's name, or the first file's when loose files were given. */
  folder: string;
  files: ModelFile[];
  /** Paths left out (inside subfolders). */
  skipped: string[];
}

/** From (path, File) pairs, path relative to what was chosen: "name" for a loose file, "folder/name" in a folder. */
export function folderFiles(entries: readonly { path: string; file: File }[]): FolderFiles {
  const files: ModelFile[] = [];
  const skipped: string[] = [];
  let folder = '';
  for (const { path, file } of entries) {
    const parts = path.split('/').filter((p) => p !== '');
    if (parts.length === 1) {
      files.push({ name: parts[0], file });
    } else if (parts.length === 2) {
      folder ||= parts[0];
      files.push({ name: parts[1], file });
    } else {
      skipped.push(path);
    }
  }
  return { folder: folder || 'model folder', files, skipped };
}

/** A picked FileList: a folder's (webkitdirectory, relative paths) or loose files. */
export function pickedFiles(list: FileList | readonly File[]): FolderFiles {
  return folderFiles([...list].map((file) => ({ path: file.webkitRelativePath || file.name, file })));
}

const readBatch = (reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> =>
  new Promise((resolve, reject) => reader.readEntries(resolve, reject));
const entryFile = (entry: FileSystemFileEntry): Promise<File> => new Promise((resolve, reject) => entry.file(resolve, reject));

/** A drop: a dropped folder's files (one level), or the dropped files themselves. */
export async function droppedFiles(dt: DataTransfer): Promise<FolderFiles> {
  const entries: { path: string; file: File }[] = [];
  // Entries must be taken before the first await: the DataTransfer empties once the drop handler returns.
  const items = [...dt.items].filter((i) => i.kind === 'file').map((i) => ({ entry: i.webkitGetAsEntry(), file: i.getAsFile() }));
  for (const { entry, file } of items) {
    if (entry?.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      // readEntries hands a directory over in batches (100 at a time in Chrome) until an empty one.
      for (let batch = await readBatch(reader); batch.length > 0; batch = await readBatch(reader)) {
        for (const child of batch) {
          const path = `${entry.name}/${child.name}`;
          if (child.isFile) entries.push({ path, file: await entryFile(child as FileSystemFileEntry) });
          else entries.push({ path: `${path}/`, file: new File([], child.name) }); // a subfolder: listed as left out
        }
      }
    } else if (file) {
      entries.push({ path: file.name, file });
    }
  }
  const out = folderFiles(entries.filter((e) => !e.path.endsWith('/')));
  out.skipped.push(...entries.filter((e) => e.path.endsWith('/')).map((e) => e.path));
  return out;
}
