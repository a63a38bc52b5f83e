// Reelay's demo page: the SDK's browser build does the work (parallel parts, retries, resume after a
// reload, offline waits); this file only renders what it reports, and the server's live events (Server-
// Sent Events, through the SDK): a video's result shows as soon as its video.ready or video.failed
// arrives. Pause keeps the uploads for a later run; Abort gives them up on the server too.
import { createReelay } from './sdk/browser.js';

const MAX_FILES = 5;
const $ = (selector) => document.querySelector(selector);
const tokenInput = $('#token');
const channelInput = $('#channel');
const announcer = $('#announcer');

// The token and channel survive a reload (this tab only), so that picking the same files resumes them.
tokenInput.value = sessionStorage.getItem('reelay-demo-token') ?? '';
channelInput.value = sessionStorage.getItem('reelay-demo-channel') ?? channelInput.value;
tokenInput.addEventListener('change', () => sessionStorage.setItem('reelay-demo-token', tokenInput.value));
channelInput.addEventListener('change', () => sessionStorage.setItem('reelay-demo-channel', channelInput.value));

function announce(text) {
  announcer.textContent = text;
}

// Development only: the API hands out tokens while it signs with its development secret.
const devToken = $('#dev-token');
fetch('./token').then((res) => {
  if (res.ok) devToken.hidden = false;
});
devToken.addEventListener('click', async () => {
  const res = await fetch('./token');
  const body = await res.json();
  if (!res.ok) return announce(`No development token: ${body.error.message}`);
  tokenInput.value = body.data.token;
  sessionStorage.setItem('reelay-demo-token', tokenInput.value);
  announce('Development token filled in');
});

