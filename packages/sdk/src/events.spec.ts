import { BATCH_EVENT_TYPES } from '../../../libs/uploads/src/events/batch-event.js';
import { SERVER_EVENT_TYPES } from './events.js';

describe('SERVER_EVENT_TYPES', () => {
  it("are the server's event types, in its order (the SDK keeps its own copy: it depends on no server code)", () => {
    expect([...SERVER_EVENT_TYPES]).toEqual([...BATCH_EVENT_TYPES]);
  });
});
