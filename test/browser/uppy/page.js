// A page as a frontend writes it with stock Uppy: the S3 plugin configured with Reelay's Companion
// endpoint, the channel in Uppy's meta. Nothing else talks to Reelay. `uppy.js` is @uppy/core and
// @uppy/aws-s3 from node_modules, bundled by the test (test/support/bundle.ts).
import { AwsS3, Uppy } from './uppy.js';

const query = new URLSearchParams(location.search);
const uppy = new Uppy({ autoProceed: false, meta: { channel_id: query.get('channel') } });
const options = { companionEndpoint: query.get('endpoint') };
if (query.get('multipart') === 'always') options.shouldUseMultipart = true;
uppy.use(AwsS3, options);

const list = document.querySelector('#events');
const events = [];
const record = (event) => {
  events.push(event);
  const item = document.createElement('li');
  item.textContent = JSON.stringify(event);
  list.append(item);
};
uppy.on('upload-success', (file, response) =>
  record({ type: 'success', name: file.name, location: response.uploadURL }),
);
uppy.on('upload-error', (file, error) => record({ type: 'error', name: file?.name, message: error.message }));
uppy.on('complete', (result) =>
  record({ type: 'complete', successful: result.successful.length, failed: result.failed.length }),
);
document.querySelector('#files').addEventListener('change', (event) => {
  for (const file of event.target.files) uppy.addFile({ name: file.name, type: file.type, data: file });
});

window.uppy = uppy;
window.uppyEvents = events;
