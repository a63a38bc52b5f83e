import { VideoRejectedError } from './media.error.js';
import { containerName, displaySize, inspectProbe, type ProbeReport } from './probe-report.js';

const h264 = { index: 0, codec_type: 'video', codec_name: 'h264', width: 1920, height: 1080, duration: '10.0' };
const aac = { index: 1, codec_type: 'audio', codec_name: 'aac' };
const mp4 = {
  format_name: 'mov,mp4,m4a,3gp,3g2,mj2',
  duration: '10.000000',
  bit_rate: '8000000',
  tags: { major_brand: 'isom' },
};

describe('inspectProbe', () => {
  it('reads the metadata of an ordinary MP4', () => {
    expect(inspectProbe({ streams: [h264, aac], format: mp4 }, 10_000_000)).toEqual({
      metadata: {
        durationSeconds: 10,
        width: 1920,
        height: 1080,
        videoCodec: 'h264',
        audioCodec: 'aac',
        bitrate: 8_000_000,
        container: 'mp4',
      },
      videoStreamIndex: 0,
    });
  });

  it('skips cover art and computes the bitrate when the container has none', () => {
    const cover = {
      index: 0,
      codec_type: 'video',
      codec_name: 'mjpeg',
      width: 600,
      height: 600,
      disposition: { attached_pic: 1 },
    };
    const report: ProbeReport = {
      streams: [cover, { ...h264, index: 1 }],
      format: { format_name: 'matroska,webm', duration: '8' },
    };
    const { metadata, videoStreamIndex } = inspectProbe(report, 1_000_000);
    expect(videoStreamIndex).toBe(1);
    expect(metadata).toMatchObject({ bitrate: 1_000_000, audioCodec: null, container: 'matroska' });
  });

  it.each<[string, ProbeReport, RegExp]>([
    ['no streams at all', { streams: [], format: mp4 }, /no video stream/],
    [
      'audio with cover art',
      {
        streams: [aac, { index: 2, codec_type: 'video', width: 1, height: 1, disposition: { attached_pic: 1 } }],
        format: mp4,
      },
      /audio only/,
    ],
    [
      'a picture without duration',
      { streams: [{ ...h264, duration: undefined }], format: { format_name: 'mov,mp4' } },
      /no duration/,
    ],
    ['a stream without size', { streams: [{ ...h264, width: 0 }], format: mp4 }, /no picture size/],
  ])('rejects %s', (_name, report, reason) => {
    expect(() => inspectProbe(report, 1000)).toThrow(VideoRejectedError);
    expect(() => inspectProbe(report, 1000)).toThrow(reason);
  });
});

describe('displaySize', () => {
  it.each([
    [{ side_data_list: [{ rotation: -90 }] }, { width: 1080, height: 1920 }],
    [{ tags: { rotate: '270' } }, { width: 1080, height: 1920 }],
    [{ side_data_list: [{ rotation: 180 }] }, { width: 1920, height: 1080 }],
    [{}, { width: 1920, height: 1080 }],
  ])('turns %j upright', (extra, size) => {
    expect(displaySize({ ...h264, ...extra })).toEqual(size);
  });
});

describe('containerName', () => {
  it.each([
    ['mov,mp4,m4a,3gp,3g2,mj2', 'isom', 'mp4'],
    ['mov,mp4,m4a,3gp,3g2,mj2', 'qt  ', 'mov'],
    ['mov,mp4,m4a,3gp,3g2,mj2', '3gp5', '3gp'],
    ['mov,mp4,m4a,3gp,3g2,mj2', undefined, 'mp4'],
    ['matroska,webm', undefined, 'matroska'],
    ['mpegts', undefined, 'mpegts'],
  ])('%s with brand %s is %s', (format, brand, name) => {
    expect(containerName(format, brand)).toBe(name);
  });
});
