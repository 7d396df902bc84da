// A ustar header for the fake registries' tarballs (npm packages, Python sdists). A fixed default
// mtime keeps the bytes, and so their hashes and integrity strings, stable between runs.
export function tarHeader(name, size, mtime = 0o14000000000) {
  const h = Buffer.alloc(512);
  const put = (text, at, len) => h.write(text, at, len, 'ascii');
  put(name, 0, 100);
  put('0000644\0', 100, 8);
  put('0000000\0', 108, 8);
  put('0000000\0', 116, 8);
  put(size.toString(8).padStart(11, '0') + '\0', 124, 12);
  put(mtime.toString(8).padStart(11, '0') + '\0', 136, 12);
  put('        ', 148, 8);
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return h;
}
