// Preloaded (`node --import`) into the cube processes tests spawn: such a
// process ends when the test process that spawned it is gone, however it went
// (a test runner that gives up on a file kills it, and no cleanup runs). The
// tie is the child's stdin, a pipe held open by the parent alone: when it
// reaches its end, the parent has died. Nothing of Cube reads stdin.
process.stdin.on('end', () => process.kill(process.pid, 'SIGKILL'));
process.stdin.resume();
// The pipe must not keep a process alive that is done otherwise.
process.stdin.unref?.();
