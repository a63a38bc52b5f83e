/**
 * What a JSON body must be before it is parsed: UTF-8 (RFC 8259 section 8.1), at most MAX_JSON_DEPTH
 * arrays and objects deep, and at most MAX_JSON_ITEMS items. The largest body any route takes is init's
 * (3 levels deep, a few items per file). A body nested thousands deep would overflow the stack of the
 * validation that walks it (a 500); one of 40,000 empty objects in 256 KiB costs seconds of CPU to turn
 * into DTOs and validate.
 */
import { BadRequestException } from '@nestjs/common';

/** Arrays and objects nested in one another; `{"files":[{"filename":"a"}]}` is 3. */
export const MAX_JSON_DEPTH = 32;
/** Items of arrays and members of objects, all levels together (init of 100 files of 3 fields: about 400). */
export const MAX_JSON_ITEMS = 2000;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPENERS = new Set([0x5b, 0x7b]); // [ {
const CLOSERS = new Set([0x5d, 0x7d]); // ] }

/** The body as text; 400 BAD_REQUEST when it is not UTF-8, or nested too deep, or holds too many items. */
export function jsonBodyText(body: Buffer): string {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new BadRequestException('the body is not valid UTF-8');
  }
  const { depth, items } = jsonShape(body);
  if (depth > MAX_JSON_DEPTH)
    throw new BadRequestException(`the body nests arrays and objects more than ${MAX_JSON_DEPTH} deep`);
  if (items > MAX_JSON_ITEMS)
    throw new BadRequestException(`the body holds more than ${MAX_JSON_ITEMS} items in its arrays and objects`);
  return text;
}

/**
 * The deepest nesting of arrays and objects in `body`, and a bound on their items (an opening bracket
 * and each comma outside strings start one), brackets and commas inside strings aside. It reads bytes and
 * never recurses, so any body takes linear time; malformed JSON is left for the parser to refuse.
 */
export function jsonShape(body: Uint8Array): { depth: number; items: number } {
  let depth = 0;
  let deepest = 0;
  let items = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === COMMA) items++;
    else if (OPENERS.has(byte)) {
      items++;
      deepest = Math.max(deepest, ++depth);
    } else if (CLOSERS.has(byte)) depth--;
  }
  return { depth: deepest, items };
}
