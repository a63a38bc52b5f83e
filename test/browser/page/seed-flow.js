// The seed document's frontend flow ("Batch Upload for Frontend"), written as a page would write it,
// without glue: init the batch, PUT each chunk to its presigned URL, complete each file. A PUT that
// fails is recovered the seed's way: complete answers the missing chunks, progress shows them failed,
// retry hands out fresh URLs, then complete again. Sessions are kept in localStorage under a file's
// name, size and lastModified, so that after a reload picking the same file resumes it: progress
// answers the stored chunks and only the others are sent.
// Configured by the query: ?api=<API origin>&token=<bearer token>&channel=<channel id>.
const params = new URLSearchParams(location.search);
const API = `${params.get('api')}/api/v1/videos/batch`;
const TOKEN = params.get('token');
const CHANNEL = params.get('channel') ?? '1';

const list = document.querySelector('#uploads');
const log = (line) => (document.querySelector('#log').textContent += `${line}\n`);

async function call(method, path, json) {
  const headers = { authorization: `Bearer ${TOKEN}` };
  if (json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${API}${path}`, {
    method,
    headers,
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  return { status: res.status, body: await res.json() };
}

const fingerprint = (file) => `reelay-upload:${file.name}:${file.size}:${file.lastModified}`;

/** The indices of a stored-chunks ranges string ("0-3,5"). */
function storedSet(ranges) {
  const stored = new Set();
  for (const run of ranges ? ranges.split(',') : []) {
    const [first, last = first] = run.split('-').map(Number);
    for (let i = first; i <= last; i++) stored.add(i);
  }
  return stored;
}

/** One row per file: its name, the type Reelay recorded, a progress bar, a status and an abort button. */
function row(file) {
  const item = document.createElement('li');
  item.dataset.file = file.name;
  item.innerHTML =
    '<strong></strong> <code class="type"></code> <progress max="100" value="0"></progress> <span class="status">waiting</span> <button type="button">Abort</button>';
  item.querySelector('strong').textContent = file.name;
  list.append(item);
  const view = {
    aborted: false,
    type: (type) => (item.querySelector('.type').textContent = type),
    progress: (percent) => (item.querySelector('progress').value = percent),
    status: (text) => {
      item.querySelector('.status').textContent = text;
      log(`${file.name}: ${text}`);
    },
  };
  item.querySelector('button').addEventListener('click', () => (view.aborted = true));
  return view;
}

async function put(file, session, chunkIndex, url) {
  const start = chunkIndex * session.chunkSize;
  try {
    const res = await fetch(url, {
      method: 'PUT',
      body: file.slice(start, Math.min(file.size, start + session.chunkSize)),
    });
    await res.text();
    return res.ok;
  } catch {
    return false; // the network dropped it: complete will say it is missing
  }
}

async function uploadOne(file, session, view) {
  view.type(session.contentType ?? '');
  let todo = Array.from({ length: session.totalChunks }, (_, i) => i);
  const progress = await call('GET', `/progress/${session.uploadId}`);
  if (progress.status !== 200) {
    localStorage.removeItem(fingerprint(file));
    return view.status(`cannot resume: ${progress.body.error.code}`);
  }
  const stored = storedSet(progress.body.data.storedChunks);
  if (stored.size > 0) view.status(`resuming: ${stored.size} of ${session.totalChunks} chunks already stored`);
  todo = todo.filter((i) => !stored.has(i));
  let sent = stored.size;
  for (const i of todo) {
    if (view.aborted) return abort(file, session, view);
    view.status(`uploading chunk ${i + 1} of ${session.totalChunks}`);
    if (await put(file, session, i, session.presignedUrls[i]))
      view.progress(Math.floor((++sent * 100) / session.totalChunks));
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    if (view.aborted) return abort(file, session, view);
    const done = await call('POST', `/complete/${session.uploadId}`);
    if (done.status === 200) {
      localStorage.removeItem(fingerprint(file));
      view.progress(100);
      return view.status(`completed: video ${done.body.data.videoId}`);
    }
    if (done.body.error.code !== 'MISSING_PARTS') return view.status(`failed: ${done.body.error.code}`);
    const failed = (await call('GET', `/progress/${session.uploadId}`)).body.data.failedChunks;
    view.status(`retrying chunks ${failed.join(', ')}`);
    const retry = await call('POST', `/retry/${session.uploadId}`);
    for (const { chunkIndex, url } of retry.body.data) await put(file, session, chunkIndex, url);
  }
  view.status('failed: chunks still missing after 3 tries');
}

async function abort(file, session, view) {
  const answer = await call('POST', `/abort/${session.uploadId}`);
  localStorage.removeItem(fingerprint(file));
  view.status(answer.status === 200 ? 'aborted' : `abort failed: ${answer.body.error.code}`);
}

/** Init for the files that have no kept session, in one batch; resume the others. */
async function uploadAll(files) {
  const kept = files.map((file) => JSON.parse(localStorage.getItem(fingerprint(file)) ?? 'null'));
  const fresh = files.filter((_, i) => !kept[i]);
  const views = files.map(row);
  let created = [];
  if (fresh.length > 0) {
    const init = await call('POST', '/init', {
      channel_id: CHANNEL,
      files: fresh.map((f) => ({ filename: f.name, size: f.size, type: f.type })),
    });
    if (init.status !== 201) return log(`init failed: ${init.status} ${JSON.stringify(init.body.error)}`);
    created = init.body.data;
  }
  await Promise.all(
    files.map((file, i) => {
      const session = kept[i] ?? created.shift();
      localStorage.setItem(fingerprint(file), JSON.stringify(session));
      return uploadOne(file, session, views[i]);
    }),
  );
  document.body.dataset.done = 'true';
  log('all done');
}

document.querySelector('#files').addEventListener('change', (event) => void uploadAll([...event.target.files]));