const units = ['B', 'KiB', 'MiB', 'GiB'];
function size(bytes) {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)}\u00a0${units[unit]}`;
}
function duration(seconds) {
  const s = Math.round(seconds);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
function figures(p) {
  const parts = [`${Math.floor(p.percent)}\u00a0%`, `${size(p.bytesSent)} of ${size(p.size)}`];
  if (p.bytesPerSecond > 0) parts.push(`${size(p.bytesPerSecond)}/s`);
  if (p.secondsLeft !== null) parts.push(`${duration(p.secondsLeft)} left`);
  return parts.join(' · ');
}

const STATE_TEXT = {
  queued: 'waiting',
  uploading: 'uploading',
  retrying: 'retrying a chunk',
  offline: 'offline: waiting for the network',
  completing: 'completing',
  completed: 'uploaded',
  processing: 'processing',
  ready: 'ready',
  failed: 'failed',
  aborted: 'aborted',
  paused: 'paused',
};

/** One row per file; answers the function that renders its progress. */
function row(file, index) {
  const item = document.createElement('li');
  item.dataset.file = file.name;
  item.innerHTML = `
    <div><span class="file-name"></span> <span class="state" data-state="queued">waiting</span></div>
    <progress max="100" value="0"></progress> <span class="figures"></span>
    <div class="result" hidden><img alt="" /><span class="media"></span></div>`;
  item.querySelector('.file-name').textContent = file.name;
  const bar = item.querySelector('progress');
  bar.id = `file-progress-${index}`;
  bar.setAttribute('aria-label', `${file.name}: upload progress`);
  $('#uploads').append(item);
  let lastState = 'queued';
  let lastQuarter = 0;
  return (p) => {
    // The live region hears each quarter of the bytes, not every progress event.
    const quarter = Math.floor(p.percent / 25);
    if (p.state === 'uploading' && quarter > lastQuarter && quarter < 4) {
      lastQuarter = quarter;
      announce(`${file.name}: ${quarter * 25}\u00a0% uploaded`);
    }
    bar.value = p.percent;
    item.querySelector('.figures').textContent = figures(p);
    const state = item.querySelector('.state');
    state.dataset.state = p.state;
    state.textContent = p.error ? `${STATE_TEXT[p.state]}: ${p.error.message}` : STATE_TEXT[p.state];
    if (p.state !== lastState) {
      lastState = p.state;
      announce(`${file.name}: ${STATE_TEXT[p.state]}`);
    }
    if (p.video) showVideo(item, file, p.video);
  };
}

/** A line of the live events list, and what it changes on the page. */
function serverEvent(event, names, items) {
  const name = names.get(event.uploadId) ?? '';
  const line = document.createElement('li');
  line.dataset.type = event.type;
  const time = document.createElement('time');
  time.dateTime = event.at;
  time.textContent = new Date(event.at).toLocaleTimeString();
  line.append(time, `${name ? `${name}: ` : ''}${event.type}${eventDetails(event)}`);
  $('#server-events').append(line);
  $('#live-state').textContent = 'Live: the server tells what happens as it happens.';
  document.body.dataset.events = 'live';
  const item = items.get(event.uploadId);
  if (item && event.type === 'video.ready') {
    const m = event.metadata;
    showVideo(item, { name }, { status: 'ready', thumbnailUrl: event.thumbnailUrl, ...m });
  } else if (item && event.type === 'video.failed') {
    showVideo(item, { name }, { status: 'failed', failureReason: event.reason });
  }
}

function eventDetails(event) {
  switch (event.type) {
    case 'progress':
      return ` ${event.progress}\u00a0% (${event.completedCount} of ${event.totalChunks} chunks)`;
    case 'chunk.failed':
      return ` chunks ${event.chunks.join(', ')}: ${event.reason}`;
    case 'video.ready':
      return ` ${event.metadata.width}×${event.metadata.height}, ${duration(event.metadata.durationSeconds ?? 0)}`;
    case 'video.failed':
      return `: ${event.reason}`;
    case 'batch.completed':
      return ` (${event.uploads.length} files)`;
    default:
      return '';
  }
}

function showVideo(item, file, video) {
  const result = item.querySelector('.result');
  if (!result.hidden) return;
  result.hidden = false;
  const media = item.querySelector('.media');
  if (video.status === 'ready') {
    const img = item.querySelector('img');
    img.src = video.thumbnailUrl ?? '';
    img.alt = `Thumbnail of ${file.name}`;
    media.textContent = `${video.width}×${video.height}, ${duration(video.durationSeconds ?? 0)}`;
  } else {
    item.querySelector('img').remove();
    media.textContent = `Processing failed: ${video.failureReason ?? 'unknown reason'}`;
  }
  announce(`${file.name}: ${media.textContent}`);
}

let files = [];
let controller = null;
let pausing = false;

async function upload() {
  const reelay = createReelay({ apiUrl: location.origin, token: () => tokenInput.value });
  $('#uploads').replaceChildren();
  $('#server-events').replaceChildren();
  $('#live').hidden = false;
  $('#live-state').textContent = 'Connecting to the batch\u2019s live events…';
  delete document.body.dataset.events;
  const renderers = files.map(row);
  const items = new Map();
  const names = new Map();
  controller = new AbortController();
  pausing = false;
  $('#pause').textContent = 'Pause';
  $('#pause').disabled = false;
  $('#abort').disabled = false;
  document.body.dataset.done = 'false';
  try {
    const result = await reelay.uploadBatch(files, {
      channelId: channelInput.value,
      waitForProcessing: true,
      signal: controller.signal,
      keepOnAbort: () => pausing,
      onProgress: (batch) => {
        $('#batch-progress').value = batch.percent;
        $('#batch-figures').textContent = figures(batch);
        batch.files.forEach((p) => {
          renderers[p.index](p);
          if (p.uploadId && !names.has(p.uploadId)) {
            names.set(p.uploadId, p.name);
            items.set(p.uploadId, document.querySelectorAll('#uploads > li')[p.index]);
          }
        });
      },
      onServerEvent: (event) => serverEvent(event, names, items),
    });
    if (document.body.dataset.events !== 'live')
      $('#live-state').textContent = 'No live events from this server: the results came by polling.';
    const ready = result.files.filter((f) => f.status === 'ready').length;
    announce(pausing ? 'Paused' : `Done: ${ready} of ${files.length} videos ready`);
  } catch (error) {
    announce(`The batch could not start: ${error.message}`);
    $('#batch-figures').textContent = error.message;
  }
  controller = null;
  $('#abort').disabled = true;
  $('#pause').textContent = pausing ? 'Resume' : 'Pause';
  $('#pause').disabled = !pausing;
  document.body.dataset.done = pausing ? 'paused' : 'true';
}

function start(list) {
  const picked = [...list];
  if (picked.length === 0) return;
  if (picked.length > MAX_FILES) return announce(`Pick at most ${MAX_FILES} videos; you picked ${picked.length}`);
  if (!tokenInput.value) {
    tokenInput.focus();
    return announce('Enter a bearer token first');
  }
  files = picked;
  $('#batch').hidden = false;
  void upload();
}

$('#files').addEventListener('change', (event) => start(event.target.files));
const drop = $('#drop');
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  start(event.dataTransfer.files);
});
$('#pause').addEventListener('click', () => {
  if (controller) {
    pausing = true;
    controller.abort();
  } else if (pausing) {
    void upload(); // resume: the SDK finds the kept sessions and sends only what storage lacks
  }
});
$('#abort').addEventListener('click', () => {
  pausing = false;
  controller?.abort();
});
