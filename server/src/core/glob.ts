// One path segment of a glob (`*`, `?`, `[abc]`, `[!abc]`) as regular-expression source. Shared by
// the wings that expand workspace member patterns (npm workspaces, uv workspace members).

/** The regular-expression source for one glob segment (no slashes); literal characters escaped. */
export function globSegmentSource(segment: string): string {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 1);
      if (close < 0) out += '\\[';
      else {
        out += `[${segment.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return out;
}
