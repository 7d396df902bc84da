// The activation peer (bench/activation.mjs): an extension that activates on Pinsight's events and
// does nothing, so that VS Code's figure for it is the floor the extension host imposes in that run.
exports.activate = function activate() {};
exports.deactivate = function deactivate() {};
