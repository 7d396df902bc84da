// How the client starts the language server process; the protocol tests and bench/editor.mjs start
// it the same way (test/support/lspClient.mjs reads dist/common/serverProcess.js).

/**
 * V8 flags for the server. Checks allocate in bursts (50 manifests opened together, what-if
 * re-solves) and V8 then grows its young generation to 2 x 16 MB, which it keeps: a 4 MB
 * semi-space holds the resident set with 50 manifests open near 140 MB instead of 155 MB
 * (bench/README.md, issue 11), for about 1 ms more garbage collection per edit.
 */
export const SERVER_EXEC_ARGV: readonly string[] = ['--max-semi-space-size=4'];
