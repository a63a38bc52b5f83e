/**
 * The browser's transport (XMLHttpRequest, for `upload.onprogress`) and connectivity
 * (`navigator.onLine` with the `online` event). Only the few members used are declared here, so the
 * SDK needs no DOM typings to build for Node as well.
 */
import type { Connectivity, SendRequest, SendResult, Transport } from './transport.js';

interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  getResponseHeader(name: string): string | null;
  send(body: Blob): void;
  abort(): void;
  readonly status: number;
  readonly responseText: string;
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  ontimeout: (() => void) | null;
  upload: { onprogress: ((event: { loaded: number }) => void) | null };
}

interface BrowserGlobals {
  XMLHttpRequest: new () => XhrLike;
  navigator: { onLine: boolean };
  addEventListener(type: 'online', listener: () => void, options?: { once: boolean }): void;
  removeEventListener(type: 'online', listener: () => void): void;
}

const browser = globalThis as unknown as BrowserGlobals;

export class XhrTransport implements Transport {
  send({ method, url, body, headers = {}, signal, onProgress }: SendRequest): Promise<SendResult> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const xhr = new browser.XMLHttpRequest();
      xhr.open(method, url);
      for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
      const onAbort = () => xhr.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (done: () => void) => {
        signal?.removeEventListener('abort', onAbort);
        done();
      };
      xhr.upload.onprogress = (event) => onProgress?.(event.loaded);
      xhr.onload = () =>
        settle(() =>
          resolve({ status: xhr.status, etag: xhr.getResponseHeader('etag') ?? undefined, body: xhr.responseText }),
        );
      xhr.onerror = xhr.ontimeout = () => settle(() => reject(new Error(`${method} ${url}: network error`)));
      xhr.onabort = () => settle(() => reject((signal?.reason as Error) ?? new Error('aborted')));
      xhr.send(body);
    });
  }
}

export const browserConnectivity: Connectivity = {
  online: () => browser.navigator?.onLine ?? true,
  whenOnline(signal?: AbortSignal): Promise<void> {
    if (browserConnectivity.online()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onOnline = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        browser.removeEventListener('online', onOnline);
        reject(signal!.reason as Error);
      };
      browser.addEventListener('online', onOnline, { once: true });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};
