import { BadRequestException } from '@nestjs/common';
import { jsonBodyText, jsonShape, MAX_JSON_DEPTH, MAX_JSON_ITEMS } from './json-body.js';

const depth = (text: string) => jsonShape(Buffer.from(text)).depth;

describe('jsonShape', () => {
  it.each([
    ['1', 0],
    ['"[[[{{{"', 0],
    ['[]', 1],
    ['{"files":[{"filename":"a"}]}', 3],
    ['{"a":"\\"[[["}', 1],
    ['{"a":"\\\\","b":[[]]}', 3],
    ['[[],[[]],[]]', 3],
    ['[[[', 3],
    ['"unterminated [[[', 0],
  ])('%s is %i deep', (text, expected) => expect(depth(text)).toBe(expected));

  it('finds the depth a walk of the parsed value finds, and at least its items', () => {
    const walk = (v: unknown): { depth: number; items: number } => {
      if (v === null || typeof v !== 'object') return { depth: 0, items: 0 };
      const inner = Object.values(v).map(walk);
      return {
        depth: 1 + Math.max(0, ...inner.map((i) => i.depth)),
        items: Object.keys(v).length + inner.reduce((sum, i) => sum + i.items, 0),
      };
    };
    const samples = [{ a: [1, { b: '[{,' }], c: { d: { e: [] } } }, [[[['x']]], {}], { '"[,': ['\\'] }];
    for (const sample of samples) {
      const shape = jsonShape(Buffer.from(JSON.stringify(sample)));
      const walked = walk(sample);
      expect(shape.depth).toBe(walked.depth);
      expect(shape.items).toBeGreaterThanOrEqual(walked.items);
      expect(shape.items).toBeLessThanOrEqual(walked.items + JSON.stringify(sample).split(/[[{]/).length);
    }
  });
});

describe('jsonBodyText', () => {
  it('answers the text of a UTF-8 body within the limits', () => {
    const text = `${'['.repeat(MAX_JSON_DEPTH)}"é"${']'.repeat(MAX_JSON_DEPTH)}`;
    expect(jsonBodyText(Buffer.from(text))).toBe(text);
    const wide = JSON.stringify(Array(MAX_JSON_ITEMS - 1).fill(0));
    expect(jsonBodyText(Buffer.from(wide))).toBe(wide);
  });

  it('refuses a body one level too deep, one with too many items, and invalid UTF-8', () => {
    const deep = `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`;
    expect(() => jsonBodyText(Buffer.from(deep))).toThrow(BadRequestException);
    expect(() => jsonBodyText(Buffer.from(JSON.stringify(Array(MAX_JSON_ITEMS + 1).fill({}))))).toThrow('items');
    expect(() => jsonBodyText(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]))).toThrow('not valid UTF-8');
    expect(() => jsonBodyText(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]))).toThrow('not valid UTF-8');
  });
});
