import { describe, expect, it } from '@jest/globals';
import { imageSize } from './image-size.js';

const u16be = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const u16le = (n: number) => [n & 0xff, (n >> 8) & 0xff];
const u24le = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff];
const u32be = (n: number) => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const bytes = (...parts: number[][]) => Uint8Array.from(parts.flat());

const png = (w: number, h: number) => bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], u32be(13), ascii('IHDR'), u32be(w), u32be(h), [8, 2, 0, 0, 0]);

describe('imageSize', () => {
  it('reads PNG and GIF headers', () => {
    expect(imageSize(png(1920, 1080))).toEqual({ width: 1920, height: 1080 });
    expect(imageSize(bytes(ascii('GIF89a'), u16le(640), u16le(421)))).toEqual({ width: 640, height: 421 });
  });

  it('walks JPEG segments (an APP1 block first, as cameras write) to the frame header', () => {
    const app1 = [0xff, 0xe1, ...u16be(2 + 100), ...new Array<number>(100).fill(0)];
    const sof2 = [0xff, 0xc2, ...u16be(17), 8, ...u16be(477), ...u16be(720), 3];
    expect(imageSize(bytes([0xff, 0xd8], app1, sof2, new Array<number>(20).fill(0)))).toEqual({ width: 720, height: 477 });
  });

  it('reads the three WebP variants', () => {
    const riff = (chunk: string, payload: number[]) => bytes(ascii('RIFF'), [0, 0, 0, 0], ascii('WEBP'), ascii(chunk), [0, 0, 0, 0], payload);
    expect(imageSize(riff('VP8X', [0, 0, 0, 0, ...u24le(799), ...u24le(599)]))).toEqual({ width: 800, height: 600 });
    const packed = (800 - 1) | ((600 - 1) << 14);
    expect(imageSize(riff('VP8L', [0x2f, packed & 0xff, (packed >> 8) & 0xff, (packed >> 16) & 0xff, (packed >>> 24) & 0xff, 0, 0, 0, 0, 0]))).toEqual({ width: 800, height: 600 });
    expect(imageSize(riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, ...u16le(800), ...u16le(600)]))).toEqual({ width: 800, height: 600 });
  });

  it('gives up on unknown formats and truncated headers', () => {
    expect(imageSize(bytes(ascii('BM'), new Array<number>(40).fill(0)))).toBeUndefined();
    expect(imageSize(png(10, 10).slice(0, 20))).toBeUndefined();
    expect(imageSize(bytes([0xff, 0xd8, 0xff, 0xe0, 0, 16]))).toBeUndefined();
    expect(imageSize(new Uint8Array())).toBeUndefined();
  });
});
