// Long hostile inputs: what a parser with backtracking or quadratic scanning would choke on. Tests
// assert what the parsers answer for them; bench/parse.mjs times them.
export const HOSTILE_VERSIONS = ['1'.repeat(100000) + 'x', '1.'.repeat(50000) + 'x', '1.0+' + 'a.'.repeat(50000) + '!', ' '.repeat(100000) + '1 x'];

/** A requirements file with a 200,000-character name, 20,000 options, 20,000 continuations and 50,000 self-referencing ${X}. */
export const HOSTILE_REQUIREMENTS = {
  text: 'a'.repeat(200000) + ' ' + '--pre '.repeat(20000) + '\\\n'.repeat(20000) + '${X}'.repeat(50000),
  env: { X: '${X}' },
};

/** 2,000 ${A} where A expands to two of itself: the expansion must be cut off, not followed. */
export const EXPONENTIAL_VARIABLES = { text: '${A}'.repeat(2000), env: { A: '${A}${A}' } };
