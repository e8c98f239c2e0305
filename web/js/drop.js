// The files of a drop, folders included, as [[path, File], ...]: a folder's files come with
// their path inside it (`k8s/web/deploy.yaml`), in name order; hidden folders (`.git`) are
// left out. Entries must be taken while the drop event runs, so that happens before the
// first await.
export async function droppedFiles(transfer) {
  const entries = [...(transfer.items ?? [])]
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.())
    .filter(Boolean);
  if (entries.length === 0) return [...(transfer.files ?? [])].map((file) => [file.name, file]);
  const out = [];
  for (const entry of entries) await walk(entry, out);
  return out;
}

async function walk(entry, out) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    out.push([entry.fullPath.replace(/^\//, ''), file]);
    return;
  }
  if (!entry.isDirectory || entry.name.startsWith('.')) return;
  const reader = entry.createReader();
  const children = [];
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    children.push(...batch);
  }
  children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const child of children) await walk(child, out);
}
